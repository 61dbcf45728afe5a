"""Challenges and routes travel between nodes as signed records: the partner's map shows them,
labels are honoured at the receiver, only the origin changes them, and withdrawal propagates."""

from __future__ import annotations

from corridor.federation import delivery
from tests.entities.test_api import bearer
from tests.mapping.conftest import EASTERN_ROUTE, challenge


def test_partner_challenge_reaches_the_map_and_is_withdrawn_everywhere(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "analyst", "analyst@a.example")
    hb, _ = bearer(b, "analyst", "analyst@b.example")
    route = to_a.post(
        "/api/v1/routes", headers=ha, json={**EASTERN_ROUTE, "tlp": "GREEN", "to": [b.id]}
    ).json()
    shared = to_a.post(
        "/api/v1/challenges",
        headers=ha,
        json=challenge(to=[b.id], routes=[{"route": route["id"], "legs": [1]}]),
    ).json()
    local = to_a.post("/api/v1/challenges", headers=ha, json=challenge(title="Ours only")).json()
    delivery.push_to(a, b.id, http=to_b)

    data = to_b.get("/api/v1/map", headers=hb).json()
    assert [c["id"] for c in data["challenges"]] == [shared["id"]]
    assert data["challenges"][0]["origin"] == a.id
    assert data["countries"]["PK"]["count"] == 1
    assert data["routes"][0]["id"] == route["id"] and data["routes"][0]["challenges"] == 1
    assert to_b.get(f"/api/v1/challenges/{local['id']}", headers=hb).status_code == 404

    # The receiver may record its own challenge on the partner's route, not change the partner's.
    r = to_b.post(
        "/api/v1/challenges",
        headers=hb,
        json=challenge(
            title="Van crossings", countries=["TR"], routes=[{"route": route["id"], "legs": [1]}]
        ),
    )
    assert r.status_code == 201, r.text
    r = to_b.put(
        f"/api/v1/challenges/{shared['id']}", headers=hb, json=challenge(status="resolved")
    )
    assert r.status_code == 403 and "only the node that recorded it" in r.text
    r = to_b.post(f"/api/v1/challenges/{shared['id']}/withdraw", headers=hb, json={"reason": "x"})
    assert r.status_code == 403

    # An update and then a withdrawal by the origin reach the partner.
    to_a.put(
        f"/api/v1/challenges/{shared['id']}",
        headers=ha,
        json=challenge(severity="critical", status="being_addressed"),
    )
    delivery.push_to(a, b.id, http=to_b)
    got = to_b.get(f"/api/v1/challenges/{shared['id']}", headers=hb).json()
    assert got["version"] == 2 and got["severity"] == "critical"
    to_a.post(f"/api/v1/challenges/{shared['id']}/withdraw", headers=ha, json={"reason": "merged"})
    delivery.push_to(a, b.id, http=to_b)
    ids = {c["id"] for c in to_b.get("/api/v1/map", headers=hb).json()["challenges"]}
    assert shared["id"] not in ids and len(ids) == 1
    assert to_b.get(f"/api/v1/challenges/{shared['id']}", headers=hb).json()["state"] == "withdrawn"


def test_red_challenge_only_for_its_named_recipients(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "analyst", "analyst@a.example")
    named, handle = bearer(b, "analyst", "named@b.example")
    other, _ = bearer(b, "analyst", "other@b.example")
    r = to_a.post(
        "/api/v1/challenges",
        headers=ha,
        json=challenge(to=[b.id], tlp="RED", recipients=[f"user:{handle}@{b.id}"]),
    )
    assert r.status_code == 201, r.text
    delivery.push_to(a, b.id, http=to_b)
    assert len(to_b.get("/api/v1/map", headers=named).json()["challenges"]) == 1
    seen = to_b.get("/api/v1/map", headers=other).json()
    assert seen["challenges"] == [] and seen["countries"] == {}
    assert to_b.get("/api/v1/challenges/export.csv", headers=other).text.count("\n") == 1
