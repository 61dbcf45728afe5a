from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied, SignatureInvalid
from corridor.ids import uuid7
from corridor.keys import NodeKeys, generate
from corridor.records import envelope as env
from corridor.records import service as records
from corridor.records.labels import Labels
from corridor.records.models import RecordVersion, StoredRecord
from corridor.security.principal import SYSTEM
from tests.records.conftest import PROJECTED


@pytest.fixture
def author(make_user):  # type: ignore[no-untyped-def]
    return make_user("investigator")


def create(node, actor, text="hello", **labels):  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return records.create(
            session,
            node.keys,
            actor=actor,
            type="test.note",
            body={"text": text},
            labels=Labels(**labels),
        )


def test_create_signs_stores_projects_and_audits(node, author) -> None:  # type: ignore[no-untyped-def]
    rec = create(node, author)
    env.verify(rec, node.keys.signing_public)
    assert rec["origin"] == node.id and rec["author"] == author.handle and rec["version"] == 1
    assert PROJECTED[rec["id"]] == {"text": "hello"}
    with node.db.transaction() as session:
        row = session.get(StoredRecord, uuid.UUID(rec["id"]))
        assert row is not None and row.state == "active" and row.envelope == rec
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "record.create" in actions


def test_seq_is_monotonic(node, author) -> None:  # type: ignore[no-untyped-def]
    seqs = [create(node, author)["seq"] for _ in range(5)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5


def test_invalid_body_stores_nothing(node, author) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        records.create(
            session, node.keys, actor=author, type="test.note", body={"text": ""}, labels=Labels()
        )
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        records.create(
            session,
            node.keys,
            actor=author,
            type="no.such.type",
            body={"text": "x"},
            labels=Labels(),
        )
    with node.db.transaction() as session:
        assert (
            session.scalars(select(StoredRecord).where(StoredRecord.type == "test.note")).all()
            == []
        )


def test_expiry_in_the_past_is_refused(node, author) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput):
        create(node, author, expires=clock.now() - timedelta(minutes=1))


