"""Receipts: recipients tell the origin that a record version was delivered, then read.
They are records themselves (addressed to the origin only), so they travel, are signed and
verified like everything else."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from corridor import clock
from corridor.db import Base
from corridor.errors import PermissionDenied
from corridor.keys import NodeKeys
from corridor.records import registry
from corridor.records import service as records
from corridor.records.flow import Flow
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.schemas import MAX_INT32, StrictModel, UtcDateTime
from corridor.security.principal import SYSTEM

RECEIPT_TYPE = "receipt"
# acknowledged: a person at the recipient node confirmed it (alerts, requests for assistance).
STATUSES = ("delivered", "read", "acknowledged")


class ReceiptItem(StrictModel):
    record_id: uuid.UUID
    version: int = Field(ge=1, le=MAX_INT32)  # an Integer column where it is projected


class ReceiptBody(StrictModel):
    """One receipt covers every record of a delivered batch (or the one record just read)."""

    status: Literal["delivered", "read", "acknowledged"]
    at: UtcDateTime
    items: list[ReceiptItem] = Field(min_length=1, max_length=1000)


class Receipt(Base):
    """Who (node) has which record in which state: the projection of receipt records."""

    __tablename__ = "receipts"

    record_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    node_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int]
    at: Mapped[datetime]


def _project(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    # A receipt is written by the node that holds the records: its origin is the reader.
    reader, status = envelope["origin"], body["status"]
    at = clock.parse(body["at"])
    ids = [uuid.UUID(i["record_id"]) for i in body["items"]]
    have = set(
        session.scalars(
            select(Receipt.record_id).where(
                Receipt.record_id.in_(ids), Receipt.node_id == reader, Receipt.status == status
            )
        )
    )
    for item in body["items"]:
        rid = uuid.UUID(item["record_id"])
        if rid not in have:
            have.add(rid)
            session.add(
                Receipt(
                    record_id=rid, node_id=reader, status=status, version=item["version"], at=at
                )
            )


def _check(session: Session, envelope: dict[str, Any]) -> None:
    """A node receipts only records that were addressed to it: an acknowledgement from a node
    outside a record's audience is refused, not counted."""
    reader = envelope["origin"]
    ids = [uuid.UUID(i["record_id"]) for i in envelope["body"]["items"]]
    rows = {r.id: r for r in session.scalars(select(StoredRecord).where(StoredRecord.id.in_(ids)))}
    for rid in ids:
        row = rows.get(rid)
        if row is None:
            raise PermissionDenied(f"receipt for record {rid}, which this node does not hold")
        if reader not in row.envelope.get("audience", {}).get("nodes", []):
            raise PermissionDenied(f"node {reader} was not addressed by record {rid}")


registry.register(
    registry.RecordType(
        name=RECEIPT_TYPE,
        body=ReceiptBody,
        flow=Flow(system_only=True),  # signed by the node when it stores or a user reads
        project=_project,
        check=_check,
        sensitive=False,
        title="Receipt",
    )
)

# Record types whose recipients send receipts (messages, alerts, requests…).
WANTS_RECEIPTS: set[str] = set()


def send(session: Session, keys: NodeKeys, envelopes: list[dict[str, Any]], status: str) -> int:
    """Receipt records for records received from peers: one per origin, listing every record
    not yet receipted with this status. Returns how many records were receipted."""
    received = [e for e in envelopes if e["origin"] != keys.node_id]
    if not received:
        return 0
    ids = [uuid.UUID(e["id"]) for e in received]
    done = set(
        session.scalars(
            select(Receipt.record_id).where(
                Receipt.record_id.in_(ids),
                Receipt.node_id == keys.node_id,
                Receipt.status == status,
            )
        )
    )
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for e in received:
        if uuid.UUID(e["id"]) not in done:
            done.add(uuid.UUID(e["id"]))
            by_origin.setdefault(e["origin"], []).append(e)
    count = 0
    for origin, items in by_origin.items():
        # Protection data stays in its lane: the receipt carries the purpose of its records.
        for purpose in sorted({e["labels"].get("purpose", "cooperation") for e in items}):
            chunk = [e for e in items if e["labels"].get("purpose", "cooperation") == purpose]
            for start in range(0, len(chunk), 1000):
                part = chunk[start : start + 1000]
                records.create(
                    session,
                    keys,
                    actor=SYSTEM,
                    type=RECEIPT_TYPE,
                    body={
                        "status": status,
                        "at": clock.iso(clock.now()),
                        "items": [{"record_id": e["id"], "version": e["version"]} for e in part],
                    },
                    labels=Labels(tlp="AMBER", purpose=purpose),
                    audience=Audience(nodes=[origin]),
                )
                count += len(part)
    return count


def opened(session: Session, keys: NodeKeys, envelope: dict[str, Any]) -> dict[str, Any]:
    """A person here opened a record received from a peer: the first time, its origin gets a
    read receipt (a withdrawn record, its body gone, has none to give). Answers the record."""
    if envelope.get("body") is not None:
        send(session, keys, [envelope], "read")
    return envelope


def statuses(session: Session, record_id: uuid.UUID) -> dict[str, dict[str, datetime]]:
    """node id -> {status: when} for one record."""
    out: dict[str, dict[str, datetime]] = {}
    for r in session.scalars(select(Receipt).where(Receipt.record_id == record_id)):
        out.setdefault(r.node_id, {})[r.status] = r.at
    return out
