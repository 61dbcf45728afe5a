"""Link analysis on a small hand-built smuggling case: two networks that never touch.

Route network (Pakistan - Iran - Türkiye): the organiser in Lahore and his recruiter; a hawala
chain (a migrant's brother pays a hawaladar in Lahore, who settles with one in Istanbul, who pays
the broker); the broker in Quetta, the only one who deals with both sides; a driver and a second
driver sharing one phone (written in two notations); a Turkish boat owner, his boat, its captain
and the crossing.

Libya network: an organiser in Zuwara with two associates and a call, no link to the first.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx
import pytest
from followthemoney import EntityProxy
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from corridor.entities.analysis import facts, metrics
from corridor.entities.analysis import graph as g
from corridor.entities.ftm import make_entity, model
from corridor.errors import InvalidInput

ROUTE = {
    "organiser",
    "recruiter",
    "brother",
    "hawala-lhr",
    "hawala-ist",
    "broker",
    "driver1",
    "driver2",
    "boatowner",
    "captain",
    "boat",
    "crossing",
    "passport-d1",
    "acct-brother",
}
LIBYA = {"zawi", "musa", "yusuf"}


def entity(schema: str, entity_id: str, **props: Any) -> EntityProxy:
    proxy = make_entity(schema, entity_id)
    for name, value in props.items():
        proxy.add(name, value)
    return proxy


def case() -> list[EntityProxy]:
    return [
        entity("Person", "organiser", name="Rashid Mahmood", country="pk", phone="+923004440001"),
        entity("Person", "recruiter", name="Asif Khan", country="pk"),
        entity("Person", "brother", name="Bilal Ahmed", country="pk"),
        entity("Person", "hawala-lhr", name="Haji Saleem", country="pk"),
        entity("Person", "hawala-ist", name="Omar Farouk", country="tr"),
        entity("Person", "broker", name="Imran Baloch", country="pk", phone="+923331112233"),
        entity("Person", "driver1", name="Reza Karimi", country="ir", phone="+92 300 1234567"),
        # Gets the same phone written locally (below): FtM cleans it to E.164 with a hint.
        entity("Person", "driver2", name="Hamid Rostami", country=["ir", "pk"]),
        entity("Person", "boatowner", name="Kemal Aydin", country="tr"),
        entity("Person", "captain", name="Yusuf Demir", country="tr"),
        entity("Vessel", "boat", name="Deniz Yildizi", flag="tr"),
        entity("Passport", "passport-d1", number="K1234567", holder="driver1", country="ir"),
        entity("BankAccount", "acct-brother", accountNumber="PK36SCBL0000001123456702"),
        entity("Address", "karachi", full="House 12, Street 4, Gulshan-e-Iqbal, Karachi"),
        entity("Associate", "as-rec", person="organiser", associate="recruiter"),
        entity("Associate", "as-boat", person="broker", associate="boatowner"),
        entity("Associate", "as-d2", person="broker", associate="driver2"),
        entity("Ownership", "own-boat", owner="boatowner", asset="boat"),
        entity("Ownership", "own-acct", owner="brother", asset="acct-brother"),
        entity(
            "Payment",
            "pay1",
            payer="brother",
            payerAccount="acct-brother",
            beneficiary="hawala-lhr",
            amount="2500000",
            currency="PKR",
            date="2023-05-02",
        ),
        entity(
            "Payment",
            "pay2",
            payer="hawala-lhr",
            beneficiary="hawala-ist",
            amount="8500",
            currency="USD",
            date="2023-05-03",
        ),
        entity(
            "Payment",
            "pay3",
            payer="hawala-ist",
            beneficiary="broker",
            amount="8000",
            currency="USD",
            date="2023-05-05",
        ),
        entity("Call", "call1", caller="organiser", receiver="broker", date="2023-05-01T21:14"),
        entity("Call", "call2", caller="broker", receiver="driver1", date="2023-05-06T08:30"),
        entity("Call", "call3", caller="broker", receiver="organiser", date="2023-05-01T09:00"),
        entity(
            "Trip",
            "crossing",
            name="Crossing Çeşme - Chios",
            vehicle="boat",
            involved=["captain"],
            organizer="boatowner",
            startDate="2023-05-09",
        ),
        entity("Event", "meeting", name="Meeting in Quetta", involved=["broker", "driver1"]),
        entity("Person", "zawi", name="Abdelrahman Zawi", country="ly"),
        entity("Person", "musa", name="Musa Ibrahim", country="ly"),
        entity("Person", "yusuf", name="Yusuf Ali", country="ly"),
        entity("Associate", "as-ly1", person="zawi", associate="musa"),
        entity("Associate", "as-ly2", person="zawi", associate="yusuf"),
        entity("Call", "call-ly", caller="musa", receiver="yusuf", date="2023-04-20"),
    ]


def with_shared_phone() -> list[EntityProxy]:
    entities = case()
    for proxy in entities:
        if proxy.id == "driver2":
            proxy.add("phone", "0300-1234567", format="pk")
    return entities


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    return g.build_graph(with_shared_phone())


def test_nodes_are_things_and_relations_are_edges(graph: nx.Graph) -> None:
    assert graph.nodes["organiser"] == {
        "schema": "Person",
        "caption": "Rashid Mahmood",
        "countries": ["pk"],
        "kind": "entity",
    }
    for relation_id in ("pay1", "as-rec", "call1", "own-boat"):
        assert relation_id not in graph
    # Trips and events are hubs joining their participants.
    assert set(graph.adj["crossing"]) == {"boat", "captain", "boatowner"}
    relations = graph.edges["organiser", "broker"]["relations"]
    assert sorted(r.entity for r in relations) == ["call1", "call3"]
    assert graph.edges["organiser", "broker"]["weight"] == 2.0
    assert g.edge_label(relations) == "Call ×2"


def test_edge_relations_keep_direction_entity_and_dates(graph: nx.Graph) -> None:
    (paid,) = [r for r in graph.edges["brother", "hawala-lhr"]["relations"]]
    assert paid.schema == "Payment"
    assert paid.label == "paid"
    assert (paid.source, paid.target, paid.directed) == ("brother", "hawala-lhr", True)
    assert (paid.entity, paid.start) == ("pay1", "2023-05-02")
    (held,) = graph.edges["passport-d1", "driver1"]["relations"]
    assert (held.source, held.target, held.prop, held.entity) == (
        "passport-d1",
        "driver1",
        "holder",
        None,
    )


def test_payer_is_linked_to_the_account_the_payment_left_from(graph: nx.Graph) -> None:
    labels = {r.label for r in graph.edges["brother", "acct-brother"]["relations"]}
    assert labels == {"owns", "Payer bank account"}


def test_shared_phone_links_two_persons_through_a_selector(graph: nx.Graph) -> None:
    phone = "sel:phone:+923001234567"
    assert graph.nodes[phone]["kind"] == "phone"
    assert graph.nodes[phone]["schema"] == g.SELECTOR_SCHEMA
    assert graph.nodes[phone]["caption"] == "+92 300 1234567"
    assert set(graph.adj[phone]) == {"driver1", "driver2"}
    assert ["driver1", phone, "driver2"] in metrics.shortest_paths(graph, "driver1", "driver2")


def test_unshared_values_make_no_selector_nodes(graph: nx.Graph) -> None:
    selectors = [n for n, kind in graph.nodes(data="kind") if kind != g.ENTITY_KIND]
    assert selectors == ["sel:phone:+923001234567"]


def test_without_selectors_the_drivers_are_only_linked_through_the_broker() -> None:
    plain = g.build_graph(with_shared_phone(), selectors=False)
    assert all(kind == g.ENTITY_KIND for _, kind in plain.nodes(data="kind"))
    assert metrics.shortest_paths(plain, "driver1", "driver2", max_paths=1) == [
        ["driver1", "broker", "driver2"]
    ]


def test_raw_phone_notations_are_cleaned_with_the_entity_countries() -> None:
    raw = model.get_proxy(
        {
            "id": "r",
            "schema": "Person",
            "properties": {"phone": ["0300 1234567"], "country": ["pk"]},
        },
        cleaned=True,
    )
    graph = g.build_graph([raw, entity("Person", "q", phone="+923001234567")])
    assert set(graph.adj["sel:phone:+923001234567"]) == {"r", "q"}


def test_address_document_and_account_selectors() -> None:
    entities = [
        entity("Person", "a", name="A", address="House 12, Street 4, Gulshan-e-Iqbal, Karachi"),
        entity("Address", "addr", full="house 12 street 4 gulshan e iqbal karachi"),
        entity("Person", "b", name="B", passportNumber="k-123 4567"),
        entity("Passport", "pp", number="K1234567"),
        entity("BankAccount", "x1", iban="DE89 3704 0044 0532 0130 00"),
        entity("Event", "ev", name="Tip-off", ibanMentioned="DE89370400440532013000"),
        entity("Person", "c", name="C", address="Karachi"),
        entity("Person", "d", name="D", address="Karachi", idNumber="123"),
        entity("Person", "e", name="E", idNumber="123"),
    ]
    graph = g.build_graph(entities)
    selectors = {n: set(graph.adj[n]) for n, k in graph.nodes(data="kind") if k != g.ENTITY_KIND}
    assert selectors == {
        "sel:address:house 12 street 4 gulshan e iqbal karachi": {"a", "addr"},
        "sel:document:K1234567": {"b", "pp"},
        "sel:account:DE89370400440532013000": {"x1", "ev"},
    }


def test_call_known_only_by_numbers_joins_phone_selectors() -> None:
    entities = [
        entity("Person", "p", name="P", phone="+923331112233"),
        entity("Call", "c1", callerNumber="+923331112233", receiverNumber="+306912345678"),
        entity(
            "Call", "c2", caller="p", callerNumber="+923331112233", receiverNumber="+905321234567"
        ),
    ]
    graph = g.build_graph(entities)
    caller = "sel:phone:+923331112233"
    assert set(graph.adj[caller]) == {"p", "sel:phone:+306912345678"}
    assert [r.label for r in graph.edges["p", caller]["relations"]] == ["Caller's Number", "Phone"]
    assert set(graph.adj["p"]) == {caller, "sel:phone:+905321234567"}
    plain = g.build_graph(entities, selectors=False)
    assert set(plain) == {"p"}


def test_missing_references_are_listed_for_the_caller(graph: nx.Graph) -> None:
    partial = g.build_graph([e for e in case() if e.id not in {"broker", "boat"}])
    assert partial.graph["missing"] == ["boat", "broker"]
    assert graph.graph["missing"] == []


def test_bad_input_is_rejected() -> None:
    nameless = make_entity("Person")
    with pytest.raises(InvalidInput):
        g.build_graph([nameless])
    with pytest.raises(InvalidInput, match="clashing"):
        g.build_graph([entity("Person", "x"), entity("Vessel", "x")])


def test_duplicate_ids_are_merged() -> None:
    graph = g.build_graph([entity("Person", "x", name="A"), entity("Person", "x", country="pk")])
    assert graph.nodes["x"]["countries"] == ["pk"]
    assert graph.nodes["x"]["caption"] == "A"


def test_broker_has_the_highest_betweenness(graph: nx.Graph) -> None:
    scores = metrics.centrality(graph)
    assert set(scores) == {"degree", "betweenness", "pagerank"}
    betweenness = scores["betweenness"]
    assert max(betweenness, key=betweenness.__getitem__) == "broker"
    assert betweenness["recruiter"] == 0.0
    degree = scores["degree"]
    assert max(degree, key=degree.__getitem__) == "broker"
    assert degree["broker"] == pytest.approx(6 / (graph.number_of_nodes() - 1))


def test_pagerank_matches_networkx_reference(graph: nx.Graph) -> None:
    ours = metrics.pagerank(graph, tol=1e-10, max_iter=500)
    reference = _pagerank_python(graph, alpha=0.85, tol=1e-10, max_iter=500, weight="weight")
    assert sum(ours.values()) == pytest.approx(1.0)
    for node, score in reference.items():
        assert ours[node] == pytest.approx(score, abs=1e-8)
    lonely = nx.Graph()
    lonely.add_nodes_from("abc")
    lonely.add_edge("a", "b", weight=3.0)
    assert metrics.pagerank(lonely)["c"] == pytest.approx(
        _pagerank_python(lonely, weight="weight")["c"], abs=1e-6
    )


def test_betweenness_is_sampled_only_above_the_budget() -> None:
    assert metrics.betweenness_pivots(nx.path_graph(100)) is None
    big = nx.grid_2d_graph(40, 40)
    pivots = metrics.betweenness_pivots(big)
    assert pivots is not None
    assert metrics.MIN_PIVOTS <= pivots < big.number_of_nodes()
    assert pivots * (big.number_of_nodes() + big.number_of_edges()) <= metrics.BETWEENNESS_BUDGET


def test_sampled_betweenness_still_finds_the_bridge() -> None:
    left = nx.relabel_nodes(nx.grid_2d_graph(25, 25), lambda n: f"l{n}")
    right = nx.relabel_nodes(nx.grid_2d_graph(25, 25), lambda n: f"r{n}")
    two_towns = nx.union(left, right)
    two_towns.add_edge("l(12, 24)", "r(12, 0)")
    assert metrics.betweenness_pivots(two_towns) is not None
    scores = metrics.centrality(two_towns)["betweenness"]
    top = sorted(scores, key=scores.__getitem__, reverse=True)[:2]
    assert set(top) == {"l(12, 24)", "r(12, 0)"}


def test_two_separate_networks_land_in_separate_communities(graph: nx.Graph) -> None:
    groups = metrics.communities(graph)
    assert set().union(*groups) == set(graph)
    assert sum(len(c) for c in groups) == graph.number_of_nodes()
    libya = [c for c in groups if c & LIBYA]
    assert libya == [LIBYA]
    assert all(
        not (c & ROUTE) or c <= ROUTE | {"meeting", "sel:phone:+923001234567"} for c in groups
    )
    assert metrics.communities(graph) == groups


def test_communities_keep_leaves_with_their_holder() -> None:
    two_cells = nx.Graph()
    for cell in ("a", "b"):
        nodes = [f"{cell}{i}" for i in range(5)]
        two_cells.add_edges_from((x, y, {"weight": 1.0}) for x in nodes for y in nodes if x < y)
        two_cells.add_edge(f"{cell}0", f"{cell}-phone", weight=1.0)
    two_cells.add_edge("a1", "b1", weight=1.0)
    groups = metrics.communities(two_cells)
    assert {frozenset(c) for c in groups} == {
        frozenset({"a0", "a1", "a2", "a3", "a4", "a-phone"}),
        frozenset({"b0", "b1", "b2", "b3", "b4", "b-phone"}),
    }


def test_shortest_path_passes_through_the_broker(graph: nx.Graph) -> None:
    paths = metrics.shortest_paths(graph, "recruiter", "captain")
    assert paths[0] == ["recruiter", "organiser", "broker", "boatowner", "crossing", "captain"]
    assert all("broker" in p for p in paths)
    assert [len(p) for p in paths] == sorted(len(p) for p in paths)
    assert len({tuple(p) for p in paths}) == len(paths)
    assert metrics.shortest_paths(graph, "recruiter", "zawi") == []
    assert metrics.shortest_paths(graph, "zawi", "zawi") == [["zawi"]]
    with pytest.raises(InvalidInput):
        metrics.shortest_paths(graph, "recruiter", "nobody")
    with pytest.raises(InvalidInput):
        metrics.shortest_paths(graph, "recruiter", "zawi", max_paths=0)


def test_neighbourhood_expands_by_hops(graph: nx.Graph) -> None:
    one = metrics.neighbourhood(graph, ["broker"], hops=1)
    assert set(one) == {"broker", *graph.adj["broker"]}
    assert one.graph["truncated"] is False
    assert one.edges["organiser", "broker"]["weight"] == 2.0
    two = metrics.neighbourhood(graph, ["broker"], hops=2)
    assert "recruiter" in two and "recruiter" not in one
    assert metrics.neighbourhood(graph, ["zawi"], hops=5).nodes == graph.subgraph(LIBYA).nodes


def test_neighbourhood_truncates_at_the_limit(graph: nx.Graph) -> None:
    cut = metrics.neighbourhood(graph, ["broker"], hops=2, limit=4)
    assert cut.number_of_nodes() == 4
    assert cut.graph["truncated"] is True
    # The organiser (two calls) is tied more strongly to the broker than any other neighbour.
    assert "organiser" in cut
    with pytest.raises(InvalidInput):
        metrics.neighbourhood(graph, ["nobody"])
    with pytest.raises(InvalidInput):
        metrics.neighbourhood(graph, [])


def test_timeline_orders_calls_payments_trips_and_events() -> None:
    items = facts.timeline(with_shared_phone())
    assert [i.id for i in items] == [
        "call-ly",
        "call3",
        "call1",
        "pay1",
        "pay2",
        "pay3",
        "call2",
        "crossing",
        "meeting",
    ]
    kinds = {i.id: i.kind for i in items}
    assert (kinds["call1"], kinds["pay1"], kinds["crossing"], kinds["meeting"]) == (
        "call",
        "payment",
        "trip",
        "event",
    )
    pay1 = next(i for i in items if i.id == "pay1")
    assert (pay1.amount, pay1.currency, pay1.start) == (2_500_000.0, "PKR", "2023-05-02")
    assert [(p.id, p.caption, p.role) for p in pay1.participants] == [
        ("brother", "Bilal Ahmed", "payer"),
        ("acct-brother", "PK36SCBL0000001123456702", "payerAccount"),
        ("hawala-lhr", "Haji Saleem", "beneficiary"),
    ]
    crossing = next(i for i in items if i.id == "crossing")
    assert {p.role for p in crossing.participants} == {"organizer", "involved", "vehicle"}
    assert items[-1].start is None
    json.dumps([i.to_dict() for i in items])


def test_timeline_names_bare_numbers_as_phone_selectors() -> None:
    call = entity("Call", "c", callerNumber="+923331112233", startDate="2024-02-01T10:00")
    trip = entity("Trip", "t", startLocation="from", endLocation="to", date="2024-01-01")
    start = entity("Address", "from", full="Zuwara port")
    (first, second) = facts.timeline([call, trip, start])
    assert (first.origin, first.destination) == ("Zuwara port", "to")
    assert second.participants == (
        facts.Participant("sel:phone:+923331112233", "+92 333 1112233", "callerNumber"),
    )


def test_to_cytoscape_elements(graph: nx.Graph) -> None:
    scores = metrics.centrality(graph)
    groups = metrics.communities(graph)
    elements = g.to_cytoscape(graph, centrality=scores, communities=groups)
    json.dumps(elements)
    nodes = {n["data"]["id"]: n["data"] for n in elements["nodes"]}
    assert set(nodes) == set(graph)
    broker = nodes["broker"]
    assert broker["label"] == "Imran Baloch"
    assert broker["schema"] == "Person"
    assert broker["betweenness"] == scores["betweenness"]["broker"]
    assert max(n["size"] for n in nodes.values()) == 1.0
    assert nodes["zawi"]["community"] == next(i for i, c in enumerate(groups) if "zawi" in c)
    edges = {(e["data"]["source"], e["data"]["target"]): e["data"] for e in elements["edges"]}
    assert len(edges) == graph.number_of_edges()
    paid = edges["brother", "hawala-lhr"]
    assert (paid["directed"], paid["label"], paid["count"]) == (True, "paid", 1)
    assert paid["relations"][0]["entity"] == "pay1"
    # Calls both ways: no single direction to draw.
    calls = next(
        e
        for e in elements["edges"]
        if {"organiser", "broker"} == {e["data"]["source"], e["data"]["target"]}
    )["data"]
    assert calls["directed"] is False
    assert calls["label"] == "Call ×2"
    again = g.to_cytoscape(metrics.neighbourhood(graph, ["broker"]))
    ids = {e["data"]["id"] for e in elements["edges"]}
    assert {e["data"]["id"] for e in again["edges"]} <= ids
    assert again["truncated"] is False
    assert "community" not in again["nodes"][0]["data"]


# --- What the view draws: groups, clusters of leaves --------------------------------------------


def test_each_schema_and_selector_has_the_group_it_is_drawn_with() -> None:
    assert g.schema_group("Person") == "person"
    assert g.schema_group("Company") == "organisation"
    assert g.schema_group("LegalEntity") == "organisation"
    # Not listed: the nearest listed ancestor's group, else "other".
    assert g.schema_group("Airplane") == "vehicle"
    assert g.schema_group("Trip") == "event"
    assert g.schema_group("Thing") == "other"
    assert g.schema_group("NoSuchSchema") == "other"
    assert g.node_group({"schema": g.SELECTOR_SCHEMA, "kind": "imei"}) == "device"
    assert g.node_group({"schema": g.SELECTOR_SCHEMA, "kind": "phone"}) == "phone"
    assert g.node_group({"schema": g.CLUSTER_SCHEMA, "kind": g.CLUSTER_KIND}) == "cluster"
    # Every group has a shape and colour in the view, every selector kind a group.
    assert set(g.SELECTOR_GROUPS.values()) <= set(g.NODE_GROUPS)


def hawaladar(accounts: int, phones: int = 0) -> list[EntityProxy]:
    """A hawaladar holding `accounts` accounts and `phones` devices nobody else touches, with one
    associate, who has a partner of his own."""
    out = [
        entity("Person", "qasim", name="Qasim Ali"),
        entity("Person", "gul", name="Gul Wali"),
        entity("Person", "reza", name="Reza Ahmadi"),
        entity("Associate", "as1", person="qasim", associate="gul"),
        entity("Associate", "as2", person="gul", associate="reza"),
    ]
    for i in range(accounts):
        out.append(
            entity("BankAccount", f"acct{i}", accountNumber=f"PK36SCBL00000011234567{i:02d}")
        )
        out.append(entity("Ownership", f"own{i}", owner="qasim", asset=f"acct{i}"))
    for i in range(phones):
        out.append(
            entity("MobileDevice", f"dev{i}", imeiNumber=f"49015420323751{i}", holder="qasim")
        )
    return out


def test_leaves_of_a_hub_fold_into_one_cluster_per_group() -> None:
    whole = g.build_graph(hawaladar(accounts=7, phones=2))
    folded = g.cluster_leaves(whole)
    assert folded is not whole and whole.number_of_nodes() == 12
    cluster = g.cluster_id("qasim", "account")
    assert cluster == "grp:qasim:account"
    assert set(folded) == {"qasim", "gul", "reza", "dev0", "dev1", cluster}
    assert folded.nodes[cluster] == {
        "schema": "Cluster",
        "kind": "cluster",
        "caption": "+7",
        "countries": [],
        "hub": "qasim",
        "of": "account",
        "count": 7,
        "members": [{"schema": "BankAccount", "kind": "entity", "group": "account", "count": 7}],
    }
    edge = folded.edges["qasim", cluster]
    assert (edge["weight"], edge["count"], edge["relations"]) == (7.0, 7, [])
    # Two devices are too few to fold; the associate (a leaf of Gul) too.
    assert "dev0" in folded and "reza" in folded


def test_small_hubs_and_kept_nodes_are_not_folded() -> None:
    whole = g.build_graph(hawaladar(accounts=5))
    assert g.cluster_leaves(whole) is whole
    assert g.cluster_leaves(whole, min_leaves=5) is not whole
    # A seed the user asked for stays itself; the rest still fold when enough are left.
    seven = g.build_graph(hawaladar(accounts=7))
    kept = g.cluster_leaves(seven, keep=["acct3"])
    assert "acct3" in kept and kept.nodes["grp:qasim:account"]["count"] == 6
    assert g.cluster_leaves(seven, keep=["acct0", "acct1"]) is seven
    with pytest.raises(InvalidInput):
        g.cluster_leaves(seven, min_leaves=0)


def test_the_view_gets_groups_labels_links_and_clusters() -> None:
    folded = g.cluster_leaves(g.build_graph(hawaladar(accounts=30)))
    folded.nodes["qasim"].update(tlp="RED", partners=["01PARTNERNODE"], links=3)
    elements = g.to_cytoscape(
        folded, centrality=metrics.centrality(folded), communities=metrics.communities(folded)
    )
    json.dumps(elements)
    nodes = {n["data"]["id"]: n["data"] for n in elements["nodes"]}
    assert {n: d["group"] for n, d in nodes.items()} == {
        "qasim": "person",
        "gul": "person",
        "reza": "person",
        "grp:qasim:account": "cluster",
    }
    qasim = nodes["qasim"]
    assert (qasim["tlp"], qasim["partners"], qasim["links"]) == ("RED", ["01PARTNERNODE"], 3)
    assert "tlp" not in nodes["gul"] and "partners" not in nodes["gul"]
    cluster = nodes["grp:qasim:account"]
    assert (cluster["label"], cluster["hub"], cluster["of"], cluster["count"]) == (
        "+30",
        "qasim",
        "account",
        30,
    )
    # Sizes are relative to the most central node outside the clusters (a cluster of thirty
    # would otherwise shrink every other node).
    assert max(d["size"] for d in nodes.values()) == 1.0
    assert max(nodes, key=lambda n: nodes[n]["size"] if n != "grp:qasim:account" else -1) in {
        "qasim",
        "gul",
    }
    edge = next(e["data"] for e in elements["edges"] if "grp:qasim:account" in e["data"].values())
    assert (edge["count"], edge["label"], edge["weight"]) == (30, "", 30.0)


def test_a_cluster_counts_as_the_nodes_it_stands_for_when_ordering_networks() -> None:
    # Two networks: a hub with ten leaves (folded: 2 nodes) and a ring of five people.
    graph = nx.Graph()
    graph.add_edges_from(("hub", f"leaf{i}", {"weight": 1.0}) for i in range(10))
    ring = [f"p{i}" for i in range(5)]
    graph.add_edges_from((a, b, {"weight": 1.0}) for a in ring for b in ring if a < b)
    for n in graph:
        graph.nodes[n].update(schema="Person", kind="entity", caption=n)
    whole = metrics.communities(graph)
    folded = g.cluster_leaves(graph)
    assert folded.number_of_nodes() == 7
    groups = metrics.communities(folded)
    assert [("hub" in c) for c in groups] == [("hub" in c) for c in whole] == [True, False]
