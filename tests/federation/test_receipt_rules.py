"""Receipts are counted only from nodes a record was addressed to: an acknowledgement from a node
outside the audience is refused at the origin's inbox, with the reason in the audit log."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.federation import delivery, receipts
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.principal import SYSTEM
from tests.federation.conftest import note


def forged_ack(node, about: dict, to: str) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        records.create(
            session,
            node.keys,
            actor=SYSTEM,
            type=receipts.RECEIPT_TYPE,
            body={
                "status": "acknowledged",
                "at": clock.iso(clock.now()),
                "items": [{"record_id": about["id"], "version": about["version"]}],
            },
            labels=Labels(tlp="AMBER"),
            audience=Audience(nodes=[to]),
        )


def test_acknowledgement_only_from_the_audience(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    addressed = note(a, [b.id], "boat leaving Zuwara tonight")
    local = note(a, [], "our own note")
    delivery.push_to(a, b.id, http=to_b)
    with b.db.transaction() as session:
        env = session.get(StoredRecord, uuid.UUID(addressed["id"])).envelope  # type: ignore[union-attr]
        receipts.send(session, b.keys, [env], "acknowledged")
    forged_ack(b, local, a.id)
    forged_ack(b, {"id": str(uuid.uuid4()), "version": 1}, a.id)
    delivery.push_to(b, a.id, http=to_a)
    with a.db.transaction() as session:
        assert set(receipts.statuses(session, uuid.UUID(addressed["id"]))[b.id]) >= {"acknowledged"}
        assert receipts.statuses(session, uuid.UUID(local["id"])) == {}
        reasons = [
            e.detail["reason"]
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "federation.reject")
            )
        ]
    assert any("was not addressed by record" in r for r in reasons), reasons
    assert any("does not hold" in r for r in reasons), reasons
