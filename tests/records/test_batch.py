"""create_many, the sequence counter, and ingest's shortcut for versions sent again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from corridor.audit import service as audit
from corridor.audit.models import AuditEntry
from corridor.errors import InvalidInput, PermissionDenied, SignatureInvalid
from corridor.keys import NodeKeys, generate
from corridor.records import envelope as env
from corridor.records import service as records
from corridor.records.labels import Labels
from corridor.records.models import RecordVersion, StoredRecord
from corridor.security.principal import SYSTEM
from tests.records.conftest import PROJECTED
from tests.records.test_service import peer_record


@pytest.fixture
def author(make_user):  # type: ignore[no-untyped-def]
    return make_user("investigator")


@pytest.fixture
def hooks() -> Iterator[dict[str, list[Any]]]:
    seen: dict[str, list[Any]] = {"each": [], "batch": []}

    def each(_session: Any, envelope: dict[str, Any]) -> None:
        seen["each"].append(envelope["id"])

    def batch(_session: Any, envelopes: list[dict[str, Any]]) -> None:
        seen["batch"].append([e["id"] for e in envelopes])

    records.OWN_VERSION_HOOKS.append(each)
    records.OWN_BATCH_HOOKS.append(batch)
    try:
        yield seen
    finally:
        records.OWN_VERSION_HOOKS.remove(each)
        records.OWN_BATCH_HOOKS.remove(batch)


def notes(*texts: str, **labels: Any) -> list[records.NewRecord]:
    return [records.NewRecord("test.note", {"text": t}, Labels(**labels)) for t in texts]


def create_one(node, actor, text: str = "one") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return records.create(
            session, node.keys, actor=actor, type="test.note", body={"text": text}, labels=Labels()
        )


def stored_notes(node) -> int:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return session.scalar(
            select(func.count()).select_from(StoredRecord).where(StoredRecord.type == "test.note")
        )


def verify_chain(node) -> audit.VerifyResult:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return audit.verify(session)


# --- create_many ---------------------------------------------------------------------------


def test_create_many_does_everything_create_does(node, author, hooks) -> None:  # type: ignore[no-untyped-def]
    before = create_one(node, author)
    with node.db.transaction() as session:
        made = records.create_many(
            session, node.keys, actor=author, items=notes("a", "b", "c", tlp="GREEN")
        )
    assert [e["body"] for e in made] == [{"text": "a"}, {"text": "b"}, {"text": "c"}]
    assert [e["seq"] for e in made] == [before["seq"] + 1, before["seq"] + 2, before["seq"] + 3]
    assert len({e["id"] for e in made}) == 3
    for e in made:
        env.verify(e, node.keys.signing_public)
        assert e["author"] == author.handle and e["labels"]["tlp"] == "GREEN"
        assert PROJECTED[e["id"]] == e["body"]
    ids = [e["id"] for e in made]
    assert hooks["each"] == [before["id"], *ids] and hooks["batch"] == [[before["id"]], ids]
    with node.db.transaction() as session:
        for e in made:
            row = session.get(StoredRecord, uuid.UUID(e["id"]))
            assert row is not None and row.envelope == e and row.state == "active"
            assert row.tlp == "GREEN" and row.seq == e["seq"]
            history = session.scalars(
                select(RecordVersion).where(RecordVersion.record_id == row.id)
            ).all()
            assert [(v.version, v.envelope) for v in history] == [(1, e)]
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    # One audit entry names every record of the batch.
    assert entry is not None and entry.action == "record.create" and entry.actor == author.handle
    assert entry.object_type == "test.note" and entry.detail["ids"] == ids
    assert verify_chain(node).ok
    # The sequence goes on after the batch.
    assert create_one(node, author)["seq"] == made[-1]["seq"] + 1


def test_one_bad_item_refuses_the_whole_batch(node, author, hooks) -> None:  # type: ignore[no-untyped-def]
    first = create_one(node, author)
    hooks["each"].clear()
    bad_batches = [
        [*notes("fine"), records.NewRecord("test.note", {"text": ""}, Labels())],
        [*notes("fine"), records.NewRecord("no.such.type", {"text": "x"}, Labels())],
        [*notes("fine"), records.NewRecord("test.note", {"text": "x", "extra": 1}, Labels())],
        [*notes("fine"), *notes("secret", purpose="protection")],  # not this role's purpose
    ]
    for items in bad_batches:
        with pytest.raises((InvalidInput, PermissionDenied)), node.db.transaction() as session:
            records.create_many(session, node.keys, actor=author, items=items)
    assert stored_notes(node) == 1 and hooks["each"] == []
    # Refused batches used no sequence numbers.
    assert create_one(node, author)["seq"] == first["seq"] + 1
    assert verify_chain(node).ok


def test_create_many_needs_the_write_permission(node, make_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied), node.db.transaction() as session:
        records.create_many(session, node.keys, actor=make_user("viewer"), items=notes("x"))
    with node.db.transaction() as session:
        assert records.create_many(session, node.keys, actor=SYSTEM, items=[]) == []
    assert stored_notes(node) == 0


def test_records_created_in_a_transaction_can_be_changed_in_it(node, author) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        made = records.create_many(session, node.keys, actor=author, items=notes("a", "b"))
        rid = uuid.UUID(made[0]["id"])
        v2 = records.update(session, node.keys, actor=author, record_id=rid, body={"text": "a2"})
        records.revoke(
            session, node.keys, actor=author, record_id=uuid.UUID(made[1]["id"]), reason="x"
        )
    assert v2["version"] == 2 and v2["seq"] == made[1]["seq"] + 1
    with node.db.transaction() as session:
        row = session.get(StoredRecord, rid)
        assert row is not None and row.version == 2 and row.envelope == v2
        gone = session.get(StoredRecord, uuid.UUID(made[1]["id"]))
        assert gone is not None and gone.state == "revoked"
    assert verify_chain(node).ok


def test_sequence_and_audit_survive_a_rolled_back_savepoint(node, author) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        a = records.create(
            session, node.keys, actor=author, type="test.note", body={"text": "a"}, labels=Labels()
        )
        with pytest.raises(RuntimeError), session.begin_nested():
            records.create_many(session, node.keys, actor=author, items=notes("b", "c"))
            raise RuntimeError("undo the savepoint")
        with session.begin_nested():
            d = records.create_many(session, node.keys, actor=author, items=notes("d"))[0]
        e = records.create(
            session, node.keys, actor=author, type="test.note", body={"text": "e"}, labels=Labels()
        )
    assert [d["seq"], e["seq"]] == [a["seq"] + 1, a["seq"] + 2]
    assert stored_notes(node) == 3
    assert verify_chain(node).ok
    assert create_one(node, author)["seq"] == e["seq"] + 1


def test_a_rolled_back_transaction_leaves_the_counter_alone(node, author) -> None:  # type: ignore[no-untyped-def]
    a = create_one(node, author)
    with pytest.raises(RuntimeError), node.db.transaction() as session:
        records.create_many(session, node.keys, actor=author, items=notes("x", "y"))
        raise RuntimeError
    assert create_one(node, author)["seq"] == a["seq"] + 1
    assert stored_notes(node) == 2


# --- ingest: a version sent again ----------------------------------------------------------


@pytest.fixture
def peer(tmp_path) -> NodeKeys:  # type: ignore[no-untyped-def]
    return generate(tmp_path / "peer-keys")


def receive(
    node,  # type: ignore[no-untyped-def]
    peer: NodeKeys,
    envelopes: list[dict[str, Any]],
    *,
    batch: bool = False,
    known: bool = True,
) -> list[str]:
    """Ingest in one transaction; `batch`: as federation delivery does (rows fetched first)."""
    with node.db.transaction() as session:
        existing: dict[uuid.UUID, StoredRecord] | None = None
        if batch:
            ids = [uuid.UUID(e["id"]) for e in envelopes]
            existing = {
                r.id: r
                for r in session.scalars(select(StoredRecord).where(StoredRecord.id.in_(ids)))
            }
        out = []
        for e in envelopes:
            result = records.ingest(
                session,
                envelope=e,
                public_keys_for=lambda o: (
                    [peer.signing_public] if known and o == peer.node_id else []
                ),
                addressed_to_us=lambda e: node.id in e["audience"]["nodes"],
                actor=SYSTEM,
                existing=existing,
            )
            if existing is not None and result.row is not None:
                existing[result.row.id] = result.row
            out.append(result.outcome)
        return out


@pytest.mark.parametrize("batch", [False, True])
def test_a_version_sent_again_is_acknowledged_without_checking_it_again(
    node, peer, monkeypatch, batch: bool
) -> None:  # type: ignore[no-untyped-def]
    v1 = peer_record(peer, node.id)
    assert receive(node, peer, [v1], batch=batch) == ["stored"]

    def no_verify(*_args: Any) -> None:
        raise AssertionError("verified again")

    monkeypatch.setattr(env, "verify_any", no_verify)
    assert receive(node, peer, [dict(v1)], batch=batch) == ["duplicate"]


@pytest.mark.parametrize("batch", [False, True])
def test_an_altered_copy_of_a_held_version_is_refused(node, peer, batch: bool) -> None:  # type: ignore[no-untyped-def]
    v1 = peer_record(peer, node.id, body={"text": "original"})
    receive(node, peer, [v1])
    forged = {**v1, "body": {"text": "tampered"}}
    with pytest.raises(SignatureInvalid):
        receive(node, peer, [forged], batch=batch)
    # 1 and true are equal in Python but not in a signature: the full checks run and refuse.
    confused = {**v1, "version": True}
    with pytest.raises((SignatureInvalid, InvalidInput)):
        receive(node, peer, [confused], batch=batch)
    with node.db.transaction() as session:
        row = session.get(StoredRecord, uuid.UUID(v1["id"]))
        assert row is not None and row.envelope == v1


def test_a_version_sent_again_by_an_origin_no_longer_known_is_refused(node, peer) -> None:  # type: ignore[no-untyped-def]
    v1 = peer_record(peer, node.id)
    receive(node, peer, [v1])
    with pytest.raises(PermissionDenied):
        receive(node, peer, [v1], known=False)


def test_tombstone_sent_again_is_final(node, peer) -> None:  # type: ignore[no-untyped-def]
    v1 = peer_record(peer, node.id)
    tomb = peer_record(peer, node.id, version=2, rid=v1["id"], tombstone={"reason": "withdrawn"})
    assert receive(node, peer, [v1, tomb]) == ["stored", "stored"]
    assert receive(node, peer, [tomb, v1]) == ["final", "final"]


@pytest.mark.parametrize("batch", [False, True])
def test_versions_of_one_record_in_one_batch(node, peer, batch: bool) -> None:  # type: ignore[no-untyped-def]
    v1 = peer_record(peer, node.id)
    v2 = peer_record(peer, node.id, version=2, rid=v1["id"])
    v3 = peer_record(peer, node.id, version=3, rid=v1["id"])
    assert receive(node, peer, [v1, v2, v1, v3, v2], batch=batch) == [
        "stored",
        "stored",
        "stale",
        "stored",
        "stale",
    ]
    with node.db.transaction() as session:
        row = session.get(StoredRecord, uuid.UUID(v1["id"]))
        assert row is not None and row.version == 3 and row.envelope == v3
        versions = session.scalars(
            select(RecordVersion.version).where(RecordVersion.record_id == row.id)
        ).all()
    assert sorted(versions) == [1, 2, 3]
    assert PROJECTED[v1["id"]] == v3["body"]
