"""The audit head witnessed by peers: signed checkpoints go to every approved peer when the head
moved, peers keep them and flag one that contradicts another, the origin alone may fetch them
back, and `verify --peers` catches a chain and head rewritten consistently in the store."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corridor import clock
from corridor.audit import service as audit
from corridor.audit.models import AuditCheckpoint, AuditEntry
from corridor.cli import audit as cli_audit
from corridor.cli import main as cli_main
from corridor.db import driver_sql
from corridor.errors import Conflict
from corridor.federation import checkpoints, delivery, transport
from corridor.federation.models import OutboxItem
from corridor.federation.peers import set_state
from corridor.node.service import Node
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.models import User
from corridor.security.principal import CLI, SYSTEM


def _checkpoints(node: Node, origin: str) -> list[AuditCheckpoint]:
    with node.db.reading() as s:
        rows = s.scalars(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.origin == origin)
            .order_by(AuditCheckpoint.signed_at)
        )
        return list(rows)


def _own_checkpoint_records(node: Node) -> list[dict[str, Any]]:
    with node.db.reading() as s:
        rows = s.scalars(
            select(StoredRecord)
            .where(StoredRecord.type == checkpoints.CHECKPOINT_TYPE, StoredRecord.origin == node.id)
            .order_by(StoredRecord.seq)
        )
        return [r.envelope for r in rows]


def _head(node: Node) -> tuple[int, str]:
    with node.db.transaction() as s:
        return audit.head(s)


def _forge(node: Node, seq: int, digest: str, *, to: str) -> dict[str, Any]:
    """A checkpoint signed by the node with a head of our choosing (what a node whose log was
    rewritten signs after the rewrite)."""
    with node.db.transaction() as s:
        return records.create(
            s,
            node.keys,
            actor=SYSTEM,
            type=checkpoints.CHECKPOINT_TYPE,
            body={"node": node.id, "seq": seq, "hash": digest, "at": clock.iso(clock.now())},
            labels=Labels(tlp="GREEN", purpose="cooperation"),
            audience=Audience(nodes=[to]),
        )


def _forks(node: Node) -> list[AuditEntry]:
    with node.db.reading() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "audit.fork")))


def test_checkpoint_is_signed_for_peers_only_when_the_head_moved(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    seq, digest = _head(a)
    checkpoints.checkpoint_job(a, {})
    (first,) = _own_checkpoint_records(a)
    assert first["body"] == {"node": a.id, "seq": seq, "hash": digest, "at": first["body"]["at"]}
    assert first["audience"]["nodes"] == [b.id] and first["origin"] == a.id
    assert first["labels"]["tlp"] == "GREEN" and first["labels"]["purpose"] == "cooperation"
    with a.db.reading() as s:
        assert s.scalar(select(OutboxItem.recipient).where(OutboxItem.record_id.isnot(None))) == (
            b.id
        )
    # Nothing but the checkpoint's own creation was audited since: nothing to sign.
    checkpoints.checkpoint_job(a, {})
    assert len(_own_checkpoint_records(a)) == 1
    audit.append_now(a.db, actor=CLI, action="test.something")
    checkpoints.checkpoint_job(a, {})
    second = _own_checkpoint_records(a)[-1]
    assert second["body"]["seq"] == _head(a)[0] - 1 > seq
    # Without an approved peer there is no one to witness it.
    with a.db.transaction() as s:
        set_state(s, actor=CLI, node_id=b.id, state="suspended")
    audit.append_now(a.db, actor=CLI, action="test.something")
    checkpoints.checkpoint_job(a, {})
    assert len(_own_checkpoint_records(a)) == 2


def test_checkpoint_job_is_periodic() -> None:
    from corridor.jobs.queue import HANDLERS

    assert HANDLERS[checkpoints.JOB].every == timedelta(minutes=15)


def test_receiver_keeps_checkpoints_and_flags_a_rewritten_log(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    (kept,) = _checkpoints(b, a.id)
    seq, digest = _head(a)
    assert kept.fork is None and kept.seq < seq
    assert kept.envelope == _own_checkpoint_records(a)[0]
    # A later, higher head is the log growing: kept, not flagged.
    _forge(a, seq, digest, to=b.id)
    delivery.push_to(a, b.id, http=to_b)
    assert [c.fork for c in _checkpoints(b, a.id)] == [None, None]
    assert _forks(b) == []
    # The same seq with another hash: the entry was rewritten.
    conflicting = _forge(a, kept.seq, "f" * 64, to=b.id)
    delivery.push_to(a, b.id, http=to_b)
    flagged = _checkpoints(b, a.id)[-1]
    assert str(flagged.record_id) == conflicting["id"] and flagged.fork == kept.record_id
    (fork,) = _forks(b)
    assert fork.outcome == "error" and fork.object_id == a.id
    assert fork.detail["seq"] == kept.seq and fork.detail["contradicts"] == str(kept.record_id)
    # Signed later with a lower seq: the log went backwards (truncated, or restored).
    _forge(a, 1, "e" * 64, to=b.id)
    delivery.push_to(a, b.id, http=to_b)
    assert _checkpoints(b, a.id)[-1].fork == kept.record_id
    assert len(_forks(b)) == 2
    # Every checkpoint is kept, the contradicting ones too: they are the evidence.
    assert len(_checkpoints(b, a.id)) == 4


def test_checkpoints_arriving_out_of_order_are_no_fork(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    first = _forge(a, 5, "a" * 64, to=b.id)
    second = _forge(a, 9, "b" * 64, to=b.id)
    with a.db.reading() as s:
        positions = dict(s.execute(select(OutboxItem.record_id, OutboxItem.position)).all())
    late_first = [
        delivery.Item(position=positions[uuid.UUID(e["id"])], record=e) for e in (second, first)
    ]
    for item in late_first:
        delivery.receive_items(b, a.id, [item])
    assert [c.seq for c in _checkpoints(b, a.id)] == [5, 9]
    assert all(c.fork is None for c in _checkpoints(b, a.id)) and _forks(b) == []


def test_a_checkpoint_naming_another_node_is_refused(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    with a.db.transaction() as s:
        records.create(
            s,
            a.keys,
            actor=SYSTEM,
            type=checkpoints.CHECKPOINT_TYPE,
            body={"node": b.id, "seq": 3, "hash": "c" * 64, "at": clock.iso(clock.now())},
            labels=Labels(tlp="GREEN", purpose="cooperation"),
            audience=Audience(nodes=[b.id]),
        )
    delivery.push_to(a, b.id, http=to_b)
    assert _checkpoints(b, a.id) == [] and _checkpoints(b, b.id) == []
    with a.db.reading() as s:
        assert s.scalar(select(OutboxItem.state)) == "rejected"


def test_checkpoints_are_never_revoked(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    cp = _forge(a, 2, "d" * 64, to=b.id)
    with pytest.raises(Conflict, match="never revoked"), a.db.transaction() as s:
        records.revoke(s, a.keys, actor=SYSTEM, record_id=uuid.UUID(cp["id"]), reason="gone")


def _ask(asker: Node, holder_id: str, http: httpx.Client, origin: str) -> httpx.Response:
    return transport.send(
        http,
        "GET",
        "http://peer" + checkpoints.PATH,
        asker.keys,
        to=holder_id,
        params={"origin": origin},
    )


def test_endpoint_answers_the_origin_and_refuses_others(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    checkpoints.checkpoint_job(b, {})
    delivery.push_to(b, a.id, http=to_a)
    resp = _ask(a, b.id, to_b, a.id)
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["checkpoints"] == _own_checkpoint_records(a) and answer["next"] is None
    # B's checkpoints held by A are B's records: A may not hand them to a third party, and
    # here A asks B about a node other than the asker (B itself).
    refused = _ask(b, a.id, to_a, a.id)
    assert refused.status_code == 403
    with a.db.reading() as s:
        denied = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "federation.refused", AuditEntry.actor == f"peer:{b.id}")
        )
    assert denied == 1
    unsigned = to_b.get(checkpoints.PATH, params={"origin": a.id})
    assert unsigned.status_code == 401


def test_endpoint_pages_through_many_checkpoints(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    for n in range(1, 6):
        _forge(a, n, f"{n:064x}", to=b.id)
    delivery.push_to(a, b.id, http=to_b)
    with b.db.reading() as s:
        page1 = checkpoints.held_page(s, a.id, limit=3)
        page2 = checkpoints.held_page(s, a.id, after=uuid.UUID(page1["next"]))
    assert [c["body"]["seq"] for c in page1["checkpoints"] + page2["checkpoints"]] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert page2["next"] is None


def _rewrite_chain(node: Node, seq: int) -> None:
    """What a database administrator can do: alter one entry and recompute every later link
    and the head row, so that the chain verifies again."""
    with node.db.transaction() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.seq >= seq).order_by("seq")))
        prev = s.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq - 1)) or audit.GENESIS
        rows[0].detail = {**rows[0].detail, "rewritten": True}
        for row in rows:
            row.prev_hash = prev
            row.hash = audit._entry_hash(audit._fields(row))
            prev = row.hash
        s.flush()
        driver_sql(s, "UPDATE audit_head SET hash = ? WHERE id = 1", (prev,))


def test_verify_with_peers_catches_a_consistently_rewritten_log(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    audit.append_now(a.db, actor=CLI, action="test.something")
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    signed = [c.seq for c in _checkpoints(b, a.id)]
    (honest,) = checkpoints.verify_with_peers(a, http=to_b)
    assert honest.reachable and honest.checked == 2 and honest.mismatches == []
    assert cli_audit._audit_verify_peers(a, http=to_b) is True

    _rewrite_chain(a, 2)
    with a.db.transaction() as s:
        assert audit.verify(s).ok  # the local check alone sees nothing
    (report,) = checkpoints.verify_with_peers(a, http=to_b)
    assert report.reachable and report.checked == 2
    assert [m.seq for m in report.mismatches] == signed
    assert all(m.local is not None and m.local != m.signed for m in report.mismatches)
    assert cli_audit._audit_verify_peers(a, http=to_b) is False


def test_verify_with_peers_sees_a_truncated_log(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    for _ in range(3):
        audit.append_now(a.db, actor=CLI, action="test.something")
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    (cp,) = _checkpoints(b, a.id)
    with a.db.transaction() as s:
        s.execute(AuditEntry.__table__.delete().where(AuditEntry.seq >= cp.seq))
        last = s.scalar(select(AuditEntry).where(AuditEntry.seq == cp.seq - 1))
        driver_sql(s, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (last.seq, last.hash))
    with a.db.transaction() as s:
        assert audit.verify(s).ok
    (report,) = checkpoints.verify_with_peers(a, http=to_b)
    assert report.mismatches == [checkpoints.Mismatch(cp.seq, cp.hash, None)]


def test_verify_with_peers_reports_a_peer_that_is_down(pair) -> None:  # type: ignore[no-untyped-def]
    a = pair[0]

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(down)) as http:
        (report,) = checkpoints.verify_with_peers(a, http=http)
        assert not report.reachable and "refused" in report.error
        assert cli_audit._audit_verify_peers(a, http=http) is True  # reported, not fatal


def test_verify_with_peers_ignores_envelopes_this_node_did_not_sign(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    (real,) = _own_checkpoint_records(a)
    forged = {**real, "body": {**real["body"], "hash": "0" * 64}}

    def lying_peer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"checkpoints": [real, forged], "next": None})

    with httpx.Client(transport=httpx.MockTransport(lying_peer)) as http:
        (report,) = checkpoints.verify_with_peers(a, http=http)
    assert report.reachable and report.checked == 1 and report.invalid == 1
    assert report.mismatches == []


def test_cli_verify_peers_passes_then_fails_after_a_rewrite(pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from corridor.web.app import create_app

    a, b, _, to_b = pair
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    # The command builds its own client (the real one); here it reaches B in process.
    monkeypatch.setattr(transport, "client", lambda: TestClient(create_app(b)))
    verify = ["audit", "verify", "--peers", "--data-dir", str(a.config.data_dir)]
    runner = CliRunner()
    r = runner.invoke(cli_main.app, verify, env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    assert "audit log intact" in r.output and "1 checkpoints match" in r.output
    _rewrite_chain(a, 2)
    r = runner.invoke(cli_main.app, verify, env={"COLUMNS": "250"})
    assert r.exit_code == 1, r.output
    assert "audit log intact" in r.output and "do not match the local chain" in r.output
    (cp,) = _checkpoints(b, a.id)
    assert f"entries {cp.seq})" in r.output


def test_a_fork_is_shown_and_announced_to_administrators(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from corridor.cooperation.notifications.models import Notification
    from corridor.web.app import create_app
    from tests.web.conftest import web_login

    a, b, to_a, _ = pair
    admin = make_user("administrator", email="admin@test.example")
    analyst = make_user("analyst")
    _forge(b, 7, "a" * 64, to=a.id)
    _forge(b, 7, "b" * 64, to=a.id)
    delivery.push_to(b, a.id, http=to_a)
    with a.db.reading() as s:
        told = s.execute(
            select(Notification.user_id, Notification.params, Notification.urgent).where(
                Notification.kind == "audit.fork"
            )
        ).all()
        handles = {
            h for (h,) in s.execute(select(User.handle).where(User.id.in_([t[0] for t in told])))
        }
    assert admin.handle in handles and analyst.handle not in handles
    assert all(t.urgent and "Jandarma Van" in t.params["node"] for t in told)
    with TestClient(create_app(a), base_url="http://127.0.0.1:8080") as web:
        web_login(web, "admin@test.example")
        page = web.get("/admin/node").text
    assert "contradict what they signed before" in page and f"<code>{b.id}</code>" in page
    assert "a" * 16 in page and "b" * 16 in page


def test_quiet_peers_do_not_prompt_each_other_forever(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    checkpoints.checkpoint_job(a, {})
    delivery.push_to(a, b.id, http=to_b)
    checkpoints.checkpoint_job(b, {})
    delivery.push_to(b, a.id, http=to_a)
    # Each side audited the other's checkpoint as received: that alone is nothing to sign.
    with a.db.reading() as s:
        received = s.scalars(select(AuditEntry).where(AuditEntry.action == "record.receive")).all()
    assert received
    for _ in range(2):
        checkpoints.checkpoint_job(a, {})
        checkpoints.checkpoint_job(b, {})
        delivery.push_to(a, b.id, http=to_b)
        delivery.push_to(b, a.id, http=to_a)
    assert len(_own_checkpoint_records(a)) == 1 and len(_own_checkpoint_records(b)) == 1
    # Anything else received counts.
    with b.db.transaction() as s:
        records.create(
            s,
            b.keys,
            actor=SYSTEM,
            type="message",
            body={"subject": "s", "text": "t"},
            labels=Labels(tlp="GREEN", purpose="cooperation"),
            audience=Audience(nodes=[a.id]),
        )
    delivery.push_to(b, a.id, http=to_a)
    checkpoints.checkpoint_job(a, {})
    assert len(_own_checkpoint_records(a)) == 2
