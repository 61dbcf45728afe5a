"""Structured screenings through the API: answers per indicator, what they found per group and
vulnerability level (risk and protective factors, never a single score), the child-specific
fields, and bad input refused by name."""

from __future__ import annotations

import pytest

from corridor.protection.indicators import ITEMS
from tests.entities.partners import login_at
from tests.entities.test_api import bearer
from tests.protection.test_referrals import named


@pytest.fixture
def po(node):  # type: ignore[no-untyped-def]
    return bearer(node, "protection_officer", "po@fia.example")[0]


def _person(client, po, **extra) -> str:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/protection/people", headers=po, json={"name": "Hamid", **extra})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_screening_finds_factors_per_level_not_a_score(client, po) -> None:  # type: ignore[no-untyped-def]
    pid = _person(client, po, child=True, unaccompanied=True)
    body = {
        "answers": {
            "abandoned": "yes",
            "debt_bondage": "yes",
            "extortion": "declined",
            "family_separated": "yes",
            "family_support": "no",
            "community_support": "yes",
            "conflict_or_persecution": "yes",
        },
        "language": "Dari",
        "interpreter_language": "Dari",
        "route": "Eastern Mediterranean",
        "age_assessment_note": "about 15, by a paediatrician",
        "best_interests_referral": True,
    }
    r = client.post(f"/api/v1/protection/people/{pid}/screenings", headers=po, json=body)
    assert r.status_code == 201, r.text
    found = r.json()["profile"]
    assert found == {
        "trafficking": {"risk": ["debt_bondage"]},
        "aggravated": {"risk": ["abandoned"]},
        "household": {"risk": ["family_separated"]},
        "community": {"protective": ["community_support"]},
        "structural": {"risk": ["conflict_or_persecution"]},
    }
    person = client.get(f"/api/v1/protection/people/{pid}", headers=po).json()
    assert [s["answers"]["extortion"] for s in person["screenings"]] == ["declined"]
    assert person["screenings"][0]["best_interests_referral"] is True


def test_the_indicators_are_listed_in_the_readers_language(client, node, po) -> None:  # type: ignore[no-untyped-def]
    items = client.get("/api/v1/protection/indicators", headers=po).json()["items"]
    assert [i["code"] for i in items] == [i.code for i in ITEMS]
    levels = {i["level"] for i in items if i["group"] == "vulnerability"}
    assert levels == {"individual", "household", "community", "structural"}
    assert {i["side"] for i in items if i["level"]} == {"risk", "protective"}
    # The page's own calls (a session) read them in the reader's language.
    page, csrf = login_at(node, "protection_officer")
    r = page.patch("/api/v1/me", headers={"X-CSRF-Token": csrf}, json={"language": "fr"})
    assert r.status_code == 200, r.text
    fr = page.get("/api/v1/protection/indicators").json()["items"]
    assert fr[0]["label"] != items[0]["label"] and "promis" in fr[0]["label"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"dancing": "yes"}}, "answers"),
        ({"answers": {"abandoned": "maybe"}}, "answers.abandoned"),
        ({"answers": {}, "best_interests_referral": True}, "best_interests_referral"),
        ({"answers": {}, "age_assessment_note": "about 16"}, "best_interests_referral"),
        ({"answers": {}, "notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_screenings_are_refused_by_name(client, po, body, field) -> None:  # type: ignore[no-untyped-def]
    pid = _person(client, po)  # an adult
    r = client.post(f"/api/v1/protection/people/{pid}/screenings", headers=po, json=body)
    assert r.status_code == 422, r.text
    assert field in named(r)
    assert client.get(f"/api/v1/protection/people/{pid}", headers=po).json()["screenings"] == []
