"""Risk profiles for front-line officers: records that may draw on an assessment (whose
labels bind theirs), listed valid first, written by analysts, read by the risk roles."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from corridor import clock
from corridor.node.service import Node
from tests.entities.partners import login_at
from tests.risk.test_api import login_headers
from tests.risk.test_assessments import ASSESSMENT_BODY

PROFILE_BODY = {
    "title": "Afghan nationals on forged Iranian residence cards, Taftan–Zahedan",
    "modus_operandi": "Groups of 5-10 cross at Taftan with Iranian residence cards bought "
    "in Quetta; the facilitator travels apart and meets them in Zahedan.",
    "route": "Pakistan – Iran – Türkiye – Greece",
    "countries": ["PK", "IRN"],
    "nationalities": ["Afghanistan"],
    "indicators": [
        "Residence card issued in Mashhad with a Quetta phone number",
        "One-way bus ticket bought in cash the same day",
    ],
    "documents": ["Iranian residence card (Amayesh), series 2024"],
    "actions": "Second-line check; inform the FIA desk at Taftan.",
}


def test_profiles_are_written_listed_and_read(node: Node, client: TestClient) -> None:
    analyst = login_headers(node, client, "analyst", ("read", "write"))
    r = client.post(
        "/api/v1/risk/assessments", json={**ASSESSMENT_BODY, "tlp": "GREEN"}, headers=analyst
    )
    assessment = r.json()["id"]
    later = (clock.now().date() + timedelta(days=90)).isoformat()
    # The assessment's labels bind the profile's: an AMBER assessment makes no GREEN profile.
    amber = client.post("/api/v1/risk/assessments", json=ASSESSMENT_BODY, headers=analyst)
    refused = {**PROFILE_BODY, "assessment": amber.json()["id"], "tlp": "GREEN"}
    r = client.post("/api/v1/risk/profiles", json=refused, headers=analyst)
    assert r.status_code == 422 and r.json()["type"].endswith("flow-refused")
    body = {**PROFILE_BODY, "assessment": assessment, "valid_until": later, "tlp": "GREEN"}
    r = client.post("/api/v1/risk/profiles", json=body, headers=analyst)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["countries"] == ["IRN", "PAK"] and made["nationalities"] == ["AFG"]
    assert made["labels"]["purpose"] == "risk-analysis"
    lapsed = {**PROFILE_BODY, "title": "Old pattern", "valid_until": "2024-01-31"}
    assert client.post("/api/v1/risk/profiles", json=lapsed, headers=analyst).status_code == 201
    viewer = login_headers(node, client, "viewer")
    items = client.get("/api/v1/risk/profiles", headers=viewer).json()["items"]
    assert [(i["title"], i["lapsed"]) for i in items] == [
        (PROFILE_BODY["title"], False),
        ("Old pattern", True),
    ]
    assert client.get(f"/api/v1/risk/profiles/{made['id']}", headers=viewer).status_code == 200
    investigator = login_headers(node, client, "investigator", ("read", "write"))
    assert client.post("/api/v1/risk/profiles", json=body, headers=investigator).status_code == 403
    for bad, field in (({"indicators": []}, "indicators"),
                       ({"nationalities": ["Atlantis"]}, "nationalities"),
                       ({"assessment": "01a2"}, "assessment")):  # fmt: skip
        r = client.post("/api/v1/risk/profiles", json={**PROFILE_BODY, **bad}, headers=analyst)
        assert r.status_code == 422 and field in r.text, r.text


def test_the_profile_pages(node: Node) -> None:
    c, csrf = login_at(node, "analyst")
    form = {
        "csrf_token": csrf, "title": "Boat departures from Zuwara at night",
        "modus_operandi": "Rubber boats, 40-60 people, departures between 1 and 4 am.",
        "indicators": "Groups waiting near the beach at dusk\nFuel bought in jerrycans",
        "nationalities": "BGD, EGY", "tlp": "GREEN", "purpose": "risk-analysis",
    }  # fmt: skip
    r = c.post("/risk/profiles/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    card = c.get(r.headers["location"]).text
    assert "Fuel bought in jerrycans" in card and "Bangladesh" in card
    assert "Boat departures from Zuwara" in c.get("/risk/profiles").text
    r = c.post("/risk/profiles/new", data={**form, "indicators": "", "title": "Kept"})
    assert r.status_code == 422 and "Kept" in r.text and "Indicators" in r.text
