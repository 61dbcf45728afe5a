"""Duplicate detection, the review queue, merge with provenance, split; partners never merged
silently."""

from __future__ import annotations

from sqlalchemy import select

from corridor.records import service as records
from corridor.records.models import StoredRecord
from corridor.security import service as security
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
    assert out["name_match"] is True and out["name_level"] == "agree"
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


def test_store_wide_detection_proposes_partner_duplicates_and_merges_only_on_decision(pair) -> None:  # type: ignore[no-untyped-def]
    from corridor.federation import delivery

    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "investigator", "inv@a.example")
    hb, _ = bearer(b, "investigator", "inv@b.example")
    cid_a = to_a.post("/api/v1/cases", headers=ha, json=CASE).json()["id"]
    shared = person(to_a, ha, cid_a, name=["محمد آصف خان"], birthDate=["1984-03-02"])
    to_a.post(
        "/api/v1/entities/share",
        headers=ha,
        json={"entities": [shared["id"]], "to": [b.id], "title": "Coordinator"},
    )
    delivery.push_to(a, b.id, http=to_b)
    cid_b = to_b.post("/api/v1/cases", headers=hb, json=CASE | {"reference": "JAN-1"}).json()["id"]
    own = person(
        to_b, hb, cid_b, name=["Mohammad Asif Khan"], birthDate=["1984-03-02"], nationality=["pk"]
    )
    r = to_b.post("/api/v1/entities/dedupe", headers=hb, json={})
    assert r.status_code == 200 and r.json()["proposed"] == 1
    # Proposed, not merged: both still stand alone.
    partner_id = f"{a.id}.{shared['id']}"
    assert to_b.get(f"/api/v1/entities/{partner_id}", headers=hb).json()["merged_into"] is None
    cand = to_b.get("/api/v1/entities/candidates", headers=hb).json()["items"][0]
    to_b.post(
        f"/api/v1/entities/candidates/{cand['id']}/decision", headers=hb, json={"decision": "same"}
    )
    # Our entity is kept; the partner's is merged into it (never the other way round).
    assert to_b.get(f"/api/v1/entities/{partner_id}", headers=hb).json()["merged_into"] == own["id"]
    kept = to_b.get(f"/api/v1/entities/{own['id']}", headers=hb).json()
    assert "محمد آصف خان" in kept["properties"]["name"]
    assert {s["source"]["kind"] for s in kept["statements"]} == {"user", "partner"}
    # The origin withdraws its share: what we had merged from it goes, our own stays.
    with a.db.transaction() as s:
        inv = security.principal_for(security.find_user(s, "inv@a.example"), kind="session")
        rec = s.scalar(select(StoredRecord.id).where(StoredRecord.type == "entities"))
        records.revoke(s, a.keys, actor=inv, record_id=rec, reason="withdrawn")
    delivery.push_to(a, b.id, http=to_b)
    kept = to_b.get(f"/api/v1/entities/{own['id']}", headers=hb).json()
    assert kept["properties"]["name"] == ["Mohammad Asif Khan"]
    assert {s["source"]["kind"] for s in kept["statements"]} == {"user"}
