"""Peers and sharing groups: what the API accepts and answers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from corridor import clock
from corridor.schemas import ReadModel, StrictModel, UtcDateTime


def receipts_view(statuses: Mapping[str, Mapping[str, datetime]]) -> dict[str, dict[str, str]]:
    """A record's receipts as the API answers them (`receipts.statuses`): node id ->
    {delivered | read | acknowledged: when}."""
    return {node: {s: clock.iso(at) for s, at in st.items()} for node, st in statuses.items()}


class PeerRead(ReadModel):
    node_id: str
    name: str
    org: str
    country: str
    url: str
    fingerprint: str
    state: str
    card_version: int
    valid_until: UtcDateTime
    added_at: UtcDateTime
    approved_at: UtcDateTime | None
    last_contact_at: UtcDateTime | None
    last_error: str | None


class PeerImport(StrictModel):
    card: dict[str, Any] | list[dict[str, Any]] = Field(
        description="the peer's card (or chain of card versions), as `corridor node card` prints"
    )
    approve: bool = False


class PeerState(StrictModel):
    state: Literal["approved", "suspended"]


class GroupCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    members: list[str] = Field(min_length=1, max_length=500, description="peer node ids")


class GroupMembers(StrictModel):
    members: list[str] = Field(max_length=500)


class GroupRead(StrictModel):
    """A sharing group as its latest signed version says it."""

    id: str
    version: int
    owner: str = Field(description="node id of the group's owner")
    own: bool = Field(description="owned by this node")
    name: str | None
    description: str
    members: list[str] = Field(description="member node ids")


class GroupList(StrictModel):
    items: list[GroupRead]
