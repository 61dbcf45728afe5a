"""Link analysis of a case through the API: graph, expansion, paths, key players, timeline,
saved charts, exports (FtM, CSV with formula escaping, GEXF, GraphML)."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx

from tests.entities.test_api import CASE, bearer


def ent(client, h, cid, schema, **props):  # type: ignore[no-untyped-def]
    r = client.post(
        f"/api/v1/cases/{cid}/entities", headers=h, json={"schema": schema, "properties": props}
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def network(node, client):  # type: ignore[no-untyped-def]
    """A small smuggling network: an organiser, a broker, two drivers sharing a phone, a
    hawala payment and a call."""
    h, _ = bearer(node, "investigator", "inv@fia.example")
    cid = client.post("/api/v1/cases", headers=h, json=CASE).json()["id"]
    boss = ent(client, h, cid, "Person", name=["Haji Karim"])
    broker = ent(client, h, cid, "Person", name=["Asif Quetta"], phone=["+923001234567"])
    d1 = ent(client, h, cid, "Person", name=["Driver One"], phone=["+989121234567"])
    d2 = ent(client, h, cid, "Person", name=["Driver Two"], phone=["+98 912 123 4567"])
    migrant_agent = ent(client, h, cid, "Person", name=['=HYPERLINK("http://x")'])
    ent(client, h, cid, "Associate", person=[boss], associate=[broker], relationship=["boss"])
    ent(client, h, cid, "Associate", person=[broker], associate=[d1])
    ent(
        client,
        h,
        cid,
        "Payment",
        payer=[boss],
        beneficiary=[broker],
        amount=["2500000"],
        currency=["PKR"],
        date=["2026-05-02"],
    )
    ent(client, h, cid, "Call", caller=[broker], receiver=[d2], date=["2026-05-03T21:10:00"])
    ent(client, h, cid, "Associate", person=[migrant_agent], associate=[broker])
    return h, cid, {"boss": boss, "broker": broker, "d1": d1, "d2": d2}


def test_graph_paths_metrics_timeline(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid, ids = network(node, client)
    g = client.get(f"/api/v1/cases/{cid}/graph", headers=h).json()
    node_ids = {n["data"]["id"] for n in g["nodes"]}
    assert set(ids.values()) <= node_ids
    # The two drivers share a phone: a selector node links them.
    assert any(n["data"]["kind"] == "phone" for n in g["nodes"])
    assert g["truncated"] is False
    sub = client.get(
        f"/api/v1/cases/{cid}/graph", params={"seed": ids["d2"], "hops": 1}, headers=h
    ).json()
    assert ids["d2"] in {n["data"]["id"] for n in sub["nodes"]}
    assert len(sub["nodes"]) < len(g["nodes"])
    paths = client.get(
        f"/api/v1/cases/{cid}/graph/paths", params={"a": ids["boss"], "b": ids["d2"]}, headers=h
    ).json()["paths"]
    assert paths and ids["broker"] in [p["id"] for p in paths[0]]
    metrics = client.get(f"/api/v1/cases/{cid}/graph/metrics", headers=h).json()
    assert metrics["betweenness"][0]["id"] == ids["broker"]
    timeline = client.get(f"/api/v1/cases/{cid}/graph/timeline", headers=h).json()["items"]
    assert [i["kind"] for i in timeline][:2] == ["payment", "call"]
    r = client.get(f"/api/v1/cases/{cid}/graph", params={"seed": "nope"}, headers=h)
    assert r.status_code == 404
    other, _ = bearer(node, "investigator", "other@fia.example")
    assert client.get(f"/api/v1/cases/{cid}/graph", headers=other).status_code == 404


def test_charts_are_saved_per_case(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid, ids = network(node, client)
    layout = {"positions": {ids["boss"]: {"x": 10, "y": 20}}, "pinned": [ids["boss"]]}
    r = client.post(
        f"/api/v1/cases/{cid}/charts", headers=h, json={"name": "Main chart", "layout": layout}
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/v1/cases/{cid}/charts",
        headers=h,
        json={"name": "Main chart", "layout": {**layout, "pinned": []}},
    )
    items = client.get(f"/api/v1/cases/{cid}/charts", headers=h).json()["items"]
    assert len(items) == 1 and items[0]["layout"]["pinned"] == []
    big = {"positions": {str(i): {"x": i, "y": i} for i in range(80_000)}}
    r = client.post(f"/api/v1/cases/{cid}/charts", headers=h, json={"name": "x", "layout": big})
    assert r.status_code in (413, 422)


def test_exports(node, client) -> None:  # type: ignore[no-untyped-def]
    h, cid, ids = network(node, client)
    r = client.get(f"/api/v1/cases/{cid}/export?format=ftm", headers=h)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "TLP_AMBER" in r.headers["content-disposition"]
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert ids["broker"] in {x["id"] for x in lines}
    r = client.get(f"/api/v1/cases/{cid}/export?format=csv", headers=h)
    text = r.content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(c.startswith("=") for c in cells)  # formula injection escaped
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    for fmt, reader in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        r = client.get(f"/api/v1/cases/{cid}/export?format={fmt}", headers=h)
        assert r.status_code == 200, r.text
        g = reader(io.BytesIO(r.content))
        assert ids["broker"] in g.nodes
    assert client.get(f"/api/v1/cases/{cid}/export?format=xls", headers=h).status_code == 422
    # Exports are audited.
    from corridor.audit import service as audit

    with node.db.reading() as s:
        entries, _ = audit.search(s, audit.AuditFilter(action="case.export"))
    assert len(entries) == 4


def hub_with_accounts(client, h, cid, accounts: int = 7):  # type: ignore[no-untyped-def]
    """A hawaladar holding `accounts` bank accounts nobody else touches, and one associate."""
    qasim = ent(client, h, cid, "Person", name=["Qasim Ali"])
    gul = ent(client, h, cid, "Person", name=["Gul Wali"])
    reza = ent(client, h, cid, "Person", name=["Reza Ahmadi"])
    ent(client, h, cid, "Associate", person=[qasim], associate=[gul])
    ent(client, h, cid, "Associate", person=[gul], associate=[reza])
    held = []
    for i in range(accounts):
        acct = ent(client, h, cid, "BankAccount", accountNumber=[f"PK36SCBL000000112345{i:04d}"])
        ent(client, h, cid, "Ownership", owner=[qasim], asset=[acct])
        held.append(acct)
    return qasim, gul, reza, held


def test_graph_folds_a_hubs_leaves_and_lists_them_on_demand(node, client) -> None:  # type: ignore[no-untyped-def]
    h, _ = bearer(node, "investigator", "inv@fia.example")
    cid = client.post("/api/v1/cases", headers=h, json=CASE).json()["id"]
    qasim, gul, reza, accounts = hub_with_accounts(client, h, cid)
    g = client.get(f"/api/v1/cases/{cid}/graph", headers=h).json()
    nodes = {n["data"]["id"]: n["data"] for n in g["nodes"]}
    cluster = f"grp:{qasim}:account"
    assert set(nodes) == {qasim, gul, reza, cluster}
    assert nodes[cluster]["count"] == 7 and nodes[cluster]["hub"] == qasim
    assert nodes[cluster]["members"] == [
        {"schema": "BankAccount", "kind": "entity", "group": "account", "count": 7}
    ]
    # Every node says how it is drawn and how many nodes it is linked to in the whole case.
    assert nodes[qasim]["group"] == "person" and nodes[qasim]["links"] == 2
    assert nodes[qasim]["tlp"] == "AMBER"
    # The hub's neighbourhood, unfolded, lists them; folded (the default), the cluster again.
    opened = client.get(
        f"/api/v1/cases/{cid}/graph",
        params={"seed": qasim, "hops": 1, "fold": "false"},
        headers=h,
    ).json()
    opened_ids = {n["data"]["id"] for n in opened["nodes"]}
    assert set(accounts) <= opened_ids and cluster not in opened_ids
    assert {n["data"]["links"] for n in opened["nodes"] if n["data"]["id"] in accounts} == {1}
    again = client.get(
        f"/api/v1/cases/{cid}/graph", params={"seed": qasim, "hops": 1}, headers=h
    ).json()
    assert {n["data"]["id"] for n in again["nodes"]} == {qasim, gul, cluster}
    # Seen from the associate, the hub has links the view does not show yet.
    near = client.get(
        f"/api/v1/cases/{cid}/graph", params={"seed": gul, "hops": 0}, headers=h
    ).json()
    assert [(n["data"]["id"], n["data"]["links"]) for n in near["nodes"]] == [(gul, 2)]
    # An account asked for by name is never folded away.
    one = client.get(
        f"/api/v1/cases/{cid}/graph", params={"seed": accounts[0], "hops": 1}, headers=h
    ).json()
    assert {n["data"]["id"] for n in one["nodes"]} == {accounts[0], qasim}


def test_graph_marks_stricter_labels_and_partner_data(pair) -> None:  # type: ignore[no-untyped-def]
    from corridor.federation import delivery
    from tests.entities.test_api import person

    a, b, to_a, to_b = pair
    ha, _ = bearer(a, "investigator", "inv@a.example")
    hb, _ = bearer(b, "investigator", "inv@b.example")
    cid_a = to_a.post("/api/v1/cases", headers=ha, json=CASE).json()["id"]
    shared = person(to_a, ha, cid_a, name=["محمد آصف خان"], birthDate=["1984-03-02"])
    r = to_a.post(
        "/api/v1/entities/share",
        headers=ha,
        json={
            "entities": [shared["id"]],
            "to": [b.id],
            "title": "Coordinator",
            "tlp": "AMBER+STRICT",
        },
    )
    assert r.status_code in (200, 201), r.text
    delivery.push_to(a, b.id, http=to_b)
    cid_b = to_b.post("/api/v1/cases", headers=hb, json=CASE | {"reference": "JAN-1"}).json()["id"]
    own = person(to_b, hb, cid_b, name=["Mohammad Asif Khan"], birthDate=["1984-03-02"])["id"]
    karim = person(to_b, hb, cid_b, name=["Haji Karim"])["id"]
    r = to_b.post(
        f"/api/v1/cases/{cid_b}/entities",
        headers=hb,
        json={"schema": "Person", "properties": {"name": ["Informant"]}, "tlp": "RED"},
    )
    assert r.status_code == 201, r.text
    informant = r.json()["id"]
    for other in (karim, informant):
        ent(to_b, hb, cid_b, "Associate", person=[own], associate=[other])
    to_b.post("/api/v1/entities/dedupe", headers=hb, json={})
    cand = to_b.get("/api/v1/entities/candidates", headers=hb).json()["items"][0]
    to_b.post(
        f"/api/v1/entities/candidates/{cand['id']}/decision", headers=hb, json={"decision": "same"}
    )
    g = to_b.get(f"/api/v1/cases/{cid_b}/graph", headers=hb).json()
    nodes = {n["data"]["id"]: n["data"] for n in g["nodes"]}
    # Our entity holds the partner's statements: it names the partner and takes its label.
    assert nodes[own]["partners"] == [a.id]
    assert nodes[own]["tlp"] == "AMBER+STRICT"
    assert nodes[informant]["tlp"] == "RED" and "partners" not in nodes[informant]
    assert nodes[karim]["tlp"] == "AMBER"
    # The side panel's facts of that node name the partner node and the stricter label.
    from corridor.security import service as security
    from tests.entities.test_pages import login

    def existing(_role: str):  # type: ignore[no-untyped-def]
        with b.db.transaction() as s:
            return security.principal_for(security.find_user(s, "inv@b.example"), kind="session")

    page, _ = login(b, existing)
    facts = page.get(f"/cases/{cid_b}/graph/_node/{own}")
    assert facts.status_code == 200, facts.text
    assert "Test node (PK)" in facts.text and "TLP:AMBER+STRICT" in facts.text
    assert "stricter than the case" in facts.text
