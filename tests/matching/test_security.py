"""Attacks on hit/no-hit: a member holding another's whole published index cannot confirm a
guess without the holder; replayed and over-quota evaluations are refused; a node that is not
peered, or no longer approved, gets nothing; garbage is refused by name."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from corridor.audit.models import AuditEntry
from corridor.config import MatchingLimits
from corridor.federation import transport
from corridor.federation.peers import set_state
from corridor.matching import oprf
from corridor.matching.index import tag_of
from corridor.matching.models import PartnerEntry
from corridor.matching.selectors import of_query
from corridor.node.service import init_node
from corridor.security.principal import CLI
from tests.conftest import peer_all
from tests.matching.test_check import PHONE, check


def _tags(node) -> set[bytes]:  # type: ignore[no-untyped-def]
    with node.db.reading() as s:
        return set(s.scalars(select(PartnerEntry.tag)))


def _evaluate_request(client, signer, to: str, elements: list[bytes]) -> httpx.Request:  # type: ignore[no-untyped-def]
    body = json.dumps({"elements": [base64.b64encode(e).decode() for e in elements]}).encode()
    request = client.build_request(
        "POST", "http://testserver/federation/v1/matching/evaluate", content=body
    )
    transport.sign(request, signer.keys, to=to, body=body)
    return request


def test_the_whole_index_does_not_confirm_a_guess_without_the_holder(held) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a = held["a"], held["b"], held["to_a"]
    index = _tags(b)
    assert len(index) >= 6  # B holds every entry A published
    guess = of_query("phone", PHONE)[0].oprf_input()
    # Everything B can compute alone: plain hashes, keyed hashes under any key B could know,
    # the OPRF under B's own key. None of it is in A's index.
    offline = [
        hashlib.sha512(guess).digest(),
        hashlib.sha256(guess).digest(),
        hmac.new(b.keys.node_id.encode(), guess, hashlib.sha512).digest(),
        hmac.new(a.keys.node_id.encode(), guess, hashlib.sha512).digest(),
        oprf.evaluate(oprf.new_key(), guess),
    ]
    assert not {tag_of(o) for o in offline} & index
    # Only A's evaluation, asked for and audited at A, turns the guess into A's tag.
    blinded = oprf.blind(guess)
    r = to_a.send(_evaluate_request(to_a, b, a.id, [blinded.element]))
    assert r.status_code == 200, r.text
    evaluated = base64.b64decode(r.json()["elements"][0])
    assert tag_of(oprf.finalize(blinded, evaluated)) in index
    with a.db.reading() as s:
        asked = s.scalars(select(AuditEntry).where(AuditEntry.action == "matching.evaluate")).all()
        assert [(e.actor, e.detail["count"]) for e in asked] == [(f"peer:{b.id}", 1)]


def test_a_replayed_evaluation_is_refused(held) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a = held["a"], held["b"], held["to_a"]
    request = _evaluate_request(to_a, b, a.id, [oprf.blind(b"x").element])
    assert to_a.send(request).status_code == 200
    again = to_a.send(request)
    assert again.status_code == 401 and again.json()["title"] == "Replayed request"


def test_over_quota_evaluations_are_refused_and_audited(
    b_calls_a, monkeypatch, shift_clock
) -> None:  # type: ignore[no-untyped-def]
    a, to_b = b_calls_a["a"], b_calls_a["to_b"]
    # Both checks must fall in one minute of the quota: start at the top of a minute.
    now = datetime.now(UTC)
    shift_clock(now.replace(second=0, microsecond=0) - now)
    limits = MatchingLimits(per_minute=3, per_day=100)
    monkeypatch.setattr(a, "config", dataclasses.replace(a.config, matching=limits))
    phone = {"type": "phone", "value": PHONE}
    assert check(to_b, b_calls_a["hb"], phone)["results"][0]["hits"]  # one element
    out = check(to_b, b_calls_a["hb"], phone, {"type": "name", "value": "Tariq Mehmood"})
    assert out["peers"][0]["state"].startswith("refused: 429")
    assert "per minute" in out["peers"][0]["state"]
    assert all(r["hits"] == [] for r in out["results"])
    with a.db.reading() as s:
        denied = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "matching.evaluate", AuditEntry.outcome == "denied"
            )
        ).all()
        assert len(denied) == 1


def test_a_node_not_peered_or_suspended_gets_nothing(held, tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a = held["a"], held["b"], held["to_a"]
    stranger = init_node(tmp_path / "c", name="C", org="C", country="GR").node
    try:
        r = to_a.send(_evaluate_request(to_a, stranger, a.id, [oprf.blind(b"x").element]))
        assert r.status_code == 401
        # Peered with A only in one direction (C knows A, A does not know C): still nothing.
        peer_all(stranger)
        r = to_a.send(_evaluate_request(to_a, stranger, a.id, [oprf.blind(b"x").element]))
        assert r.status_code == 401
        assert _tags(stranger) == set()  # no index was ever addressed to it
    finally:
        stranger.close()
    with a.db.transaction() as s:
        set_state(s, actor=CLI, node_id=b.id, state="suspended")
    r = to_a.send(_evaluate_request(to_a, b, a.id, [oprf.blind(b"x").element]))
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("elements", "field"),
    [
        (["not base64!"], "elements[0]"),
        ([base64.b64encode(b"short").decode()], "elements[0]"),
        ([base64.b64encode(b"\xff" * 32).decode()], "elements"),
    ],
)
def test_garbage_elements_are_refused_by_name(held, elements, field) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a = held["a"], held["b"], held["to_a"]
    body = json.dumps({"elements": elements}).encode()
    request = to_a.build_request(
        "POST", "http://testserver/federation/v1/matching/evaluate", content=body
    )
    transport.sign(request, b.keys, to=a.id, body=body)
    r = to_a.send(request)
    assert r.status_code == 422 and field in r.json()["detail"], r.text


def test_the_queriers_data_directory_never_holds_the_holders_values(held) -> None:  # type: ignore[no-untyped-def]
    b = held["b"]
    if not b.config.database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite files of the data directory")
    with b.db.reading() as s:
        assert s.scalars(select(PartnerEntry)).first() is not None  # A's index arrived
    b.db.dispose()  # everything written out of the WAL into the files read below
    stored = b"".join(p.read_bytes() for p in b.config.data_dir.rglob("*") if p.is_file())
    for raw in ("923001234567", "AB1234567", "Tariq", "Mehmood", "9074729", "Sea Star"):
        assert raw.encode() not in stored, raw
