"""Cases and entities through the REST API: access, provenance, search across scripts, sharing."""

from __future__ import annotations

import pytest

from corridor.entities.models import Entity, EntityIndex, Statement
from corridor.federation import delivery
from corridor.security import service as security
from corridor.security.principal import SYSTEM
from tests.conftest import PASSWORD

CASE = {"reference": "FIA-AHTC-2026-014", "title": "Quetta–Van facilitation network"}


def bearer(node, role: str, email: str, unit: str | None = None):  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        unit_obj = None
        if unit:
            try:
                unit_obj = security.find_unit(session, unit)
            except Exception:
                unit_obj = security.create_unit(session, actor=SYSTEM, name=unit)
        user = security.create_user(
            session, actor=SYSTEM, email=email, role=role, password=PASSWORD, unit=unit_obj
        )
        secret, _ = security.create_token(
            session, actor=SYSTEM, user=user, scopes=["read", "write"]
        )
        return {"Authorization": f"Bearer {secret}"}, user.handle


@pytest.fixture
def inv(node):  # type: ignore[no-untyped-def]
    return bearer(node, "investigator", "inv@fia.example")


@pytest.fixture
def case(client, inv):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/cases", headers=inv[0], json=CASE)
    assert r.status_code == 201, r.text
    return r.json()


def person(client, headers, case_id, **props):  # type: ignore[no-untyped-def]
    r = client.post(
        f"/api/v1/cases/{case_id}/entities",
        headers=headers,
        json={"schema": "Person", "properties": props},
    )
    assert r.status_code == 201, r.text
    return r.json()


def counts(node) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with node.db.reading() as s:
        return tuple(s.query(t).count() for t in (Entity, Statement, EntityIndex))  # type: ignore[return-value]


