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
from corridor.node.keys import NodeKeys
from corridor.records import registry
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.schemas import StrictModel, UtcDateTime
from corridor.security.principal import SYSTEM

RECEIPT_TYPE = "receipt"
STATUSES = ("delivered", "read")


class ReceiptBody(StrictModel):
    record_id: uuid.UUID
    version: int = Field(ge=1)
    status: Literal["delivered", "read"]
    at: UtcDateTime


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
    # A receipt is written by the node that holds the record: its origin is the reader.
    key = (uuid.UUID(body["record_id"]), envelope["origin"], body["status"])
    row = session.get(Receipt, key)
    if row is None:
        session.add(
            Receipt(
                record_id=key[0],
                node_id=key[1],
                status=key[2],
                version=body["version"],
                at=clock.as_utc(datetime.fromisoformat(body["at"].replace("Z", "+00:00"))),
            )
        )


registry.register(
    registry.RecordType(
        name=RECEIPT_TYPE,
        body=ReceiptBody,
        project=_project,
        sensitive=False,
        title="Receipt",
    )
)

# Record types whose recipients send receipts (messages, alerts, requests…).
WANTS_RECEIPTS: set[str] = set()


def send(session: Session, keys: NodeKeys, envelope: dict[str, Any], status: str) -> bool:
    """Issue a receipt for a record received from a peer, once per status."""
    rid = uuid.UUID(envelope["id"])
    if envelope["origin"] == keys.node_id:
        return False
    if session.get(Receipt, (rid, keys.node_id, status)) is not None:
        return False
    records.create(
        session,
        keys,
        actor=SYSTEM,
        type=RECEIPT_TYPE,
        body={
            "record_id": str(rid),
            "version": envelope["version"],
            "status": status,
            "at": clock.iso(clock.now()),
        },
        labels=Labels(tlp="AMBER", purpose=envelope["labels"].get("purpose", "cooperation")),
        audience=Audience(nodes=[envelope["origin"]]),
    )
    return True


def statuses(session: Session, record_id: uuid.UUID) -> dict[str, dict[str, datetime]]:
    """node id -> {status: when} for one record."""
    out: dict[str, dict[str, datetime]] = {}
    for r in session.scalars(select(Receipt).where(Receipt.record_id == record_id)):
        out.setdefault(r.node_id, {})[r.status] = r.at
    return out
