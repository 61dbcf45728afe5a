"""Referrals from the protection compartment, on one node: the contract of
`POST /api/v1/protection/referrals`, consent, minimisation, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from corridor.protection.models import ProtectedPerson, ReferralRow
from tests.entities.test_api import bearer

REFERRAL: dict[str, Any] = {
    "service": "shelter",
    "person": {"name": "Amina Rahimi", "birth_year": 2009, "sex": "female"},
    "needs": ["a safe place for a girl of 17", "Dari interpreter"],
    "consent": {"given": True, "purposes": ["referral"]},
}


@pytest.fixture
def po(node):  # type: ignore[no-untyped-def]
    return bearer(node, "protection_officer", "po@fia.example")[0]


def named(r) -> str:  # type: ignore[no-untyped-def]
    """What a refusal names: its field, each error's place (body.person.name) and message."""
    body = r.json()
    parts = [str(body.get("field") or ""), body.get("detail", "")]
    for e in body.get("errors", []):
        parts += [".".join(e["loc"][1:]), e["msg"]]
    return " | ".join(parts)


def _count(node, model) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as s:
        return len(s.query(model).all())


def test_a_person_screened_now_is_referred_to_a_service_here(client, node, po) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/protection/referrals", headers=po, json=REFERRAL)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["service"] == "shelter"
    assert made["labels"]["purpose"] == "protection"
    assert made["labels"]["tlp"] == "AMBER+STRICT"
    assert made["labels"]["forward"] == "none"
    assert made["person"]["name"] == "Amina Rahimi"
    assert made["consent"]["purposes"] == ["referral"]
    assert made["reference"].startswith("PR-")
    listed = client.get("/api/v1/protection/referrals", headers=po).json()["items"]
    assert [i["id"] for i in listed] == [made["id"]]
    people = client.get("/api/v1/protection/people", headers=po).json()["items"]
    assert [p["reference"] for p in people] == [made["reference"]]
    one = client.get(f"/api/v1/protection/people/{people[0]['id']}", headers=po).json()
    assert [c["purpose"] for c in one["consents"]] == ["referral"]
    assert [x["id"] for x in one["referrals"]] == [made["id"]]
    got = client.get(f"/api/v1/protection/referrals/{made['id']}", headers=po)
    assert got.status_code == 200 and got.json()["needs"] == REFERRAL["needs"]


def test_a_referral_carries_only_what_its_service_needs(client, po) -> None:  # type: ignore[no-untyped-def]
    person = {
        **REFERRAL["person"],
        "nationality": "AF",
        "languages": ["prs"],
        "child": True,
        "unaccompanied": True,
    }
    psy = client.post(
        "/api/v1/protection/referrals",
        headers=po,
        json={**REFERRAL, "service": "psychosocial", "person": person},
    ).json()
    # Psychosocial support needs neither the name nor the nationality.
    assert "name" not in psy["person"] and "nationality" not in psy["person"]
    assert psy["person"]["languages"] == ["prs"] and psy["person"]["child"] is True
    legal = client.post(
        "/api/v1/protection/referrals",
        headers=po,
        json={**REFERRAL, "service": "legal", "person": person, "pseudonymise": True},
    ).json()
    assert legal["person"]["nationality"] == "AF"
    assert "name" not in legal["person"]  # pseudonymised: the reference stands for the name


def test_nothing_is_sent_without_consent(client, node, po) -> None:  # type: ignore[no-untyped-def]
    for consent in (None, {"given": False, "purposes": ["referral"]}):
        body = (
            {**REFERRAL, "consent": consent}
            if consent
            else {k: v for k, v in REFERRAL.items() if k != "consent"}
        )
        r = client.post("/api/v1/protection/referrals", headers=po, json=body)
        assert r.status_code == 422, r.text
        assert "consent" in r.text
    # Refused whole: not even the person stays.
    assert _count(node, ProtectedPerson) == 0 and _count(node, ReferralRow) == 0
    # Consent to sharing is not consent to a referral.
    body = {**REFERRAL, "consent": {"given": True, "purposes": ["sharing"]}}
    r = client.post("/api/v1/protection/referrals", headers=po, json=body)
    assert r.status_code == 422 and "consent" in r.text


def test_a_withdrawn_consent_stops_referrals_and_withdraws_those_sent(client, po) -> None:  # type: ignore[no-untyped-def]
    made = client.post("/api/v1/protection/referrals", headers=po, json=REFERRAL).json()
    person = client.get("/api/v1/protection/people", headers=po).json()["items"][0]
    consent = client.get(f"/api/v1/protection/people/{person['id']}", headers=po).json()[
        "consents"
    ][0]
    r = client.post(
        f"/api/v1/protection/people/{person['id']}/consents/{consent['id']}/withdraw",
        headers=po,
        json={"note": "she no longer wants the shelter to know"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["withdrawn_referrals"] == 1 and r.json()["consent"]["withdrawn_at"]
    assert client.get("/api/v1/protection/referrals", headers=po).json()["items"] == []
    assert (
        client.get(f"/api/v1/protection/referrals/{made['id']}", headers=po).json()["state"]
        == "withdrawn"
    )
    again = {"service": "medical", "person_id": person["id"]}
    r = client.post("/api/v1/protection/referrals", headers=po, json=again)
    assert r.status_code == 422 and "consent" in r.text
    # Given anew, it holds again.
    r = client.post(
        f"/api/v1/protection/people/{person['id']}/consents",
        headers=po,
        json={"given": True, "purposes": ["referral"], "method": "written"},
    )
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/protection/referrals", headers=po, json=again)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": "prison"}, "service"),
        ({"person": {"name": "", "sex": "female"}}, "person.name"),
        ({"person": {"name": "A", "birth_year": 1800}}, "birth_year"),
        ({"person": {"name": "A", "unaccompanied": True}}, "child"),
        ({"person": {"name": "A", "never_share_with_origin": True}}, "nationality"),
        ({"person": {"name": "A", "nationality": "XX"}}, "person.nationality"),
        ({"needs": ["x" * 201]}, "needs"),
        ({"to": ["not-a-node"]}, "to"),
        ({"to": ["a" * 26]}, "to"),
        ({"consent": {"given": True, "purposes": ["marketing"]}}, "consent.purposes"),
        ({"person_id": "0190a1b2-0000-7000-8000-000000000000"}, "person"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_by_name_and_stores_nothing(client, node, po, change, field) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/protection/referrals", headers=po, json={**REFERRAL, **change})
    assert r.status_code == 422, r.text
    assert field in named(r)
    assert _count(node, ProtectedPerson) == 0 and _count(node, ReferralRow) == 0
