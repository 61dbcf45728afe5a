"""Hit/no-hit between two nodes in process (A holds, B asks), over the real federation
endpoints (TestClient as each node's HTTP): a phone in national notation and a name in Arabic
script hit A's data; the hit names A, the type and a handle, A is told; a revoked entity and a
case switched off stop matching after one sync."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corridor.audit.models import AuditEntry
from corridor.federation import delivery
from corridor.matching import index, service
from corridor.matching.models import MatchingSegment, OwnEntry, PartnerEntry
from corridor.security import service as security
from corridor.security.principal import principal_for
from tests.entities.partners import add
from tests.entities.test_api import bearer

PHONE = "+923001234567"


def sync(a, b, to_b) -> None:  # type: ignore[no-untyped-def]
    index.refresh(a)
    delivery.push_to(a, b.id, http=to_b)


def check(client, headers, *selectors: dict[str, Any], status: int = 200) -> Any:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/matching/check", headers=headers, json={"selectors": list(selectors)})
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def held(pair):  # type: ignore[no-untyped-def]
    """A's case opted in with Tariq Mehmood (phone, passport, born 1984) and a vessel; synced."""
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "investigator", "inv@a.example")
    r = to_a.post(
        "/api/v1/cases",
        headers=ha,
        json={"reference": "FIA-2026-7", "title": "Quetta cell", "matching": True},
    )
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["matching"] is True
    tariq = add(
        to_a, ha, case["id"], "Person",
        name=["Tariq Mehmood"], birthDate=["1984-03-02"], phone=[PHONE],
        passportNumber=["AB1234567"], nationality=["PK"],
    )  # fmt: skip
    add(to_a, ha, case["id"], "Vessel", name=["Sea Star"], imoNumber=["IMO 9074729"])
    sync(a, b, to_b)
    hb, b_handle = bearer(b, "investigator", "inv@b.example")
    return {"a": a, "b": b, "to_a": to_a, "to_b": to_b, "ha": ha, "hb": hb, "case": case,
            "tariq": tariq, "b_handle": b_handle}  # fmt: skip


@pytest.fixture
def b_calls_a(held, monkeypatch):  # type: ignore[no-untyped-def]
    """B's calls to its peers reach A's app (the node's shared HTTP client in life)."""
    from corridor.federation import transport

    monkeypatch.setattr(transport, "shared_client", lambda: held["to_a"])
    return held


def test_phone_and_name_hit_and_the_holder_is_told(b_calls_a) -> None:  # type: ignore[no-untyped-def]
    held = b_calls_a
    a, b, to_a, to_b = held["a"], held["b"], held["to_a"], held["to_b"]
    out = check(
        to_b,
        held["hb"],
        {"type": "phone", "value": "0300 1234567", "country": "PK"},
        {"type": "name", "value": "طارق محمود", "birth_year": 1985},
        {"type": "name", "value": "Tariq Mehmood", "birth_year": 1960},
        {"type": "document", "value": "ab 123 4567", "country": "PK"},
        {"type": "document", "value": "AB1234567", "country": "TR"},
        {"type": "imo", "value": "9074729"},
        {"type": "phone", "value": "+923009999999"},
    )
    hits = [r["hits"] for r in out["results"]]
    assert hits[0] == [
        {"node": a.id, "type": "phone", "handle": hits[0][0]["handle"], "level": "exact"}
    ]
    handle = hits[0][0]["handle"]
    assert hits[1] == [{"node": a.id, "type": "name", "handle": handle, "level": "name"}]
    assert hits[2] == []  # the right name, born 25 years apart
    assert [h["handle"] for h in hits[3]] == [handle]
    assert hits[4] == []  # the passport number of another issuing state
    assert len(hits[5]) == 1 and hits[5][0]["handle"] != handle
    assert hits[6] == []
    assert out["peers"] == [{"node": a.id, "state": "answered"}]
    # A learns of the hits when B's notices arrive: who asked, which handle.
    delivery.push_to(b, a.id, http=to_a)
    r = to_a.get("/api/v1/matching/hits", headers=held["ha"])
    assert r.status_code == 200, r.text
    seen = {(h["handle"], h["type"], h["node"], h["author"]) for h in r.json()["items"]}
    assert (handle, "phone", b.id, held["b_handle"]) in seen
    assert (handle, "name", b.id, held["b_handle"]) in seen
    assert {h["entity"] for h in r.json()["items"] if h["handle"] == handle} == {held["tariq"]}
    # Audited on both sides, values never.
    with b.db.reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "matching.check")).one()
        assert entry.detail["selectors"] == 7 and "0300" not in str(entry.detail)
    with a.db.reading() as s:
        evaluated = s.scalars(select(AuditEntry).where(AuditEntry.action == "matching.evaluate"))
        assert [e.actor for e in evaluated] == [f"peer:{b.id}"]