def test_viewer_cannot_create(node, make_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        create(node, make_user("viewer"))


def test_update_makes_a_new_signed_version_and_keeps_history(node, author) -> None:  # type: ignore[no-untyped-def]
    rec = create(node, author)
    with node.db.transaction() as session:
        v2 = records.update(
            session,
            node.keys,
            actor=author,
            record_id=uuid.UUID(rec["id"]),
            body={"text": "second"},
            labels=Labels(tlp="GREEN"),
        )
    env.verify(v2, node.keys.signing_public)
    assert v2["version"] == 2 and v2["seq"] > rec["seq"] and v2["labels"]["tlp"] == "GREEN"
    with node.db.transaction() as session:
        versions = session.scalars(
            select(RecordVersion.version).where(RecordVersion.record_id == uuid.UUID(rec["id"]))
        ).all()
    assert sorted(versions) == [1, 2]


def test_revoke_purges_bodies_everywhere_and_is_final(node, author) -> None:  # type: ignore[no-untyped-def]
    rec = create(node, author, text="secret")
    rid = uuid.UUID(rec["id"])
    with node.db.transaction() as session:
        records.update(session, node.keys, actor=author, record_id=rid, body={"text": "v2"})
        tomb = records.revoke(session, node.keys, actor=author, record_id=rid, reason="wrong")
    env.verify(tomb, node.keys.signing_public)
    assert tomb["body"] is None and tomb["tombstone"] == {"reason": "wrong"}
    assert rec["id"] not in PROJECTED
    with node.db.transaction() as session:
        assert session.get(StoredRecord, rid).state == "revoked"  # type: ignore[union-attr]
        for v in session.scalars(select(RecordVersion).where(RecordVersion.record_id == rid)):
            assert v.envelope["body"] is None
    with pytest.raises(Conflict), node.db.transaction() as session:
        records.update(session, node.keys, actor=author, record_id=rid, body={"text": "again"})
    with pytest.raises(InvalidInput), node.db.transaction() as session:
        records.revoke(session, node.keys, actor=author, record_id=rid, reason=" ")


def test_retention_tombstones_own_expired_records(node, author, shift_clock) -> None:  # type: ignore[no-untyped-def]
    rec = create(node, author, expires=clock.now() + timedelta(seconds=30))
    keep = create(node, author, expires=clock.now() + timedelta(days=30))
    shift_clock(timedelta(minutes=5))
    with node.db.transaction() as session:
        assert records.expire_due(session, node.keys, actor=SYSTEM) == 1
    with node.db.transaction() as session:
        row = session.get(StoredRecord, uuid.UUID(rec["id"]))
        assert row.state == "expired" and row.envelope["tombstone"] == {"reason": "expired"}  # type: ignore[union-attr]
        assert session.get(StoredRecord, uuid.UUID(keep["id"])).state == "active"  # type: ignore[union-attr]


# --- visibility --------------------------------------------------------------------------


def test_red_is_visible_only_to_named_recipients(node, make_user) -> None:  # type: ignore[no-untyped-def]
    alice = make_user("investigator", unit="Maritime")
    bob = make_user("investigator")
    carol = make_user("analyst", unit="Maritime")
    rec = create(
        node, alice, tlp="RED", recipients=[f"user:{alice.handle}", f"unit:{carol.unit_handle}"]
    )
    rid = uuid.UUID(rec["id"])
    with node.db.transaction() as session:
        assert records.get_visible(session, node.id, actor=carol, record_id=rid)["id"] == rec["id"]
        assert records.get_visible(session, node.id, actor=alice, record_id=rid)
    with pytest.raises(NotFound), node.db.transaction() as session:
        records.get_visible(session, node.id, actor=bob, record_id=rid)
    with node.db.transaction() as session:
        listed = records.visible_page(session, node.id, actor=bob, type="test.note")
        assert rec["id"] not in [r["id"] for r in listed]
        denied = session.scalars(select(AuditEntry).where(AuditEntry.outcome == "denied")).all()
    assert any(e.object_id == rec["id"] for e in denied)


def test_protection_data_never_reaches_enforcement_roles(node, make_user) -> None:  # type: ignore[no-untyped-def]
    protection = make_user("protection_officer")
    rec = create(node, protection, purpose="protection", tlp="AMBER+STRICT")
    rid = uuid.UUID(rec["id"])
    for role in ("investigator", "analyst", "liaison_officer", "administrator", "viewer"):
        other = make_user(role)
        with pytest.raises(NotFound), node.db.transaction() as session:
            records.get_visible(session, node.id, actor=other, record_id=rid)
        with node.db.transaction() as session:
            assert all(
                r["id"] != rec["id"]
                for r in records.visible_page(session, node.id, actor=other, type="test.note")
            )
    with node.db.transaction() as session:
        assert records.get_visible(
            session, node.id, actor=make_user("protection_officer"), record_id=rid
        )


def test_a_module_reads_only_its_own_type(node, author) -> None:  # type: ignore[no-untyped-def]
    rid = uuid.UUID(create(node, author)["id"])
    with node.db.transaction() as session:
        got = records.get_of_type(session, node.id, actor=author, record_id=rid, type="test.note")
        assert got["id"] == str(rid)
    with pytest.raises(NotFound, match=f"^no message {rid}$"), node.db.transaction() as session:
        records.get_of_type(
            session, node.id, actor=author, record_id=rid, type="group", what="message"
        )
    with (
        pytest.raises(NotFound, match=f"^no sharing group {rid}$"),
        node.db.transaction() as session,
    ):
        records.get_of_type(session, node.id, actor=author, record_id=rid, type="group")


def test_list_is_newest_first_and_paginates(node, author) -> None:  # type: ignore[no-untyped-def]
    ids = [create(node, author, text=str(i))["id"] for i in range(7)]
    with node.db.transaction() as session:
        first = records.visible_page(session, node.id, actor=author, type="test.note", limit=4)
        rest = records.visible_page(
            session,
            node.id,
            actor=author,
            type="test.note",
            limit=4,
            before=uuid.UUID(first[-1]["id"]),
        )
    assert [r["id"] for r in first + rest] == list(reversed(ids))


# --- ingest (what federation hands over) --------------------------------------------------


@pytest.fixture
def peer(tmp_path) -> NodeKeys:  # type: ignore[no-untyped-def]
    return generate(tmp_path / "peer-keys")


def peer_record(
    peer: NodeKeys,
    node_id: str,
    *,
    version: int = 1,
    rid: str | None = None,
    body: dict[str, Any] | None = None,
    tombstone: dict[str, str] | None = None,
    **labels: Any,
) -> dict[str, Any]:
    fields = {
        "id": rid or str(uuid7()),
        "type": "test.note",
        "version": version,
        "origin": peer.node_id,
        "author": "u-peerauth",
        "seq": version,
        "ts": clock.iso(clock.now()),
        "labels": Labels(**labels).model_dump(mode="json", exclude_none=True),
        "audience": {"nodes": [node_id], "groups": []},
        "body": None if tombstone else (body or {"text": f"v{version}"}),
    }
    if tombstone:
        fields["tombstone"] = tombstone
    return env.sign(fields, peer)


def ingest(node, peer: NodeKeys, envelope: dict[str, Any]) -> records.IngestResult:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return records.ingest(
            session,
            envelope=envelope,
            public_keys_for=lambda origin: [peer.signing_public] if origin == peer.node_id else [],
            addressed_to_us=lambda e: node.id in e["audience"]["nodes"],
            actor=SYSTEM,
        )


def test_ingest_is_idempotent_and_ordered_by_version(node, peer) -> None:  # type: ignore[no-untyped-def]
    v1 = peer_record(peer, node.id)
    v2 = peer_record(peer, node.id, version=2, rid=v1["id"])
    assert ingest(node, peer, v2).outcome == "stored"
    assert ingest(node, peer, v2).outcome == "duplicate"
    assert ingest(node, peer, v1).outcome == "stale"  # out of order: older arrives later
    with node.db.transaction() as session:
        row = session.get(StoredRecord, uuid.UUID(v1["id"]))
        assert row.version == 2 and row.envelope == v2  # type: ignore[union-attr]
    assert PROJECTED[v1["id"]] == {"text": "v2"}


def test_ingested_tombstone_purges_and_is_final(node, peer) -> None:  # type: ignore[no-untyped-def]
    v1 = peer_record(peer, node.id)
    ingest(node, peer, v1)
    tomb = peer_record(peer, node.id, version=2, rid=v1["id"], tombstone={"reason": "withdrawn"})
    assert ingest(node, peer, tomb).outcome == "stored"
    v3 = peer_record(peer, node.id, version=3, rid=v1["id"])
    assert ingest(node, peer, v3).outcome == "final"
    with node.db.transaction() as session:
        assert session.get(StoredRecord, uuid.UUID(v1["id"])).state == "revoked"  # type: ignore[union-attr]
        for v in session.scalars(
            select(RecordVersion).where(RecordVersion.record_id == uuid.UUID(v1["id"]))
        ):
            assert v.envelope["body"] is None
    assert v1["id"] not in PROJECTED


def test_ingest_already_expired_keeps_no_body(node, peer) -> None:  # type: ignore[no-untyped-def]
    rec = peer_record(peer, node.id, expires=clock.now() - timedelta(seconds=1))
    ingest(node, peer, rec)
    with node.db.transaction() as session:
        row = session.get(StoredRecord, uuid.UUID(rec["id"]))
        assert row.state == "expired" and row.envelope["body"] is None  # type: ignore[union-attr]


def _count(node) -> int:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return len(
            session.scalars(select(StoredRecord).where(StoredRecord.type == "test.note")).all()
        )


def test_forged_and_foreign_records_store_nothing(node, peer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stranger = generate(tmp_path / "stranger")
    forged = peer_record(peer, node.id)
    forged["body"] = {"text": "tampered"}
    with pytest.raises(SignatureInvalid):
        ingest(node, peer, forged)
    # Signed by a stranger who claims the peer's origin.
    claim = peer_record(stranger, node.id)
    claim = {**claim, "origin": peer.node_id}
    with pytest.raises(SignatureInvalid):
        ingest(node, peer, claim)
    # Unknown origin.
    with pytest.raises(PermissionDenied):
        ingest(node, peer, peer_record(stranger, node.id))
    # Not addressed to us.
    elsewhere = peer_record(peer, "b" * 26)
    with pytest.raises(PermissionDenied):
        ingest(node, peer, elsewhere)
    # Malformed.
    with pytest.raises(InvalidInput):
        ingest(node, peer, {"id": "x"})
    # Invalid body under a valid signature.
    with pytest.raises(InvalidInput):
        ingest(node, peer, peer_record(peer, node.id, body={"text": ""}))
    assert _count(node) == 0


def test_a_peer_cannot_overwrite_another_origins_record(node, peer, author, tmp_path) -> None:  # type: ignore[no-untyped-def]
    own = create(node, author)
    hijack = peer_record(peer, node.id, version=5, rid=own["id"])
    with pytest.raises(PermissionDenied):
        ingest(node, peer, hijack)
    with node.db.transaction() as session:
        assert session.get(StoredRecord, uuid.UUID(own["id"])).origin == node.id  # type: ignore[union-attr]
