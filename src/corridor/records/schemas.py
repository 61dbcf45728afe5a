"""Records as the API accepts and answers them.

A record is answered as the signed envelope it is stored as, byte for byte: the signature
covers the canonical JSON of those very fields, so a client can check it. `Envelope` (the
structure check of `records.envelope`) describes the answer in the OpenAPI document; the API
hands the stored dict out untouched and never re-serialises it through the model (that would
add defaults such as empty recipient lists and re-format times: the signature would no longer
match)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from corridor.records.envelope import Envelope
from corridor.records.labels import Audience, Labels, LabelsIn
from corridor.schemas import Page, ReadModel, StrictModel

__all__ = [
    "Answer",
    "Envelope",
    "EnvelopePage",
    "RecordOut",
    "RevokeBody",
    "SentRead",
    "Shared",
    "WithdrawIn",
    "addressed_view",
    "origin_field",
    "record_out",
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


# --- node-owned records (records.owned) in the API ---------------------------------------

LABEL_FIELDS = frozenset(LabelsIn.model_fields)


class Shared(LabelsIn):
    """A record's body in an API request, with its labels and audience flat beside it."""

    to: list[str] | None = Field(
        default=None,
        max_length=200,
        description="node and/or group ids; omitted: this node only (new), unchanged (change)",
    )

    def labels_if_given(self) -> Labels | None:
        """On a change, labels stay as they were unless the request names one of them."""
        return self.labels() if self.model_fields_set & LABEL_FIELDS else None

    def body(self, model: type[BaseModel]) -> dict[str, Any]:
        return self.model_dump(
            mode="json", include=set(model.model_fields), by_alias=True, exclude_unset=True
        )

    def sharing(self, *, new: bool) -> dict[str, Any]:
        """The labels and audience a service saves: for a new record what the request says
        (labels by default, this node only), for a change only what it names."""
        if new:
            return {"labels": self.labels(), "to": self.to or []}
        return {"labels": self.labels_if_given(), "to": self.to}


class Answer(BaseModel):
    """What the API answers. Forbidding unknown fields makes the OpenAPI document say that
    nothing else comes (and a test holds the answers to it)."""

    model_config = ConfigDict(extra="forbid")


class RecordOut(Answer):
    """A record as the API answers it: its envelope's metadata, then its body's fields (none
    once the record is withdrawn)."""

    id: str
    version: int
    origin: str = Field(description="node id of the node that recorded it")
    author: str
    updated_at: str = Field(description="time of this version (ISO 8601, UTC)")
    labels: Labels
    audience: Audience
    state: Literal["active", "withdrawn"]


def record_out(body: type[BaseModel], name: str) -> type[RecordOut]:
    """The answer model of a record type: RecordOut with each field of its body, not required:
    a withdrawn record answers without them, and an optional field is left out rather than
    null (bodies are stored without their empty fields)."""
    fields: dict[str, Any] = {
        key: (info.annotation, Field(default=None, description=info.description))
        for key, info in body.model_fields.items()
    }
    return create_model(name, __base__=RecordOut, **fields)
