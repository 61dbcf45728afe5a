"""CIRAM-style risk assessments: the combination methods, the record (versioned, shared, its
linked challenges binding its labels), the API and the pages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.node.service import Node
from corridor.risk import ciram
from tests.risk.test_api import login_headers

ASSESSMENT_BODY: dict[str, Any] = {
    "title": "Eastern Mediterranean, Evros land border, summer 2025",
    "scope": {
        "kind": "border_section",
        "border_section": "Evros",
        "country": "GR",
        "route": "Eastern Mediterranean Route",
    },
    "period_from": "2025-06",
    "period_to": "2025-09",
    "threat": {"magnitude": 4, "likelihood": 4, "rationale": "Detections up 40 % on a year."},
    "vulnerability": {
        "checklist": [
            {"item": "surveillance", "answer": "partly"},
            {"item": "reaction", "answer": "no"},
            {"item": "document_checks", "answer": "yes"},
        ]
    },
    "impact": {"humanitarian": 5, "security": 3, "operational": 3},
}


@pytest.mark.parametrize(
    ("t", "v", "i", "method", "level"),
    [
        (3, 3, 3, "product", "medium"),
        (2, 2, 2, "product", "low"),
        (4, 4, 4, "product", "high"),
        (5, 4, 4, "product", "very_high"),
        (3, 3, 3, "geometric", "medium"),
        (5, 5, 1, "geometric", "medium"),
        (1, 1, 5, "matrix", "medium"),
        (4, 4, 5, "matrix", "very_high"),
        (2, 2, 2, "matrix", "low"),
    ],
)
def test_each_method_says_its_level(t: int, v: int, i: int, method: str, level: str) -> None:
    assert ciram.combine(t, v, i, method).level == level


def test_the_parts_are_derived_as_documented() -> None:
    assert ciram.threat_level(4, 1) == 2  # √4
    assert ciram.threat_level(5, 5) == 5
    # partly (0.5) + no (1) + yes (0) over three answers: 1 + 4 × 0.5 = 3; unknown left out.
    checklist = [{"answer": "partly"}, {"answer": "no"}, {"answer": "yes"}, {"answer": "unknown"}]
    assert ciram.vulnerability_level(checklist) == 3
    assert ciram.vulnerability_level(checklist, level=1) == 1
    assert ciram.vulnerability_level([]) == 3
    assert ciram.impact_level(5, 3, 2) == 5
    # Weights move the geometric mean toward the heavier part.
    light = ciram.combine(5, 1, 1, "geometric")
    heavy = ciram.combine(5, 1, 1, "geometric", {"threat": 5.0})
    assert heavy.score > light.score
    risk = ciram.assess(ASSESSMENT_BODY)
    assert (risk.threat, risk.vulnerability, risk.impact, risk.likelihood) == (4, 3, 5, 3)
    assert (risk.method, risk.level) == ("matrix", "high")  # 3 × 5 = 15


def test_an_analyst_records_versions_and_everyone_ranks(node: Node, client: TestClient) -> None:
    analyst = login_headers(node, client, "analyst", ("read", "write"))
    r = client.post(
        "/api/v1/risk/assessments", json={**ASSESSMENT_BODY, "tlp": "GREEN"}, headers=analyst
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["labels"]["purpose"] == "risk-analysis" and first["version"] == 1
    second = dict(ASSESSMENT_BODY, title="Central Mediterranean, Libya departures",
                  scope={"kind": "route", "route": "Central Mediterranean Route"},
                  threat={"magnitude": 2, "likelihood": 2},
                  impact={"humanitarian": 2, "security": 1, "operational": 1})  # fmt: skip
    assert client.post("/api/v1/risk/assessments", json=second, headers=analyst).status_code == 201
    changed = {**ASSESSMENT_BODY, "method": "product"}
    r = client.put(f"/api/v1/risk/assessments/{first['id']}", json=changed, headers=analyst)
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.get(f"/api/v1/risk/assessments/{first['id']}", headers=analyst)
    assert r.json()["risk"] == {
        "method": "product", "threat": 4, "vulnerability": 3, "impact": 5, "likelihood": 3,
        "value": 60.0, "score": round(59 / 124, 4), "level": "high",
    }  # fmt: skip
    viewer = login_headers(node, client, "viewer")
    items = client.get("/api/v1/risk/assessments", headers=viewer).json()["items"]
    assert [i["title"] for i in items] == [ASSESSMENT_BODY["title"], second["title"]]
    assert items[0]["risk"]["level"] == "high" and items[1]["risk"]["level"] == "low"
    # A liaison officer's role has no risk-analysis purpose; an investigator may not write.
    liaison = login_headers(node, client, "liaison_officer")
    assert client.get("/api/v1/risk/assessments", headers=liaison).status_code == 403
    investigator = login_headers(node, client, "investigator", ("read", "write"))
    r = client.post("/api/v1/risk/assessments", json=ASSESSMENT_BODY, headers=investigator)
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threat": {"magnitude": 6, "likelihood": 3}}, "threat"),
        ({"scope": {"kind": "route"}}, "scope"),
        ({"scope": {"kind": "nationality", "nationality": "Atlantis"}}, "scope"),
        ({"period_from": "2025-13"}, "period_from"),
        ({"weights": {"threat": 2}}, "weights"),
        ({"vulnerability": {"checklist": [{"item": "moat", "answer": "no"}]}}, "vulnerability"),
        ({"vulnerability": {"level": 2}}, "vulnerability"),
        ({"challenges": [str(uuid.uuid4())]}, "challenges"),
    ],
)
def test_bad_assessments_name_the_field(
    node: Node, client: TestClient, change: dict[str, Any], field: str
) -> None:
    analyst = login_headers(node, client, "analyst", ("read", "write"))
    r = client.post("/api/v1/risk/assessments", json={**ASSESSMENT_BODY, **change}, headers=analyst)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_the_pages_rank_place_and_write(node: Node) -> None:
    from tests.entities.partners import login_at

    c, csrf = login_at(node, "analyst")
    form = {
        "csrf_token": csrf, "title": "Türkiye–Greece sea border", "scope_kind": "route",
        "route": "Eastern Mediterranean Route", "magnitude": "5", "likelihood": "4",
        "check_surveillance": "no", "check_reaction": "no", "humanitarian": "5",
        "security": "4", "operational": "3", "method": "matrix", "tlp": "GREEN",
        "purpose": "risk-analysis",
    }  # fmt: skip
    r = c.post("/risk/assessments/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(r.headers["location"])
    assert page.status_code == 200 and "Türkiye–Greece sea border" in page.text
    assert "Very high" in page.text  # likelihood round(√(4.5 × 5)) = 5, impact 5
    ranking = c.get("/risk/assessments")
    assert "Türkiye–Greece sea border" in ranking.text and "risk-matrix" in ranking.text
    # A mistake keeps what was typed and names the field.
    r = c.post("/risk/assessments/new", data={**form, "title": "Kept", "period_from": "June"})
    assert r.status_code == 422 and "Kept" in r.text and "YYYY-MM" in r.text
