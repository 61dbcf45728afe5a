"""Counts out of the compartment: only counts, small ones suppressed (with a second one beside
a lone suppressed count), for risk and protection roles only."""

from __future__ import annotations

from collections import Counter

import pytest

from corridor.protection.aggregates import THRESHOLD, suppressed
from tests.entities.test_api import bearer


def test_small_counts_are_suppressed_and_a_lone_one_is_covered() -> None:
    cells = {c.key: c.count for c in suppressed(Counter(AF=6, PK=3, IR=1))}
    assert cells == {"AF": 6, "PK": None, "IR": None}
    # PK alone under the threshold: SY's count would give it away beside the total.
    cells = {c.key: c.count for c in suppressed(Counter(SY=9, AF=6, PK=2))}
    assert cells == {"SY": 9, "AF": None, "PK": None}
    assert {c.key: c.count for c in suppressed(Counter(SY=9, AF=THRESHOLD))} == {"SY": 9, "AF": 5}
    assert suppressed(Counter(SY=0)) == []


@pytest.fixture
def screened(client, node):  # type: ignore[no-untyped-def]
    po = bearer(node, "protection_officer", "po@fia.example")[0]
    people = [("AF", "Eastern Mediterranean")] * 6 + [("PK", "Eastern Mediterranean")] * 2
    people += [("SY", "Central Mediterranean")] * 7
    for n, (nationality, route) in enumerate(people):
        r = client.post(
            "/api/v1/protection/people",
            headers=po,
            json={"name": f"Person {n}", "nationality": nationality, "birth_year": 2000},
        )
        answers = {"abandoned": "yes"} if n % 2 else {"abandoned": "no", "violence": "yes"}
        client.post(
            f"/api/v1/protection/people/{r.json()['id']}/screenings",
            headers=po,
            json={"answers": answers, "route": route},
        )
    return po


def test_counts_by_each_dimension(client, node, screened) -> None:  # type: ignore[no-untyped-def]
    analyst = bearer(node, "analyst", "rau@fia.example")[0]

    def get(by: str):  # type: ignore[no-untyped-def]
        r = client.get(f"/api/v1/protection/aggregates?by={by}", headers=analyst)
        assert r.status_code == 200, r.text
        return r.json()

    made = get("nationality")
    assert made["total"] == 15 and made["threshold"] == THRESHOLD
    assert {i["key"]: i["count"] for i in made["items"]} == {"SY": 7, "AF": None, "PK": None}
    routes = {i["key"]: i["count"] for i in get("route")["items"]}
    assert routes == {"Eastern Mediterranean": 8, "Central Mediterranean": 7}
    kinds = {i["key"]: i["count"] for i in get("vulnerability")["items"]}
    assert kinds == {"violence": 8, "abandoned": 7}
    assert {i["key"] for i in get("age_band")["items"]} <= {"18-25", "26-40"}
    # Nothing but counts: no name, no reference.
    assert "Person" not in str(made) and "PR-" not in str(made)


@pytest.mark.parametrize("role", ["liaison_officer", "administrator"])
def test_roles_without_risk_analysis_get_no_counts(client, node, role) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(node, role, f"{role}@fia.example")[0]
    r = client.get("/api/v1/protection/aggregates?by=nationality", headers=headers)
    assert r.status_code == 403


def test_a_bad_dimension_is_refused_by_name(client, node) -> None:  # type: ignore[no-untyped-def]
    analyst = bearer(node, "analyst", "rau@fia.example")[0]
    r = client.get("/api/v1/protection/aggregates?by=name", headers=analyst)
    assert r.status_code == 422 and "by" in r.text


def test_the_counts_page_for_an_analyst(client, node, screened) -> None:  # type: ignore[no-untyped-def]
    from tests.entities.partners import login_at

    analyst, _ = login_at(node, "analyst")
    assert 'href="/protection/counts"' in analyst.get("/").text
    page = analyst.get("/protection/counts")
    assert page.status_code == 200, page.text[-2000:]
    assert "Syria" in page.text and "fewer than 5" in page.text
    assert "Abandoned at sea, in the desert or at a border" in page.text
    assert "Person 1" not in page.text  # counts, never people
    liaison, _ = login_at(node, "liaison_officer")
    assert liaison.get("/protection/counts").status_code == 403
    assert 'href="/protection/counts"' not in liaison.get("/").text