def test_case_membership_decides_access(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    outsider, _ = bearer(node, "investigator", "other@fia.example")
    admin, _ = bearer(node, "administrator", "admin2@fia.example")
    viewer, viewer_handle = bearer(node, "viewer", "viewer@fia.example")
    cid = case["id"]
    assert case["your_role"] == "owner" and case["purpose"] == "enforcement"
    assert client.get(f"/api/v1/cases/{cid}", headers=outsider).status_code == 404
    assert client.get("/api/v1/cases", headers=outsider).json()["items"] == []
    # The administrator runs the node, not the investigations.
    assert client.get(f"/api/v1/cases/{cid}", headers=admin).status_code == 403
    # By reference too; an owner adds a reader, who may read but not write.
    r = client.post(
        f"/api/v1/cases/{CASE['reference']}/members",
        headers=inv[0],
        json={"kind": "user", "handle": viewer_handle, "role": "reader"},
    )
    assert r.status_code == 201, r.text
    # A viewer's role does not cover enforcement data, membership or not.
    assert client.get(f"/api/v1/cases/{cid}", headers=viewer).status_code == 404
    analyst, _ = bearer(node, "analyst", "an@fia.example", unit="AHTC Analysis")
    with node.db.reading() as s:
        unit = security.find_unit(s, "AHTC Analysis")
    r = client.post(
        f"/api/v1/cases/{cid}/members",
        headers=inv[0],
        json={"kind": "unit", "handle": unit.handle, "role": "reader"},
    )
    assert r.status_code == 201
    assert client.get(f"/api/v1/cases/{cid}", headers=analyst).json()["your_role"] == "reader"
    r = client.post(
        f"/api/v1/cases/{cid}/entities",
        headers=analyst,
        json={"schema": "Person", "properties": {"name": ["X"]}},
    )
    assert r.status_code == 403
    assert (
        client.post("/api/v1/cases", headers=viewer, json=CASE | {"reference": "V-1"}).status_code
        == 403
    )
    dup = client.post("/api/v1/cases", headers=inv[0], json=CASE)
    assert dup.status_code == 409


def test_protection_case_is_invisible_to_enforcement(node, client) -> None:  # type: ignore[no-untyped-def]
    po, _ = bearer(node, "protection_officer", "po@iom.example")
    inv, _ = bearer(node, "investigator", "inv2@fia.example")
    r = client.post(
        "/api/v1/cases", headers=inv, json={**CASE, "reference": "P-1", "purpose": "protection"}
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/cases", headers=po, json={**CASE, "reference": "P-1", "purpose": "protection"}
    )
    assert r.status_code == 201
    pid = r.json()["id"]
    person(client, po, pid, name=["Ahmad Zia"], nationality=["af"])
    assert client.get("/api/v1/search?q=Ahmad Zia", headers=inv).json()["items"] == []
    assert [
        h["caption"] for h in client.get("/api/v1/search?q=Ahmad Zia", headers=po).json()["items"]
    ] == ["Ahmad Zia"]


def test_entity_provenance_edit_and_as_of(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    headers, handle = inv
    p = person(
        client,
        headers,
        case["id"],
        name=["Muhammad Asif Khan"],
        phone=["0300 1234567"],
        birthDate=["1984-03-02"],
        nationality=["Pakistan"],
    )
    assert p["properties"]["phone"] == ["+923001234567"]  # national notation, node in PK
    assert p["properties"]["nationality"] == ["pk"]
    other, other_handle = bearer(node, "investigator", "inv3@fia.example")
    client.post(
        f"/api/v1/cases/{case['id']}/members",
        headers=headers,
        json={"kind": "user", "handle": other_handle},
    )
    edited = dict(p["properties"])
    edited["alias"] = ["Asif Quetta"]
    edited["phone"] = ["+92 333 7654321"]
    r = client.put(
        f"/api/v1/entities/{p['id']}",
        headers=other,
        json={"schema": "Person", "properties": edited},
    )
    assert r.status_code == 200, r.text
    assert r.json()["properties"]["phone"] == ["+923337654321"]
    got = client.get(f"/api/v1/entities/{p['id']}?as_of={handle}", headers=headers).json()
    by = {(s["prop"], s["value"]): s for s in got["statements"]}
    assert by[("phone", "+923001234567")]["retracted_at"] is not None
    assert by[("phone", "+923001234567")]["source"]["id"] == handle
    assert by[("alias", "Asif Quetta")]["source"]["id"] == other_handle
    assert set(got["sources"]) == {handle, other_handle}
    # As the first investigator stated it (the retracted phone no longer counts).
    assert got["as_of"]["properties"]["name"] == ["Muhammad Asif Khan"]
    assert "alias" not in got["as_of"]["properties"]
    # Reads of the entity are audited.
    from corridor.audit import service as audit

    with node.db.reading() as s:
        entries, _ = audit.search(s, audit.AuditFilter(action="entity.read"))
    assert any(e.object_id == p["id"] for e in entries)


def test_search_across_scripts_spellings_and_notations(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    headers, _ = inv
    cid = case["id"]
    khan = person(client, headers, cid, name=["محمد آصف خان"], nationality=["pk"])
    person(
        client, headers, cid, name=["Ahmet Yilmaz"], nationality=["tr"], phone=["+90 532 123 45 67"]
    )
    person(client, headers, cid, name=["Irfan Ali"], nationality=["pk"])
    client.post(
        f"/api/v1/cases/{cid}/entities",
        headers=headers,
        json={
            "schema": "Passport",
            "properties": {"number": ["AB1234567"], "holder": [khan["id"]]},
        },
    )
    for q in ("Muhammad Asif Khan", "Mohammed Asif", "Asif Khan", "Khan Muhammad Asif"):
        items = client.get("/api/v1/search", params={"q": q}, headers=headers).json()["items"]
        assert items and items[0]["id"] == khan["id"], (q, items)
        assert any(seg["hit"] for seg in items[0]["matched"]["highlight"])
    # A Turkish number in national notation read in this (Pakistani) node's plan is another
    # number: no false hit; in international notation it is found.
    r = client.get("/api/v1/search", params={"q": "0532 123 4567"}, headers=headers)
    assert r.status_code == 200 and r.json()["items"] == []
    r = client.get("/api/v1/search", params={"q": "+905321234567"}, headers=headers).json()
    assert [h["caption"] for h in r["items"]] == ["Ahmet Yilmaz"]
    assert r["items"][0]["matched"]["prop"] == "phone"
    r = client.get("/api/v1/search", params={"q": "ab 1234567"}, headers=headers).json()
    assert r["items"] and r["items"][0]["schema"] == "Passport"
    r = client.get("/api/v1/search", params={"q": "Khan", "country": "tr"}, headers=headers)
    assert r.json()["items"] == []
    r = client.get("/api/v1/search", params={"q": "Khan", "schema": "Vessel"}, headers=headers)
    assert r.json()["items"] == []
    r = client.get("/api/v1/search", params={"q": "Khan", "schema": "Nope"}, headers=headers)
    assert r.status_code == 422 and "unknown schema" in r.text
    # The search is audited with a hash of the query, never the name itself.
    from corridor.audit import service as audit

    with node.db.reading() as s:
        entries, _ = audit.search(s, audit.AuditFilter(action="entities.search"))
    assert entries and all("Khan" not in str(e.detail) for e in entries)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"schema": "Nope", "properties": {"name": ["x"]}}, "unknown entity schema"),
        ({"schema": "Person", "properties": {"colour": ["red"]}}, "no property"),
        ({"schema": "Person", "properties": {"birthDate": ["yesterday"]}}, "not a valid date"),
        ({"schema": "Person", "properties": {"nationality": ["Atlantis"]}}, "not a valid country"),
        ({"schema": "Person", "properties": {"phone": ["call me"]}}, "not a valid phone"),
        ({"schema": "Person", "properties": {}}, "at least one property"),
        ({"schema": "Person", "properties": {"name": ["x" * 20_000]}}, "longer than"),
        ({"schema": "Person", "id": "bad id!", "properties": {"name": ["x"]}}, "entity id"),
        ({"schema": "Person", "properties": {"name": ["x"]}, "extra": 1}, ""),
    ],
)
def test_bad_entities_store_nothing(node, client, inv, case, payload, message) -> None:  # type: ignore[no-untyped-def]
    before = counts(node)
    r = client.post(f"/api/v1/cases/{case['id']}/entities", headers=inv[0], json=payload)
    assert r.status_code in (400, 422), r.text
    assert message in r.text
    assert counts(node) == before


