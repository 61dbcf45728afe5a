"""Duplicate detection, the review queue, merge with provenance, split; partners never merged
silently."""

from __future__ import annotations

from tests.entities.test_api import CASE, bearer, person


def test_detect_review_merge_and_split(node, client) -> None:  # type: ignore[no-untyped-def]
    h, _ = bearer(node, "investigator", "inv@fia.example")
    cid = client.post("/api/v1/cases", headers=h, json=CASE).json()["id"]
    a = person(
        client,
        h,
        cid,
        name=["Muhammad Asif Khan"],
        birthDate=["1984-03-02"],
        passportNumber=["AB1234567"],
    )
    b = person(
        client, h, cid, name=["محمد آصف خان"], birthDate=["1984-03-02"], phone=["0300 1234567"]
    )
    person(client, h, cid, name=["Irfan Ali"], birthDate=["1990-01-01"])
    r = client.post("/api/v1/entities/dedupe", headers=h, json={"case": cid})
    assert r.status_code == 200, r.text
    assert r.json()["proposed"] == 1
    # Running it again proposes nothing new.
    assert (
        client.post("/api/v1/entities/dedupe", headers=h, json={"case": cid}).json()["proposed"]
        == 0
    )
    items = client.get(f"/api/v1/entities/candidates?case={cid}", headers=h).json()["items"]
    assert len(items) == 1 and {items[0]["a"]["id"], items[0]["b"]["id"]} == {a["id"], b["id"]}
    assert items[0]["reasons"] and items[0]["score"] > 0.5
    assert any(r["feature"] == "name" for r in items[0]["reasons"])
    r = client.post(
        f"/api/v1/entities/candidates/{items[0]['id']}/decision",
        headers=h,
        json={"decision": "same"},
    )
    assert r.status_code == 200 and r.json()["status"] == "same"
    keep_id = (
        a["id"]
        if client.get(f"/api/v1/entities/{a['id']}", headers=h).json()["merged_into"] is None
        else b["id"]
    )
    other_id = b["id"] if keep_id == a["id"] else a["id"]
    kept = client.get(f"/api/v1/entities/{keep_id}", headers=h).json()
    assert set(kept["properties"]["name"]) == {"Muhammad Asif Khan", "محمد آصف خان"}
    assert kept["properties"]["phone"] == ["+923001234567"]
    # Provenance: each statement still says which entity and source it came from.
    assert {s["entity_id"] for s in kept["statements"]} == {a["id"], b["id"]}
    # Search finds the merged entity once, not its merged member.
    hits = client.get("/api/v1/search?q=Asif Khan", headers=h).json()["items"]
    assert [x["id"] for x in hits] == [keep_id]
    # Split: both stand alone again with exactly their own statements.
    r = client.post(f"/api/v1/entities/{other_id}/split", headers=h)
    assert r.status_code == 200, r.text
    kept = client.get(f"/api/v1/entities/{keep_id}", headers=h).json()
    assert len(kept["properties"]["name"]) == 1
    assert len(client.get("/api/v1/search?q=Asif Khan", headers=h).json()["items"]) == 2
    assert client.get(f"/api/v1/entities/candidates?case={cid}", headers=h).json()["items"]


def test_merge_refusals(node, client) -> None:  # type: ignore[no-untyped-def]
    h, _ = bearer(node, "investigator", "inv@fia.example")
    cid = client.post("/api/v1/cases", headers=h, json=CASE).json()["id"]
    cid2 = client.post("/api/v1/cases", headers=h, json=CASE | {"reference": "C-2"}).json()["id"]
    p = person(client, h, cid, name=["Irfan Ali"])
    q = person(client, h, cid2, name=["Irfan Ali"])
    vessel = client.post(
        f"/api/v1/cases/{cid}/entities",
        headers=h,
        json={"schema": "Vessel", "properties": {"name": ["Irfan"]}},
    ).json()
    r = client.post("/api/v1/entities/merge", headers=h, json={"keep": p["id"], "merge": q["id"]})
    assert r.status_code == 422 and "same case" in r.text
    r = client.post(
        "/api/v1/entities/merge", headers=h, json={"keep": p["id"], "merge": vessel["id"]}
    )
    assert r.status_code == 422 and "cannot be the same" in r.text
    r = client.post("/api/v1/entities/merge", headers=h, json={"keep": p["id"], "merge": p["id"]})
    assert r.status_code == 422
    other, _ = bearer(node, "investigator", "x@fia.example")
    r = client.post(
        "/api/v1/entities/merge", headers=other, json={"keep": p["id"], "merge": vessel["id"]}
    )
    assert r.status_code == 404


def test_compare_endpoint_explains(node, client) -> None:  # type: ignore[no-untyped-def]
    h, _ = bearer(node, "analyst", "an@fia.example")
    r = client.post(
        "/api/v1/entities/compare",
        headers=h,
        json={
            "a": {
                "schema": "Person",
                "properties": {"name": ["Muhammad Asif Khan"], "birthDate": ["1984-03-02"]},
            },
            "b": {
                "schema": "Person",
                "properties": {"name": ["محمد آصف خان"], "birthDate": ["1984-03-02"]},
            },
        },
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["match"] is True and out["score"] >= 0.9
    assert {x["feature"] for x in out["reasons"]} >= {"name", "birthDate"}
    r = client.post(
        "/api/v1/entities/compare",
        headers=h,
        json={
            "a": {
                "schema": "Person",
                "properties": {"name": ["Muhammad Asif Khan"], "birthDate": ["1984-03-02"]},
            },
            "b": {
                "schema": "Person",
                "properties": {"name": ["Muhammad Asif Khan"], "birthDate": ["1961-11-20"]},
            },
        },
    )
    assert r.json()["match"] is not True
    assert any(x["outcome"] == "conflict" for x in r.json()["reasons"])
    r = client.post(
        "/api/v1/entities/compare",
        headers=h,
        json={"a": {"schema": "Person", "properties": {"name": ["x"]}}, "b": {"schema": "Nope"}},
    )
    assert r.status_code == 422
    r = client.post("/api/v1/entities/compare", headers=h, json={"a": {}})
    assert r.status_code == 422
