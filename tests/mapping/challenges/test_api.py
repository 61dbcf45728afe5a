"""Challenges, routes and the map data through the REST API, with their bad inputs."""

from __future__ import annotations

from corridor.mapping.challenges.models import ChallengeRow
from corridor.records.models import StoredRecord
from tests.mapping.conftest import challenge


def count(node, model) -> int:  # type: ignore[no-untyped-def]
    with node.db.reading() as session:
        return session.query(model).count()


def test_challenge_on_a_route_appears_on_the_map(client, analyst, route) -> None:  # type: ignore[no-untyped-def]
    body = challenge(
        routes=[{"route": route["id"], "legs": [0]}],
        locations=[
            {"name": "Taftan crossing", "geometry": {"type": "Point", "coordinates": [61.6, 28.96]}}
        ],
        evidence=[{"kind": "link", "title": "Seizure report", "url": "https://example.org/r/1"}],
    )
    r = client.post("/api/v1/challenges", headers=analyst, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["countries"] == ["PK", "IR"] and created["labels"]["tlp"] == "GREEN"

    data = client.get("/api/v1/map", headers=analyst).json()
    assert data["countries"]["PK"] == {
        "count": 1,
        "max_severity": "high",
        "themes": {"fraudulent_documents": 1},
    }
    assert [c["id"] for c in data["challenges"]] == [created["id"]]
    (drawn,) = data["routes"]
    assert drawn["challenges"] == 1 and drawn["legs"][0]["from"]["hub"] == "Quetta"
    assert drawn["legs"][0]["from"]["point"] == [66.99, 30.18]

    # Filters change what the map shows.
    other = client.get("/api/v1/map?theme=digital_smuggling", headers=analyst).json()
    assert other["countries"] == {} and other["challenges"] == []
    assert (
        client.get("/api/v1/map?severity=high&country=pak", headers=analyst).json()["countries"][
            "IR"
        ]["count"]
        == 1
    )
    assert client.get("/api/v1/map?until=2026-08-01", headers=analyst).json()["challenges"] == []


def test_update_and_withdraw(client, analyst, node) -> None:  # type: ignore[no-untyped-def]
    cid = client.post("/api/v1/challenges", headers=analyst, json=challenge()).json()["id"]
    r = client.put(
        f"/api/v1/challenges/{cid}",
        headers=analyst,
        json=challenge(status="being_addressed", severity="critical"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.json()["status"] == "being_addressed"
    items = client.get("/api/v1/challenges", headers=analyst).json()["items"]
    assert items[0]["severity"] == "critical"

    r = client.post(f"/api/v1/challenges/{cid}/withdraw", headers=analyst, json={"reason": "dup"})
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert client.get("/api/v1/challenges", headers=analyst).json()["items"] == []
    assert count(node, ChallengeRow) == 0


def test_bad_input_is_refused_and_nothing_is_stored(client, analyst, route, node) -> None:  # type: ignore[no-untyped-def]
    before = count(node, StoredRecord)
    bad = [
        (challenge(countries=["ZZ"]), "unknown country code"),
        (challenge(countries=[]), "countries"),
        (challenge(theme="smuggling"), "theme"),
        (
            challenge(
                locations=[{"name": "x", "geometry": {"type": "Circle", "coordinates": [1, 2]}}]
            ),
            "Circle",
        ),
        (
            challenge(
                locations=[{"name": "x", "geometry": {"type": "Point", "coordinates": [200, 2]}}]
            ),
            "out of range",
        ),
        (
            challenge(
                locations=[
                    {"name": "x", "geometry": {"type": "LineString", "coordinates": [[1, 2]]}}
                ]
            ),
            "2 positions",
        ),
        (challenge(routes=[{"route": "0190f0f0-0000-7000-8000-000000000000"}]), "no route"),
        (challenge(routes=[{"route": route["id"], "legs": [7]}]), "no leg 7"),
        (challenge(identified="2026-10-01", review_date="2026-01-01"), "review date"),
        (challenge(evidence=[{"title": "x"}]), "ref"),
        (challenge(unknown_field=1), "unknown_field"),
        (challenge(to=["not-a-node"]), "neither a node id"),
    ]
    for body, needle in bad:
        r = client.post("/api/v1/challenges", headers=analyst, json=body)
        assert r.status_code in (400, 422), (needle, r.status_code, r.text)
        assert needle in r.text, (needle, r.text)
    r = client.post(
        "/api/v1/routes",
        headers=analyst,
        json={"name": "x", "legs": [{"from": {"country": "PK"}, "to": {"country": "XX"}}]},
    )
    assert r.status_code in (400, 422) and "XX" in r.text
    assert count(node, StoredRecord) == before


def test_viewer_reads_but_does_not_write(client, token_for, analyst) -> None:  # type: ignore[no-untyped-def]
    client.post("/api/v1/challenges", headers=analyst, json=challenge())
    viewer = token_for("viewer", scopes=("read", "write"))
    assert len(client.get("/api/v1/map", headers=viewer).json()["challenges"]) == 1
    r = client.post("/api/v1/challenges", headers=viewer, json=challenge())
    assert r.status_code == 403
    assert client.get("/api/v1/map").status_code == 401


def test_exports(client, analyst, route) -> None:  # type: ignore[no-untyped-def]
    client.post(
        "/api/v1/challenges",
        headers=analyst,
        json=challenge(title="=HYPERLINK(1)", routes=[{"route": route["id"]}]),
    )
    r = client.get("/api/v1/challenges/export.csv", headers=analyst)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0].startswith("id,title,theme") and "'=HYPERLINK(1)" in lines[1]
    assert "Pakistan – Iran – Türkiye – Greece" in lines[1]
    g = client.get("/api/v1/challenges/export.geojson", headers=analyst).json()
    kinds = sorted(f["properties"]["kind"] for f in g["features"])
    assert kinds == ["challenge", "route"]
    point = next(f for f in g["features"] if f["properties"]["kind"] == "challenge")["geometry"]
    assert point["type"] == "MultiPoint" and len(point["coordinates"]) == 2
