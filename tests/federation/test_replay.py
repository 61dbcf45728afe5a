"""A signed federation request is accepted once: its nonce is remembered for the signature's
lifetime (on the receiving node's store, SQLite or PostgreSQL: node A of `pair`)."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from http_message_signatures import HTTPMessageSigner, algorithms
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.federation import nonces, transport
from corridor.federation.models import SeenNonce
from corridor.node.service import init_node
from tests.conftest import peer_all
from tests.federation.conftest import note

FEED = "http://testserver/federation/v1/feed"


def signed_feed_request(client: TestClient, sender, to: str) -> httpx.Request:  # type: ignore[no-untyped-def]
    request = client.build_request("GET", FEED, params={"since": 0})
    transport.sign(request, sender.keys, to=to, body=b"")
    return request


def refusal_reasons(node) -> list[str]:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "federation.refused")
        )
        return [str(e.detail["reason"]) for e in entries]


def stored_nonces(node) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        return [(n.origin, n.nonce) for n in session.scalars(select(SeenNonce))]


def test_a_replayed_request_is_refused_and_audited(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    rec = note(b, [a.id], "boat leaving Zuwara tonight")
    body = (
        b'{"items": [{"position": 1, "record": %s}]}'
        % httpx.Request("POST", "http://x", json=rec).content
    )
    request = to_a.build_request("POST", "http://testserver/federation/v1/inbox", content=body)
    transport.sign(request, b.keys, to=a.id, body=body)
    first = to_a.send(request)
    assert first.status_code == 200, first.text
    assert [r["outcome"] for r in first.json()["results"]] == ["stored"]
    again = to_a.send(request)
    assert again.status_code == 401
    assert again.headers["content-type"].startswith("application/problem+json")
    problem = again.json()
    assert problem["title"] == "Replayed request"
    assert problem["type"] == "urn:corridor:problem:replayed-request"
    assert "replayed request" in problem["detail"]
    assert [r for r in refusal_reasons(a) if "replayed" in r] == [problem["detail"]]
    # A fresh signature of the same content is a new request, and accepted.
    fresh = to_a.build_request("POST", "http://testserver/federation/v1/inbox", content=body)
    transport.sign(fresh, b.keys, to=a.id, body=body)
    assert to_a.send(fresh).status_code == 200
    assert len(stored_nonces(a)) == 2


def test_fresh_requests_are_accepted_and_each_nonce_differs(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    for _ in range(3):
        assert to_a.send(signed_feed_request(to_a, b, a.id)).status_code == 200
    seen = stored_nonces(a)
    assert len({n for _, n in seen}) == 3 and {o for o, _ in seen} == {b.id}
    assert all(transport.NONCE.fullmatch(n) and len(n) >= 22 for _, n in seen)


def test_a_request_without_nonce_is_refused(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    request = to_a.build_request("GET", FEED, params={"since": 0})
    request.headers["corridor-to"] = a.id
    HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=transport._Resolver(private=b.keys),
    ).sign(
        request,
        key_id=b.keys.node_id,
        created=clock.now(),
        label=transport.LABEL,
        tag=transport.TAG,
        covered_component_ids=transport.COMPONENTS,
        body=b"",
    )
    r = to_a.send(request)
    assert r.status_code == 401 and "no nonce" in r.json()["detail"]
    assert any("no nonce" in reason for reason in refusal_reasons(a))
    assert stored_nonces(a) == []


def test_the_nonce_is_covered_by_the_signature(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    request = signed_feed_request(to_a, b, a.id)
    used = request.headers["signature-input"]
    nonce = used.split('nonce="', 1)[1].split('"', 1)[0]
    # The captured request, its nonce changed to pass the replay check: the signature breaks.
    request.headers["signature-input"] = used.replace(nonce, "A" * 22)
    r = to_a.send(request)
    assert r.status_code == 401 and "does not verify" in r.json()["detail"]
    assert stored_nonces(a) == []


def test_the_same_nonce_from_another_origin_is_not_a_replay(  # type: ignore[no-untyped-def]
    pair, tmp_path, monkeypatch
) -> None:
    a, b, to_a, _ = pair
    c = init_node(tmp_path / "third", name="Third", org="Third agency", country="GR").node
    try:
        peer_all(a, c)
        # Every signature now carries the same nonce, whoever signs.
        monkeypatch.setattr(transport.secrets, "token_urlsafe", lambda n: "the-same-nonce-0123")
        assert to_a.send(signed_feed_request(to_a, b, a.id)).status_code == 200
        assert to_a.send(signed_feed_request(to_a, c, a.id)).status_code == 200
        # A new signature by B with the nonce B used already is refused all the same.
        r = to_a.send(signed_feed_request(to_a, b, a.id))
        assert r.status_code == 401 and r.json()["title"] == "Replayed request"
        assert sorted(stored_nonces(a)) == sorted(
            [(b.id, "the-same-nonce-0123"), (c.id, "the-same-nonce-0123")]
        )
    finally:
        c.close()


def test_concurrent_claims_of_one_nonce_let_exactly_one_through(node) -> None:  # type: ignore[no-untyped-def]
    until = clock.now() + timedelta(minutes=5)
    start = threading.Barrier(4)
    results: list[bool] = []

    def claim() -> None:
        start.wait()
        results.append(nonces.claim(node.db, "b" * 26, "n" * 22, until))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]


def test_expired_nonces_are_pruned_by_their_periodic_job(pair, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    old = signed_feed_request(to_a, b, a.id)
    assert to_a.send(old).status_code == 200
    # Signatures are checked against the real time, so a later one is claimed directly.
    assert nonces.claim(a.db, b.id, "a-later-request-nonce", clock.now() + timedelta(minutes=10))
    assert len(stored_nonces(a)) == 2
    shift_clock(timedelta(minutes=4))
    nonces.prune_job(a, {})
    assert len(stored_nonces(a)) == 2  # both signatures can still verify
    shift_clock(timedelta(minutes=3))  # the first one's window (5 min + 1 min margin) is over
    nonces.prune_job(a, {})
    assert stored_nonces(a) == [(b.id, "a-later-request-nonce")]
    shift_clock(timedelta(minutes=4))
    nonces.prune_job(a, {})
    assert stored_nonces(a) == []


@pytest.mark.parametrize("nonce", ["short", "x" * 65, "not base64url!!!!!!!"])
def test_malformed_nonces_are_refused(pair, monkeypatch, nonce: str) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    monkeypatch.setattr(transport.secrets, "token_urlsafe", lambda n: nonce)
    r = to_a.send(signed_feed_request(to_a, b, a.id))
    assert r.status_code == 401 and "no nonce" in r.json()["detail"]
