"""The protection compartment between two nodes: a referral reaches the partner's protection
officers and nobody else; every other role, on both nodes, finds no trace of it on any
endpoint; consent withdrawal and retention purge the partner's copy; an asylum seeker's
referral never reaches a node of the country they fled; a referral labelled otherwise is
refused by its receiver."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from corridor.federation import delivery
from corridor.node import jobs as node_jobs
from corridor.protection import retention
from corridor.protection.models import ProtectedPerson, ReferralRow
from corridor.protection.schemas import REFERRAL_TYPE
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.security.principal import SYSTEM
from corridor.security.roles import PROTECTION_ROLES, Role
from tests.entities.partners import login_at
from tests.entities.test_api import bearer
from tests.protection.test_referrals import REFERRAL, named

OTHER_ROLES = sorted(r.value for r in Role if r not in PROTECTION_ROLES)
# Every route of the compartment, as someone outside it would try it.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/protection/referrals", None),
    ("GET", "/api/v1/protection/referrals/{referral}", None),
    ("POST", "/api/v1/protection/referrals", REFERRAL),
    ("GET", "/api/v1/protection/people", None),
    ("GET", "/api/v1/protection/people/{person}", None),
    ("POST", "/api/v1/protection/people", REFERRAL["person"]),
    ("POST", "/api/v1/protection/people/{person}/consents", REFERRAL["consent"]),
    ("POST", "/api/v1/protection/people/{person}/consents/{consent}/withdraw", {}),
    ("POST", "/api/v1/protection/people/{person}/screenings", {"answers": {"abandoned": "yes"}}),
    ("GET", "/api/v1/protection/indicators", None),
    ("GET", "/api/v1/protection/access-log", None),
]
PAGES = (
    "/protection",
    "/protection/people/new",
    "/protection/people/{person}",
    "/protection/referrals/{referral}",
    "/protection/access",
)


def _people(node, prefix: str) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """A token of each role at a node (protection officer and supervisor included)."""
    return {
        role: bearer(node, role, f"{role}.{prefix}@example.org")[0]
        for role in [r.value for r in Role]
    }


@pytest.fixture
def sent(pair):  # type: ignore[no-untyped-def]
    """A's protection officer referred a person to a shelter at B; delivered."""
    a, b, to_a, to_b = pair
    at_a, at_b = _people(a, "a"), _people(b, "b")
    body = {**REFERRAL, "to": [b.id]}
    r = to_a.post("/api/v1/protection/referrals", headers=at_a["protection_officer"], json=body)
    assert r.status_code == 201, r.text
    assert delivery.push_to(a, b.id, http=to_b) >= 1
    return pair, at_a, at_b, r.json()


def _ids(made: dict[str, Any], client, headers) -> dict[str, str]:  # type: ignore[no-untyped-def]
    listed = client.get("/api/v1/protection/people", headers=headers).json()["items"][0]
    person = client.get(f"/api/v1/protection/people/{listed['id']}", headers=headers).json()
    return {
        "referral": made["id"],
        "person": person["id"],
        "consent": person["consents"][0]["id"],
    }


def test_only_the_partners_protection_roles_see_the_referral(sent) -> None:  # type: ignore[no-untyped-def]
    (a, b, _to_a, to_b), _at_a, at_b, made = sent
    for role in ("protection_officer", "protection_supervisor"):
        items = to_b.get("/api/v1/protection/referrals", headers=at_b[role]).json()["items"]
        assert [i["id"] for i in items] == [made["id"]]
        assert items[0]["origin"] == a.id and items[0]["person_name"] == "Amina Rahimi"
        one = to_b.get(f"/api/v1/protection/referrals/{made['id']}", headers=at_b[role])
        assert one.status_code == 200 and one.json()["needs"] == REFERRAL["needs"]
    # The partner's officers are told; the notice names nothing of the person.
    notes = to_b.get("/api/v1/notifications", headers=at_b["protection_officer"]).json()
    assert [n["link"] for n in notes["items"]] == [f"/protection/referrals/{made['id']}"]
    assert "Amina" not in str(notes)
    # B holds no person file: the referral is all that came.
    with b.db.reading() as s:
        assert s.scalars(select(ProtectedPerson)).all() == []


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_no_other_role_on_either_node_finds_a_trace(sent, role) -> None:  # type: ignore[no-untyped-def]
    (a, b, to_a, to_b), at_a, at_b, made = sent
    ids = _ids(made, to_a, at_a["protection_officer"])
    for client, headers in ((to_a, at_a[role]), (to_b, at_b[role])):
        for method, path, body in ENDPOINTS:
            r = client.request(method, path.format(**ids), headers=headers, json=body)
            assert r.status_code == 404, (role, method, path, r.status_code, r.text)
            assert "Amina" not in r.text
        # Nor through the records core, search, notifications or the events of the node.
        r = client.get(f"/api/v1/records/{made['id']}", headers=headers)
        assert r.status_code == 404
        listed = client.get("/api/v1/records", headers=headers).json()
        assert REFERRAL_TYPE not in str(listed)
        typed = client.get(f"/api/v1/records?type={REFERRAL_TYPE}", headers=headers).json()
        assert typed["items"] == []
        if role != "administrator":
            found = client.get("/api/v1/search?q=Amina%20Rahimi", headers=headers).json()
            assert "Amina" not in str(found)
        notes = client.get("/api/v1/notifications", headers=headers).json()
        assert "protection" not in str(notes)
        for box in ("/api/v1/messages", "/api/v1/alerts"):
            assert "Amina" not in client.get(box, headers=headers).text
    # The pages, signed in: not there either, and not in the menu.
    for node in (a, b):
        browser, _csrf = login_at(node, role)
        for path in PAGES:
            r = browser.get(path.format(**ids))
            assert r.status_code == 404, (role, path, r.status_code)
        assert 'href="/protection"' not in browser.get("/").text


