from __future__ import annotations

import json
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from corridor.audit.models import AuditEntry
from corridor.errors import InvalidInput
from corridor.federation import delivery, transport
from corridor.federation.models import OutboxItem, Peer
from corridor.federation.peers import set_state
from corridor.jobs.models import Job
from corridor.keys import generate
from corridor.records import envelope as env
from corridor.records import service as records
from corridor.records.models import StoredRecord
from corridor.security.principal import CLI, SYSTEM
from tests.federation.conftest import note


def held(node, rid: str) -> StoredRecord | None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return session.get(StoredRecord, uuid.UUID(rid))


def outbox(node) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return [
            (o.position, o.state)
            for o in session.scalars(select(OutboxItem).order_by(OutboxItem.position))
        ]


def test_push_delivers_once_and_revocation_follows(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    rec = note(a, [b.id], "boat leaving Zuwara tonight")
    assert outbox(a) == [(1, "pending")]
    assert delivery.push_to(a, b.id, http=to_b) == 1
    got = held(b, rec["id"])
    assert got is not None and got.envelope == rec and got.state == "active"
    assert outbox(a) == [(1, "delivered")]
    with b.db.transaction() as session:
        assert session.get(Peer, a.id).received_position == 1  # type: ignore[union-attr]
    # Sending the same version again changes nothing.
    with a.db.transaction() as session:
        session.execute(update(OutboxItem).values(state="pending"))
    delivery.push_to(a, b.id, http=to_b)
    # The origin revokes: the tombstone reaches B and the body is purged there.
    with a.db.transaction() as session:
        records.revoke(
            session, a.keys, actor=SYSTEM, record_id=uuid.UUID(rec["id"]), reason="sent in error"
        )
    delivery.push_to(a, b.id, http=to_b)
    got = held(b, rec["id"])
    assert got is not None and got.state == "revoked" and got.envelope["body"] is None


def test_pull_catches_up_and_acknowledges(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    ids = [note(a, [b.id], f"n{i}")["id"] for i in range(5)]
    assert delivery.pull_from(b, a.id, http=to_a) == 5
    assert all(held(b, i) is not None for i in ids)
    assert delivery.pull_from(b, a.id, http=to_a) == 0  # acknowledges position 5
    assert {s for _, s in outbox(a)} == {"delivered"}


def test_a_gap_triggers_a_pull(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    first = note(a, [b.id], "one")
    note(a, [b.id], "two")
    with a.db.transaction() as session:  # position 1 lost on the way
        session.execute(
            update(OutboxItem).where(OutboxItem.position == 1).values(state="delivered")
        )
    delivery.push_to(a, b.id, http=to_b)
    assert held(b, first["id"]) is None
    with b.db.transaction() as session:
        assert session.get(Peer, a.id).received_position == 0  # type: ignore[union-attr]
        pulls = session.scalars(select(Job).where(Job.kind == "federation.pull")).all()
    assert len(pulls) == 1


def test_records_only_go_to_known_peers(pair) -> None:  # type: ignore[no-untyped-def]
    a, _, _, _ = pair
    with pytest.raises(InvalidInput) as exc:
        note(a, ["z" * 26])
    assert "peer with them first" in exc.value.detail
    with a.db.transaction() as session:
        assert (
            session.scalars(select(StoredRecord).where(StoredRecord.type == "test.fed")).all() == []
        )


def test_suspended_peer_gets_nothing_until_approved_again(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    with a.db.transaction() as session:
        set_state(session, actor=CLI, node_id=b.id, state="suspended")
    rec = note(a, [b.id])
    assert delivery.push_to(a, b.id, http=to_b) == 0 and held(b, rec["id"]) is None
    with a.db.transaction() as session:
        set_state(session, actor=CLI, node_id=b.id, state="approved")
    assert delivery.push_to(a, b.id, http=to_b) == 1


# --- attacks on the inbox ----------------------------------------------------------------


def signed_post(sender_keys, to_id: str, client, body: bytes, path: str = "/federation/v1/inbox"):  # type: ignore[no-untyped-def]
    return transport.send(
        client, "POST", "http://testserver" + path, sender_keys, to=to_id, body=body
    )


def batch(*records_: dict) -> bytes:  # type: ignore[type-arg]
    return json.dumps(
        {"items": [{"position": i + 1, "record": r} for i, r in enumerate(records_)]}
    ).encode()


def refusals(node) -> list[str]:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        return list(
            session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.action.startswith("federation."), AuditEntry.outcome == "denied"
                )
            )
        )


def test_unsigned_and_forged_requests_are_refused(pair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    rec = note(a, [b.id])
    body = batch(rec)
    r = to_b.post("/federation/v1/inbox", content=body)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem")
    stranger = generate(tmp_path / "stranger")
    assert signed_post(stranger, b.id, to_b, body).status_code == 401
    assert signed_post(a.keys, "c" * 26, to_b, body).status_code == 401  # for another node
    req = to_b.build_request("POST", "http://testserver/federation/v1/inbox", content=body)
    transport.sign(req, a.keys, to=b.id, body=body)
    tampered = to_b.build_request(
        "POST",
        "http://testserver/federation/v1/inbox",
        content=body.replace(b"hello", b"HELLO"),
        headers=dict(req.headers),
    )
    assert to_b.send(tampered).status_code == 401
    assert held(b, rec["id"]) is None
    assert len(refusals(b)) == 4


def test_clock_skew_is_bounded(pair, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    body = batch(note(a, [b.id]))
    shift_clock(timedelta(minutes=10))  # both nodes share this clock: sign "in the future"
    req = to_b.build_request("POST", "http://testserver/federation/v1/inbox", content=body)
    transport.sign(req, a.keys, to=b.id, body=body)
    shift_clock(timedelta(minutes=-10))
    assert to_b.send(req).status_code == 401
    shift_clock(timedelta(minutes=-10))  # now an old signature: replay window passed
    req = to_b.build_request("POST", "http://testserver/federation/v1/inbox", content=body)
    transport.sign(req, a.keys, to=b.id, body=body)
    shift_clock(timedelta(minutes=10))
    assert to_b.send(req).status_code == 401


def test_bad_items_are_rejected_one_by_one(pair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    good = note(a, [b.id], "good")
    forged = {**note(a, [b.id], "x"), "body": {"text": "forged"}}
    not_for_b = note(a, [], "local only")
    # A record of another origin, relayed by A: the third-party rule forbids it.
    relayed = {**good, "origin": "d" * 26}
    r = signed_post(a.keys, b.id, to_b, batch(good, forged, not_for_b, relayed))
    assert r.status_code == 200
    outcomes = [x["outcome"] for x in r.json()["results"]]
    assert outcomes == ["stored", "rejected", "rejected", "rejected"]
    assert held(b, good["id"]) is not None
    assert held(b, forged["id"]) is None and held(b, not_for_b["id"]) is None
    assert refusals(b).count("federation.reject") == 3


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b'{"items": "x"}',
        b'{"items": [{"position": 0, "record": {}}]}',
        json.dumps({"items": [{"position": i + 1, "record": {}} for i in range(1001)]}).encode(),
    ],
)
def test_malformed_batches_store_nothing(pair, body: bytes) -> None:  # type: ignore[no-untyped-def]
    a, b, _, to_b = pair
    r = signed_post(a.keys, b.id, to_b, body)
    assert r.status_code in (400, 422)
    with b.db.transaction() as session:
        assert session.scalars(select(StoredRecord).where(StoredRecord.origin == a.id)).all() == []


def test_feed_needs_a_signature_too(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    note(a, [b.id])
    assert to_a.get("/federation/v1/feed?since=0").status_code == 401
    r = transport.send(
        to_a, "GET", "http://testserver/federation/v1/feed", b.keys, to=a.id, params={"since": 0}
    )
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    env.verify(r.json()["items"][0]["record"], a.keys.signing_public)


def test_unreachable_peer_is_noted_and_retried(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _, _ = pair
    with a.db.transaction() as session:
        session.get(Peer, b.id).url = "http://127.0.0.1:9"  # type: ignore[union-attr]
    note(a, [b.id])
    with pytest.raises(delivery.DeliveryFailed), httpx.Client(timeout=2) as http:
        delivery.push_to(a, b.id, http=http)
    with a.db.transaction() as session:
        peer = session.get(Peer, b.id)
        assert peer is not None and "unreachable" in (peer.last_error or "")
    assert outbox(a) == [(1, "pending")]


def test_groups_expand_to_members_and_removed_members_stop_receiving(pair) -> None:  # type: ignore[no-untyped-def]
    from corridor.federation.groups import create_group, set_members
    from corridor.records.labels import Audience, Labels

    a, b, _, to_b = pair
    with a.db.transaction() as session:
        group = create_group(
            session, a.keys, actor=CLI, name="Eastern Mediterranean route", members=[b.id]
        )
    assert group["audience"]["nodes"] == [b.id]
    with a.db.transaction() as session:
        rec = records.create(
            session,
            a.keys,
            actor=SYSTEM,
            type="test.fed",
            body={"text": "to the group"},
            labels=Labels(),
            audience=Audience(groups=[group["id"]]),
        )
    assert rec["audience"] == {"nodes": [b.id], "groups": [group["id"]]}
    delivery.push_to(a, b.id, http=to_b)
    assert held(b, rec["id"]) is not None and held(b, group["id"]) is not None
    with a.db.transaction() as session:
        v2 = set_members(session, a.keys, actor=CLI, group_id=uuid.UUID(group["id"]), members=[])
    assert v2["audience"]["nodes"] == [b.id]  # the removed member learns it was removed
    with a.db.transaction() as session:
        later = records.create(
            session,
            a.keys,
            actor=SYSTEM,
            type="test.fed",
            body={"text": "after removal"},
            labels=Labels(),
            audience=Audience(groups=[group["id"]]),
        )
    assert later["audience"]["nodes"] == []
    delivery.push_to(a, b.id, http=to_b)
    assert held(b, later["id"]) is None
    assert held(b, group["id"]).envelope["version"] == 2  # type: ignore[union-attr]


def test_contact_from_a_peer_wakes_a_push_waiting_in_backoff(pair) -> None:  # type: ignore[no-untyped-def]
    from corridor import clock
    from corridor.jobs.worker import Worker

    a, b, _, _ = pair
    with a.db.transaction() as session:
        session.get(Peer, b.id).url = "http://127.0.0.1:9"  # type: ignore[union-attr]
    note(a, [b.id])
    Worker(a).run_pending()  # the push fails: retried later
    with a.db.transaction() as session:
        job = session.scalars(select(Job).where(Job.dedupe_key == f"push:{b.id}")).one()
        assert job.state == "queued" and job.run_after > clock.now()
    with a.db.transaction() as session:  # B calls in (a push or a pull reaches A)
        delivery._advance(session, b.id, [])
    with a.db.transaction() as session:
        job = session.scalars(select(Job).where(Job.dedupe_key == f"push:{b.id}")).one()
        assert job.run_after <= clock.now()


def test_batches_stay_within_the_byte_budget(pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    sizes = [len(json.dumps(note(a, [b.id], "x" * 900 + str(i)))) + 32 for i in range(5)]
    monkeypatch.setattr(delivery, "BATCH_BYTES", max(sizes) * 2 + 100)  # two per batch
    page = delivery.serve_feed(a, b.id, 0, 500)
    assert [i["position"] for i in page["items"]] == [1, 2] and page["more"]
    assert page["next"] == 2
    assert delivery.pull_from(b, a.id, http=to_a) == 5
    note(a, [b.id], "y" * 900)
    # The pull acknowledged positions 1-4 (its last request asked from 4); 5 is sent again
    # (a duplicate at B, answered as such) together with the new 6.
    assert delivery.push_to(a, b.id, http=to_b) == 2
