"""Sharing groups: records owned by one node that list member nodes (e.g. "Eastern
Mediterranean route"). An audience naming a group is expanded into its members' node ids
before signing, so every receiver can check it is addressed without knowing the group."""

from __future__ import annotations

import uuid

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput
from corridor.keys import NODE_ID_RE
from corridor.records.flow import Flow
from corridor.records.labels import Audience
from corridor.records.models import StoredRecord
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

GROUP_TYPE = "group"


class GroupBody(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    members: list[str] = Field(min_length=1, max_length=500)

    @field_validator("members")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        for n in v:
            if not NODE_ID_RE.fullmatch(n):
                raise ValueError(f"{n!r} is not a node id")
        return sorted(set(v))


register(
    RecordType(
        name=GROUP_TYPE,
        body=GroupBody,
        flow=Flow(editors=("node.manage",)),  # node-owned: its author or an administrator
        sensitive=False,
        title="Sharing group",
    )
)


def members(session: Session, group_id: str) -> list[str]:
    row = session.get(StoredRecord, uuid.UUID(group_id))
    if row is None or row.type != GROUP_TYPE or row.state != "active":
        raise InvalidInput(f"no active sharing group {group_id}")
    return list(row.envelope["body"]["members"])


def expand(session: Session, audience: Audience, *, origin: str) -> Audience:
    """Named nodes plus every member of the named groups (the origin itself excluded)."""
    nodes = set(audience.nodes)
    for gid in audience.groups:
        nodes.update(members(session, gid))
    nodes.discard(origin)
    return Audience(nodes=sorted(nodes), groups=sorted(set(audience.groups)))


def list_groups(session: Session) -> list[StoredRecord]:
    return list(
        session.scalars(
            select(StoredRecord).where(
                StoredRecord.type == GROUP_TYPE, StoredRecord.state == "active"
            )
        )
    )