def test_consent_withdrawn_purges_the_partners_copy(sent) -> None:  # type: ignore[no-untyped-def]
    (a, b, to_a, to_b), at_a, at_b, made = sent
    po = at_a["protection_officer"]
    ids = _ids(made, to_a, po)
    r = to_a.post(
        f"/api/v1/protection/people/{ids['person']}/consents/{ids['consent']}/withdraw",
        headers=po,
        json={"note": "withdrawn at the interview"},
    )
    assert r.json()["withdrawn_referrals"] == 1
    delivery.push_to(a, b.id, http=to_b)
    officer = at_b["protection_officer"]
    assert to_b.get("/api/v1/protection/referrals", headers=officer).json()["items"] == []
    gone = to_b.get(f"/api/v1/protection/referrals/{made['id']}", headers=officer).json()
    assert gone["state"] == "withdrawn" and "person" not in gone
    with b.db.reading() as s:
        assert s.get(ReferralRow, uuid.UUID(made["id"])) is None
        stored = s.get(StoredRecord, uuid.UUID(made["id"]))
        assert stored is not None and stored.envelope["body"] is None
        assert "Amina" not in str(stored.envelope)
    # The shelter's officers are told it was withdrawn, and nothing more.
    notes = to_b.get("/api/v1/notifications", headers=officer).json()["items"]
    assert [n["title"] for n in notes] == ["Withdrawn by its sender"]
    assert "Amina" not in str(notes)


def test_retention_purges_the_person_here_and_the_copy_there(pair, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    po, officer_b = bearer(a, "protection_officer", "po@a.example")[0], None
    officer_b = bearer(b, "protection_officer", "po@b.example")[0]
    person = {**REFERRAL["person"], "retain_days": 30}
    body = {**REFERRAL, "person": person, "to": [b.id]}
    made = to_a.post("/api/v1/protection/referrals", headers=po, json=body).json()
    delivery.push_to(a, b.id, http=to_b)
    shift_clock(timedelta(days=29))
    retention.retention(a, {})
    node_jobs.retention(b, {})
    assert len(to_b.get("/api/v1/protection/referrals", headers=officer_b).json()["items"]) == 1
    shift_clock(timedelta(days=2))
    # The partner purges its copy on time by itself, even with the sender unreachable.
    node_jobs.retention(b, {})
    assert to_b.get("/api/v1/protection/referrals", headers=officer_b).json()["items"] == []
    with b.db.reading() as s:
        assert s.get(StoredRecord, uuid.UUID(made["id"])).envelope["body"] is None
    retention.retention(a, {})
    with a.db.reading() as s:
        assert s.scalars(select(ProtectedPerson)).all() == []
        assert s.get(StoredRecord, uuid.UUID(made["id"])).state == "revoked"
    assert to_a.get("/api/v1/protection/people", headers=po).json()["items"] == []


def test_an_asylum_seekers_referral_never_reaches_the_country_they_fled(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _to_b = pair  # B is a Turkish node
    po = bearer(a, "protection_officer", "po@a.example")[0]
    person = {**REFERRAL["person"], "nationality": "TR", "never_share_with_origin": True}
    r = to_a.post(
        "/api/v1/protection/referrals",
        headers=po,
        json={**REFERRAL, "person": person, "to": [b.id]},
    )
    assert r.status_code == 422, r.text
    assert "to" in named(r) and b.id in named(r)
    with a.db.reading() as s:
        assert s.scalars(select(ProtectedPerson)).all() == []
    # A service at home is fine.
    r = to_a.post("/api/v1/protection/referrals", headers=po, json={**REFERRAL, "person": person})
    assert r.status_code == 201, r.text


def test_a_referral_labelled_for_another_purpose_is_refused_by_its_receiver(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, _to_a, to_b = pair
    body = {
        "reference": "PR-FORGED01",
        "service": "shelter",
        "person": {"name": "Amina Rahimi", "sex": "female"},
        "consent": {"purposes": ["referral"], "given_at": "2026-01-01T00:00:00Z"},
    }
    with a.db.transaction() as s:
        made = records.create(
            s,
            a.keys,
            actor=SYSTEM,
            type=REFERRAL_TYPE,
            body=body,
            labels=Labels(tlp="GREEN", purpose="enforcement"),
            audience=Audience(nodes=[b.id]),
        )
    delivery.push_to(a, b.id, http=to_b)
    with b.db.reading() as s:
        assert s.get(StoredRecord, uuid.UUID(made["id"])) is None
        assert s.get(ReferralRow, uuid.UUID(made["id"])) is None
    inv = bearer(b, "investigator", "inv@b.example")[0]
    assert to_b.get(f"/api/v1/records/{made['id']}", headers=inv).status_code == 404