def test_entities_of_closed_cases_are_read_only(client, inv, case) -> None:  # type: ignore[no-untyped-def]
    p = person(client, inv[0], case["id"], name=["Irfan Ali"])
    r = client.post(f"/api/v1/cases/{case['id']}/status", headers=inv[0], json={"status": "closed"})
    assert r.status_code == 200
    r = client.put(
        f"/api/v1/entities/{p['id']}",
        headers=inv[0],
        json={"schema": "Person", "properties": {"name": ["Irfan"]}},
    )
    assert r.status_code == 409
    assert client.delete(f"/api/v1/entities/{p['id']}", headers=inv[0]).status_code == 409


def test_delete_entity_removes_it_from_search(node, client, inv, case) -> None:  # type: ignore[no-untyped-def]
    p = person(client, inv[0], case["id"], name=["Irfan Ali"])
    assert client.get("/api/v1/search?q=Irfan", headers=inv[0]).json()["items"]
    assert client.delete(f"/api/v1/entities/{p['id']}", headers=inv[0]).status_code == 204
    assert client.get("/api/v1/search?q=Irfan", headers=inv[0]).json()["items"] == []
    assert client.get(f"/api/v1/entities/{p['id']}", headers=inv[0]).status_code == 404
    assert counts(node) == (0, 0, 0)