def test_revoked_entity_and_switched_off_case_stop_matching(b_calls_a) -> None:  # type: ignore[no-untyped-def]
    held = b_calls_a
    a, b, to_a, to_b = held["a"], held["b"], held["to_a"], held["to_b"]
    phone = {"type": "phone", "value": PHONE}
    assert check(to_b, held["hb"], phone)["results"][0]["hits"]
    r = to_a.delete(f"/api/v1/entities/{held['tariq']}", headers=held["ha"])
    assert r.status_code in (200, 204), r.text
    sync(a, b, to_b)
    assert check(to_b, held["hb"], phone)["results"][0]["hits"] == []
    imo = {"type": "imo", "value": "9074729"}
    assert check(to_b, held["hb"], imo)["results"][0]["hits"]
    r = to_a.post(
        f"/api/v1/cases/{held['case']['id']}/matching", headers=held["ha"], json={"matching": False}
    )
    assert r.status_code == 200 and r.json()["matching"] is False
    sync(a, b, to_b)
    assert check(to_b, held["hb"], imo)["results"][0]["hits"] == []
    with b.db.reading() as s:
        assert s.scalars(select(PartnerEntry)).all() == []


def test_protection_and_red_cases_never_enter_the_index(pair) -> None:  # type: ignore[no-untyped-def]
    a, _, to_a, _ = pair
    po, _ = bearer(a, "protection_officer", "po@a.example")
    r = to_a.post(
        "/api/v1/cases",
        headers=po,
        json={"reference": "P-1", "title": "Screening", "purpose": "protection", "matching": True},
    )
    assert r.status_code == 422 and "matching" in r.text and "protection" in r.text
    inv, _ = bearer(a, "investigator", "i2@a.example")
    for labels in ({"tlp": "RED"}, {"purpose": "risk-analysis"}, {"handling": "H3"}):
        r = to_a.post(
            "/api/v1/cases",
            headers=inv,
            json={"reference": f"R-{len(str(labels))}", "title": "x", "matching": True, **labels},
        )
        assert r.status_code == 422 and "matching" in r.text, (labels, r.text)
    # Nothing was stored half-way: no case was created.
    assert to_a.get("/api/v1/cases", headers=inv).json()["items"] == []


def test_entries_fill_segments_and_every_segment_reaches_the_peer(pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    monkeypatch.setattr(index, "MAX_SEGMENT", 10)
    ha, _ = bearer(a, "investigator", "seg@a.example")
    case = to_a.post(
        "/api/v1/cases", headers=ha, json={"reference": "S-1", "title": "s", "matching": True}
    ).json()
    ids = [add(to_a, ha, case["id"], "Vessel", name=["Boat"], imoNumber=["IMO 9074729"])] + [
        add(
            to_a, ha, case["id"], "Person", phone=[f"+9230012345{n:02d}"], email=[f"p{n}@x.example"]
        )
        for n in range(12)
    ]
    sync(a, b, to_b)
    with a.db.reading() as s:
        segments = s.scalars(select(MatchingSegment)).all()
        assert all(0 < seg.entries <= 10 for seg in segments)
        assert sum(seg.entries for seg in segments) == s.query(OwnEntry).count() == 1 + 24
        assert len(segments) >= 3 and all(seg.record_id and not seg.dirty for seg in segments)
    with b.db.reading() as s:
        assert s.query(PartnerEntry).count() == 25
    for entity_id in ids[1:7]:
        assert to_a.delete(f"/api/v1/entities/{entity_id}", headers=ha).status_code in (200, 204)
    sync(a, b, to_b)
    with b.db.reading() as s:
        assert s.query(PartnerEntry).count() == 25 - 12


def test_a_holder_that_answers_late_is_asked_again_and_one_down_is_reported(b_calls_a) -> None:  # type: ignore[no-untyped-def]
    a, b = b_calls_a["a"], b_calls_a["b"]
    real = service.http_evaluator(b)
    calls: list[str] = []

    def flaky(holder: str, url: str, elements: list[bytes]) -> list[bytes]:
        calls.append(holder)
        if len(calls) == 1:
            raise httpx.ReadTimeout("busy")
        return real(holder, url, elements)

    with b.db.reading() as s:
        actor = principal_for(security.find_user(s, "inv@b.example"), kind="session")
    query = [service.Query("phone", PHONE)]
    out = service.check(b, actor=actor, queries=query, evaluator=flaky, notify=False)
    assert calls == [a.id, a.id] and out.peers == {a.id: "answered"}
    assert [h.node for h in out.results[0].hits] == [a.id]

    def down(holder: str, url: str, elements: list[bytes]) -> list[bytes]:
        raise httpx.ConnectError("refused")

    out = service.check(b, actor=actor, queries=query, evaluator=down, notify=False)
    assert out.peers == {a.id: "unreachable"} and out.results[0].hits == []


def test_a_holder_answering_garbage_is_refused(b_calls_a) -> None:  # type: ignore[no-untyped-def]
    a, b = b_calls_a["a"], b_calls_a["b"]
    with b.db.reading() as s:
        actor = principal_for(security.find_user(s, "inv@b.example"), kind="session")

    def lying(holder: str, url: str, elements: list[bytes]) -> list[bytes]:
        return [b"\x00" * 32 for _ in elements]  # the identity: no holder's evaluation

    out = service.check(
        b, actor=actor, queries=[service.Query("phone", PHONE)], evaluator=lying, notify=False
    )
    assert out.peers == {a.id: "refused: an invalid element in its answer"}
    assert out.results[0].hits == []
