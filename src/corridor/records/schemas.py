"""Records as the API accepts and answers them.

A record is answered as the signed envelope it is stored as, byte for byte: the signature
covers the canonical JSON of those very fields, so a client can check it. `Envelope` (the
structure check of `records.envelope`) describes the answer in the OpenAPI document; the API
hands the stored dict out untouched and never re-serialises it through the model (that would
add defaults such as empty recipient lists and re-format times: the signature would no longer
match)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from corridor.records.envelope import Envelope
from corridor.schemas import Page, ReadModel, StrictModel

__all__ = [
    "Envelope",
    "EnvelopePage",
    "RevokeBody",
    "SentRead",
    "WithdrawIn",
    "addressed_view",
    "origin_field",
    "record_view",
    "sent_view",
]

EnvelopePage = Page[Envelope]


# Why a record is withdrawn (or revoked): kept in its tombstone. Every module's withdrawal
# takes it; the subclasses keep the names their routes have in the OpenAPI document.
class WithdrawIn(StrictModel):
    reason: str = Field(min_length=1, max_length=500)


class RevokeBody(WithdrawIn):
    pass


def record_view(envelope: dict[str, Any]) -> dict[str, Any]:
    """A record as the API answers it where it names its envelope's own fields (origin,
    updated_at, audience: mapping's `RecordOut`, the directory's cards): that metadata, then
    its body's fields (none once it is withdrawn)."""
    return {
        "id": envelope["id"],
        "version": envelope["version"],
        "origin": envelope["origin"],
        "author": envelope["author"],
        "updated_at": envelope["ts"],
        "labels": envelope["labels"],
        "audience": envelope["audience"],
        "state": "withdrawn" if envelope.get("body") is None else "active",
        **(envelope.get("body") or {}),
    }


def origin_field(description: str = "the node that sent it") -> Any:
    """The wire name `from` (a Python keyword) of an answer's origin."""
    return Field(alias="from", description=description)


class SentRead(ReadModel):
    """What the answer of a record sent to nodes (a message, an alert) starts with: its
    envelope's metadata, as `sent_view` builds it, then `state`."""

    id: str
    version: int
    from_: str = origin_field()
    author: str
    to: list[str] = Field(description="the nodes it was sent to")
    groups: list[str] = Field(description="the sharing groups it was sent to")
    sent_at: str
    labels: dict[str, Any]
    state: str = Field(description="active or withdrawn")


def addressed_view(envelope: dict[str, Any]) -> dict[str, Any]:
    """What the answer of a record sent to nodes (a message, an alert, a request) starts with:
    which record, who sent it, and the nodes it was sent to."""
    return {
        "id": envelope["id"],
        "version": envelope["version"],
        "from": envelope["origin"],
        "author": envelope["author"],
        "to": envelope["audience"]["nodes"],
    }


def sent_view(envelope: dict[str, Any], sent_at: str) -> dict[str, Any]:
    """The fields of `SentRead` but `state`, from a sent record's envelope."""
    return {
        **addressed_view(envelope),
        "groups": envelope["audience"]["groups"],
        "sent_at": sent_at,
        "labels": envelope["labels"],
    }