def test_share_with_partner_third_party_rule_and_revocation(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "investigator", "inv@a.example")
    hb, _ = bearer(b, "investigator", "inv@b.example")
    cid = to_a.post("/api/v1/cases", headers=ha, json=CASE).json()["id"]
    khan = person(to_a, ha, cid, name=["محمد آصف خان"], phone=["0300 1234567"])
    device = to_a.post(
        f"/api/v1/cases/{cid}/entities",
        headers=ha,
        json={
            "schema": "MobileDevice",
            "properties": {"imeiNumber": ["490154203237518"], "holder": [khan["id"]]},
        },
    ).json()
    person(to_a, ha, cid, name=["Not shared"])
    r = to_a.post(
        "/api/v1/entities/share",
        headers=ha,
        json={
            "entities": [khan["id"]],
            "to": [b.id],
            "title": "Facilitator in Quetta",
            "tlp": "AMBER",
            "purpose": "enforcement",
        },
    )
    assert r.status_code == 201, r.text
    shared = r.json()
    assert set(shared["entities"]) == {khan["id"], device["id"]}  # the holder's device goes along
    delivery.push_to(a, b.id, http=to_b)
    items = to_b.get("/api/v1/entities?from=partners", headers=hb).json()["items"]
    assert {i["origin"] for i in items} == {a.id} and len(items) == 2
    hits = to_b.get("/api/v1/search", params={"q": "Muhammad Asif Khan"}, headers=hb).json()
    assert hits["items"][0]["origin"] == a.id
    pid = hits["items"][0]["id"]
    got = to_b.get(f"/api/v1/entities/{pid}", headers=hb).json()
    assert got["statements"][0]["source"] == {
        "kind": "partner",
        "id": a.id,
        "label": "Facilitator in Quetta",
    }
    dev = next(i for i in items if i["schema"] == "MobileDevice")
    assert dev["properties"]["holder"] == [pid]
    # B may not edit A's entity, nor pass it on (third-party rule).
    assert (
        to_b.put(
            f"/api/v1/entities/{pid}",
            headers=hb,
            json={"schema": "Person", "properties": {"name": ["x"]}},
        ).status_code
        == 403
    )
    r = to_b.post(
        "/api/v1/entities/share",
        headers=hb,
        json={"entities": [pid], "to": [a.id], "title": "back"},
    )
    assert r.status_code == 403
    # A withdraws the share: B keeps nothing of it.
    hr = {"Authorization": ha["Authorization"]}
    from corridor.records import service as records

    with a.db.transaction() as s:
        inv = security.principal_for(security.find_user(s, "inv@a.example"), kind="session")
        import uuid

        records.revoke(s, a.keys, actor=inv, record_id=uuid.UUID(shared["id"]), reason="done")
    delivery.push_to(a, b.id, http=to_b)
    assert to_b.get("/api/v1/entities?from=partners", headers=hb).json()["items"] == []
    assert to_b.get("/api/v1/search", params={"q": "Asif"}, headers=hb).json()["items"] == []
    assert counts(b) == (0, 0, 0)
    assert to_a.get(f"/api/v1/entities/{khan['id']}", headers=hr).status_code == 200


def test_a_share_is_at_least_as_strict_as_its_entities(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, _ = pair
    ha, _ = bearer(a, "investigator", "inv@a.example")
    cid = to_a.post("/api/v1/cases", headers=ha, json=CASE | {"tlp": "GREEN"}).json()["id"]
    r = to_a.post(
        f"/api/v1/cases/{cid}/entities",
        headers=ha,
        json={"schema": "Person", "properties": {"name": ["Source X"]}, "tlp": "AMBER+STRICT"},
    )
    assert r.status_code == 201
    r = to_a.post(
        f"/api/v1/cases/{cid}/entities",
        headers=ha,
        json={"schema": "Person", "properties": {"name": ["Y"]}, "tlp": "CLEAR"},
    )
    assert r.status_code == 422  # less strict than its GREEN case
    eid = to_a.get(f"/api/v1/cases/{cid}/entities", headers=ha).json()["items"][0]["id"]
    r = to_a.post(
        "/api/v1/entities/share",
        headers=ha,
        json={"entities": [eid], "to": [b.id], "title": "x", "tlp": "GREEN"},
    )
    assert r.status_code == 422 and "AMBER+STRICT" in r.text
    r = to_a.post(
        "/api/v1/entities/share",
        headers=ha,
        json={"entities": [eid], "to": [b.id], "title": "x", "tlp": "AMBER+STRICT"},
    )
    assert r.status_code == 201
