"""Creating and changing sharing groups (administrators of the owning node)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from corridor.errors import NotFound, PermissionDenied
from corridor.keys import NodeKeys
from corridor.records import service as records
from corridor.records.groups import GROUP_TYPE, GroupBody
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.principal import Principal

GROUP_LABELS = Labels(tlp="GREEN", purpose="cooperation")


def create_group(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    name: str,
    description: str = "",
    members: list[str],
) -> dict[str, Any]:
    actor.require("node.manage")
    body = GroupBody(name=name, description=description, members=[*members, keys.node_id])
    return records.create(
        session,
        keys,
        actor=actor,
        type=GROUP_TYPE,
        body=body.model_dump(),
        labels=GROUP_LABELS,
        audience=Audience(nodes=body.members),
    )


def set_members(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    group_id: uuid.UUID,
    members: list[str],
) -> dict[str, Any]:
    """New membership; removed members get this version too, then nothing more."""
    actor.require("node.manage")
    row = session.get(StoredRecord, group_id)
    if row is None or row.type != GROUP_TYPE:
        raise NotFound(f"no sharing group {group_id}")
    if row.origin != keys.node_id:
        raise PermissionDenied("only the node that owns a group changes its members")
    old = row.envelope["body"]
    body = GroupBody(
        name=old["name"], description=old.get("description", ""), members=[*members, keys.node_id]
    )
    return records.update(
        session,
        keys,
        actor=actor,
        record_id=group_id,
        body=body.model_dump(),
        audience=Audience(nodes=sorted(set(old["members"]) | set(body.members))),
    )
