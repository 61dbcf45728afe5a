"""The link graph of FollowTheMoney entities, and the Cytoscape.js elements the graph view draws
(its neighbourhoods, paths, centrality and communities are `metrics`, its timeline `facts`).

Pure functions over entity proxies: the caller loads the entities (a case, a search result, the
neighbours of a seed) and passes them in; nothing here touches the store.

The graph is an undirected ``networkx.Graph`` with one edge per pair of linked nodes. Every
reason for the link is kept in the edge's ``relations`` (a list of :class:`Relation`, each with its
FtM direction, the edge entity, dates and weight) and the edge's ``weight`` is their sum. One edge
per pair keeps two phones that called each other 300 times a single, heavy line in the view and
lets the algorithms run on the graph as it is.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import networkx as nx
from followthemoney import EntityProxy, Schema
from followthemoney.exc import InvalidData
from followthemoney.types import registry
from rigour.addresses import normalize_address

from corridor.entities.ftm import model
from corridor.errors import InvalidInput
from corridor.i18n import pgettext

SELECTOR_SCHEMA = "Selector"
ENTITY_KIND = "entity"
CLUSTER_SCHEMA = "Cluster"
CLUSTER_KIND = "cluster"
# A hub with at least this many leaves (nodes linked to it alone) shows them as one cluster node.
MIN_CLUSTER = 6

# How the view draws a node: one shape and colour per group (web/static/css/graph.css), and the
# legend names the schemata of each. A schema not listed takes its nearest listed ancestor's group
# (an Airplane is drawn as a Vehicle), else "other"; a selector takes its kind's group.
NODE_GROUPS: dict[str, tuple[str, ...]] = {
    "person": ("Person",),
    "organisation": ("Organization", "Company", "PublicBody", "LegalEntity"),
    "account": ("BankAccount", "CryptoWallet"),
    "phone": (),
    "document": ("Passport", "Identification", "Document"),
    "device": ("MobileDevice", "UserAccount"),
    "vessel": ("Vessel",),
    "vehicle": ("Vehicle",),
    "address": ("Address",),
    "event": ("Event", "Trip"),
    "other": (),
}
SELECTOR_GROUPS: dict[str, str] = {
    "phone": "phone",
    "account": "account",
    "document": "document",
    "imei": "device",
    "imsi": "device",
    "iccid": "device",
    "handle": "device",
    "email": "device",
    "imo": "vessel",
    "mmsi": "vessel",
    "plate": "vehicle",
    "address": "address",
}
_GROUP_OF_SCHEMA = {name: group for group, names in NODE_GROUPS.items() for name in names}

# Identifier properties that name one document, account, device, vessel or vehicle (keyed by the
# property's qualified name). Tax, registry and database identifiers are left out: they link
# companies in registries, not the people, phones and money of a smuggling network.
_IDENTIFIER_KINDS = {
    "Identification:number": "document",
    "Passport:passportNumber": "document",
    "Passport:personalNumber": "document",
    "Person:passportNumber": "document",
    "LegalEntity:idNumber": "document",
    "BankAccount:iban": "account",
    "BankAccount:accountNumber": "account",
    "Analyzable:ibanMentioned": "account",
    "MobileDevice:imeiNumber": "imei",
    "MobileDevice:imsiNumber": "imsi",
    "MobileDevice:iccid": "iccid",
    "Vessel:imoNumber": "imo",
    "Organization:imoNumber": "imo",
    "Vessel:mmsi": "mmsi",
    "Vehicle:registrationNumber": "plate",
    "UserAccount:username": "handle",
}
_TYPE_KINDS = {registry.phone: "phone", registry.email: "email", registry.address: "address"}

# Shorter identifiers ("123", "N/A", "00000") are placeholders or typos, and a selector made of
# them would tie unrelated people together.
_MIN_IDENTIFIER = 5
# An address of one or two words is a town or a district: shared by everyone who lives there.
_MIN_ADDRESS_WORDS = 3
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")

# Schemata drawn as a line between two parties. The first property of each endpoint chain that
# has a value is the endpoint; later ones stand in for it (a payment known only by its accounts, a
# call known only by its numbers) and, when both are known, are linked to it.
_ENDPOINT_CHAINS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Payment": (("payer", "payerAccount"), ("beneficiary", "beneficiaryAccount")),
    "Call": (("caller", "callerNumber"), ("receiver", "receiverNumber")),
}


class Relation(NamedTuple):
    """One reason two nodes are linked: an edge entity (``entity`` set), an entity-valued
    property (``prop`` set) or a shared selector (``prop`` is the property holding the value).
    A named tuple: a case holds tens of thousands and they are made in the build's inner loop."""

    schema: str
    label: str
    source: str
    target: str
    directed: bool
    entity: str | None = None
    prop: str | None = None
    start: str | None = None
    end: str | None = None
    weight: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


def selector_id(kind: str, key: str) -> str:
    return f"sel:{kind}:{key}"


def cluster_id(hub: str, group: str) -> str:
    return f"grp:{hub}:{group}"


@lru_cache(maxsize=256)
def schema_group(schema: str) -> str:
    """The group a schema is drawn with: its own, else its nearest listed ancestor's."""
    found = model.get(schema)
    queue = [found] if found is not None else []
    seen: set[str] = set()
    while queue:
        current = queue.pop(0)
        if current.name in _GROUP_OF_SCHEMA:
            return _GROUP_OF_SCHEMA[current.name]
        seen.add(current.name)
        queue.extend(p for p in current.extends if p.name not in seen)
    return _GROUP_OF_SCHEMA.get(schema, "other")


def node_group(attrs: dict[str, Any]) -> str:
    """The group (see NODE_GROUPS) of a node of `build_graph` or `cluster_leaves`."""
    schema = attrs.get("schema") or ""
    if schema == SELECTOR_SCHEMA:
        return SELECTOR_GROUPS.get(attrs.get("kind") or "", "other")
    if schema == CLUSTER_SCHEMA:
        return CLUSTER_KIND
    return schema_group(schema)


@dataclass(frozen=True, slots=True)
class SchemaPlan:
    """What a schema contributes to the graph, worked out once per schema."""

    edge: bool
    label: str
    directed: bool
    chains: tuple[tuple[str, ...], tuple[str, ...]]
    labels: dict[str, str]
    phones: frozenset[str]
    entity_props: tuple[str, ...]
    selectors: tuple[tuple[str, str], ...]
    countries: tuple[str, ...]
    starts: tuple[str, ...]
    ends: tuple[str, ...]


@lru_cache(maxsize=512)
def schema_plan(schema: Schema) -> SchemaPlan:
    props = [p for p in schema.properties.values() if not p.stub]
    selectors = []
    for prop in props:
        kind = _IDENTIFIER_KINDS.get(prop.qname) or _TYPE_KINDS.get(prop.type)
        if kind is not None:
            selectors.append((prop.name, kind))
    chains: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    if schema.name in _ENDPOINT_CHAINS:
        chains = _ENDPOINT_CHAINS[schema.name]
    elif schema.edge_source is not None and schema.edge_target is not None:
        chains = ((schema.edge_source,), (schema.edge_target,))
    return SchemaPlan(
        edge=bool(chains[0]),
        label=schema.edge_label or schema.label,
        directed=schema.edge_directed,
        chains=chains,
        labels={p.name: p.label for p in props},
        phones=frozenset(p.name for p in props if p.type == registry.phone),
        entity_props=tuple(p.name for p in props if p.type == registry.entity),
        selectors=tuple(selectors),
        countries=tuple(p.name for p in props if p.type == registry.country),
        starts=tuple(p.name for p in schema.temporal_start_props),
        ends=tuple(p.name for p in schema.temporal_end_props),
    )


def phone_key(value: str, proxy: EntityProxy) -> str | None:
    # Values stored through FtM are E.164 already; parsing them again costs more than the rest
    # of the build, so only raw notations (entities loaded without cleaning) go through
    # phonenumbers, dialled from each of the entity's countries.
    if _E164.fullmatch(value):
        return value
    for country in [None, *sorted(proxy.get_type_values(registry.country))]:
        try:
            key = registry.phone.clean(value, format=country)
        except InvalidData:
            continue
        if key is not None:
            return key
    return None


def _selector_key(kind: str, value: str, proxy: EntityProxy) -> str | None:
    """The normalised form two entities must share to be linked through a selector."""
    if kind == "phone":
        return phone_key(value, proxy)
    if kind == "email":
        email = registry.email.clean(value)
        return email.lower() if email else None
    if kind == "address":
        address = normalize_address(value)
        return address if address and len(address.split()) >= _MIN_ADDRESS_WORDS else None
    if kind == "handle":
        handle = value.strip().lstrip("@").casefold()
        return handle if len(handle) >= 3 else None
    key = "".join(ch for ch in value.upper() if ch.isalnum())
    return key if len(key) >= _MIN_IDENTIFIER and len(set(key)) > 1 else None


def _selector_caption(kind: str, key: str, value: str) -> str:
    return registry.phone.caption(key) if kind == "phone" else value


def time_span(plan: SchemaPlan, values: dict[str, list[str]]) -> tuple[str | None, str | None]:
    starts = [v for name in plan.starts for v in values.get(name, ())]
    ends = [v for name in plan.ends for v in values.get(name, ())]
    start = min(starts) if starts else None
    end = max(ends) if ends else (max(starts) if len(starts) > 1 else None)
    return start, end


class _Builder:
    def __init__(self, proxies: dict[str, EntityProxy], selectors: bool) -> None:
        self.proxies = proxies
        self.selectors = selectors
        self.nodes: dict[str, dict[str, Any]] = {}
        self.links: dict[tuple[str, str], list[Relation]] = {}
        self.missing: set[str] = set()
        self.held: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}

    def link(self, relation: Relation) -> None:
        a, b = relation.source, relation.target
        if a == b:
            return
        self.links.setdefault((a, b) if a < b else (b, a), []).append(relation)

    def add_selector(self, kind: str, key: str, caption: str) -> str:
        node = selector_id(kind, key)
        if node not in self.nodes:
            self.nodes[node] = {
                "schema": SELECTOR_SCHEMA,
                "kind": kind,
                "caption": caption,
                "countries": [],
            }
        return node

    def endpoints(
        self, proxy: EntityProxy, values: dict[str, list[str]], chain: tuple[str, ...]
    ) -> tuple[list[str], str | None]:
        """The nodes of the first property in the chain that has any, and that property."""
        phones = schema_plan(proxy.schema).phones
        for name in chain:
            found = []
            for value in values.get(name, ()):
                node = self.phone_node(value, proxy) if name in phones else self.entity_node(value)
                if node is not None:
                    found.append(node)
            if found:
                return found, name
        return [], None

    def entity_node(self, value: str) -> str | None:
        if value in self.nodes:
            return value
        self.missing.add(value)
        return None

    def phone_node(self, value: str, proxy: EntityProxy) -> str | None:
        key = phone_key(value, proxy) if self.selectors else None
        if key is None:
            return None
        return self.add_selector("phone", key, _selector_caption("phone", key, value))

    def add_edge_entity(self, proxy: EntityProxy, values: dict[str, list[str]]) -> None:
        plan = schema_plan(proxy.schema)
        start, end = time_span(plan, values)
        about: dict[str, Any] = {"entity": proxy.id, "start": start, "end": end}
        schema = proxy.schema.name
        ends = [self.endpoints(proxy, values, chain) for chain in plan.chains]
        (sources, _), (targets, _) = ends
        for source in sources:
            for target in targets:
                self.link(Relation(schema, plan.label, source, target, plan.directed, **about))
        # A payer and the account the payment left from, a caller and the number they used.
        for chain, (parties, used) in zip(plan.chains, ends, strict=True):
            if used != chain[0]:
                continue
            for name in chain[1:]:
                stand_ins, _ = self.endpoints(proxy, values, (name,))
                label = plan.labels[name]
                for party in parties:
                    for stand_in in stand_ins:
                        self.link(
                            Relation(schema, label, party, stand_in, True, prop=name, **about)
                        )

    def add_property_links(self, proxy: EntityProxy, values: dict[str, list[str]]) -> None:
        assert proxy.id is not None
        plan = schema_plan(proxy.schema)
        for name in plan.entity_props:
            for value in values.get(name, ()):
                node = self.entity_node(value)
                if node is not None:
                    self.link(
                        Relation(
                            proxy.schema.name, plan.labels[name], proxy.id, node, True, prop=name
                        )
                    )

    def add_shared_selectors(self, proxy: EntityProxy, values: dict[str, list[str]]) -> None:
        assert proxy.id is not None
        for name, kind in schema_plan(proxy.schema).selectors:
            for value in values.get(name, ()):
                key = _selector_key(kind, value, proxy)
                if key is not None:
                    self.held.setdefault((kind, key), {}).setdefault(proxy.id, (name, value))

    def link_shared_selectors(self) -> None:
        for (kind, key), held in self.held.items():
            # A value only one entity holds links nothing, unless a call already drew it.
            if len(held) < 2 and selector_id(kind, key) not in self.nodes:
                continue
            first = next(iter(held.values()))
            node = self.add_selector(kind, key, _selector_caption(kind, key, first[1]))
            for entity_id, (name, _) in held.items():
                schema = self.proxies[entity_id].schema
                label = schema_plan(schema).labels[name]
                self.link(Relation(schema.name, label, entity_id, node, True, prop=name))

    def graph(self) -> nx.Graph:
        graph = nx.Graph()
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from(
            (
                a,
                b,
                {"weight": sum(r.weight for r in rel), "relations": rel},
            )
            for (a, b), rel in self.links.items()
        )
        graph.graph["missing"] = sorted(self.missing - set(self.proxies))
        return graph


def collect(entities: Iterable[EntityProxy]) -> dict[str, EntityProxy]:
    proxies: dict[str, EntityProxy] = {}
    for proxy in entities:
        if not proxy.id:
            raise InvalidInput(f"a {proxy.schema.name} entity has no id")
        known = proxies.get(proxy.id)
        if known is None:
            proxies[proxy.id] = proxy
            continue
        try:
            proxies[proxy.id] = known.clone().merge(proxy)
        except InvalidData as exc:
            raise InvalidInput(f"entity {proxy.id} appears twice with clashing schemata") from exc
    return proxies


def edge_label(relations: list[Relation]) -> str:
    """'paid ×3; Holder' — each kind of link once, with how often it occurs, in the reader's
    language (the page's own calls; a token's caller reads English)."""
    counts = Counter(pgettext("entity", r.label) for r in relations)
    return "; ".join(f"{label} ×{n}" if n > 1 else label for label, n in counts.items())


def build_graph(entities: Iterable[EntityProxy], *, selectors: bool = True) -> nx.Graph:
    """The link graph of the given entities.

    Nodes are the entities that are things (people, organisations, accounts, phones, vessels,
    trips, events...) with attributes ``schema``, ``caption``, ``countries`` and ``kind``
    (``"entity"``). Edge schemata (Payment, Associate, Ownership, Call, ...) become links, not
    nodes. With ``selectors``, a phone, e-mail, account, document, device, vessel, plate, handle or
    address shared by two or more entities becomes a node ``sel:<kind>:<normalised value>``
    (``schema`` ``"Selector"``, ``kind`` the selector kind) linked to each of them; phone numbers
    that are the only known end of a call are such nodes too.

    Edges carry ``relations`` (list of :class:`Relation`) and ``weight`` (their sum);
    :func:`edge_label` names them. Links to entities that were not passed in are left out; their
    ids are listed, sorted, in ``graph.graph["missing"]`` so the caller can load them.
    """
    proxies = collect(entities)
    builder = _Builder(proxies, selectors)
    edges, things = [], []
    for proxy in proxies.values():
        values = proxy.properties
        plan = schema_plan(proxy.schema)
        if plan.edge:
            edges.append((proxy, values))
            continue
        things.append((proxy, values))
        assert proxy.id is not None  # `collect` refuses entities without one
        builder.nodes[proxy.id] = {
            "schema": proxy.schema.name,
            "caption": proxy.caption,
            "countries": sorted({c for n in plan.countries for c in values.get(n, ())}),
            "kind": ENTITY_KIND,
        }
    for proxy, values in edges:
        builder.add_edge_entity(proxy, values)
    for proxy, values in things:
        builder.add_property_links(proxy, values)
        if selectors:
            builder.add_shared_selectors(proxy, values)
    builder.link_shared_selectors()
    return builder.graph()


def cluster_leaves(
    graph: nx.Graph, *, min_leaves: int = MIN_CLUSTER, keep: Iterable[str] = ()
) -> nx.Graph:
    """The graph with the leaves of a hub (nodes linked to that hub alone) folded into one
    cluster node per group (see NODE_GROUPS) where the hub has ``min_leaves`` or more of that
    group (thirty accounts of one hawaladar become "+30"), so a large network stays readable;
    a copy when anything was folded. Nodes in ``keep`` (the seeds asked for) are never folded.

    A cluster node ``grp:<hub>:<group>`` has ``schema`` ``"Cluster"``, ``kind`` ``"cluster"``,
    ``caption`` ``"+N"``, ``hub``, ``of`` (the group), ``count`` (N) and ``members``
    (``[{"schema", "kind", "group", "count"}]``, most first: e.g. 30 BankAccount entities);
    its one edge to the hub has the leaves' total ``weight``, their ``count`` and no
    ``relations``."""
    if min_leaves < 1:
        raise InvalidInput("min_leaves must be at least 1")
    kept = set(keep)
    leaves: dict[tuple[str, str], list[str]] = {}
    for node, degree in graph.degree():
        if degree == 1 and node not in kept:
            (hub,) = graph.adj[node]
            if graph.degree(hub) > 1:
                leaves.setdefault((hub, node_group(graph.nodes[node])), []).append(node)
    folded = {key: sorted(found) for key, found in leaves.items() if len(found) >= min_leaves}
    if not folded:
        return graph
    result = graph.copy()
    for (hub, group), found in sorted(folded.items()):
        members = Counter(
            (attrs.get("schema"), attrs.get("kind")) for attrs in (graph.nodes[n] for n in found)
        )
        weight = sum(graph.adj[hub][leaf].get("weight", 1.0) for leaf in found)
        result.remove_nodes_from(found)
        cluster = cluster_id(hub, group)
        result.add_node(
            cluster,
            schema=CLUSTER_SCHEMA,
            kind=CLUSTER_KIND,
            caption=f"+{len(found)}",
            countries=[],
            hub=hub,
            of=group,
            count=len(found),
            members=[
                {"schema": schema, "kind": kind, "group": group, "count": n}
                for (schema, kind), n in sorted(
                    members.items(), key=lambda m: (-m[1], str(m[0][0]), str(m[0][1]))
                )
            ],
        )
        result.add_edge(hub, cluster, weight=weight, relations=[], count=len(found))
    return result


# Node attributes passed to the view as they are when a node has them (see `to_cytoscape`).
_PASSED = ("tlp", "partners", "links", "hub", "of", "count", "members")


def _edge_id(a: str, b: str) -> str:
    # Stable across requests so the view can merge an expansion into what it already shows.
    return "e:" + hashlib.blake2b(f"{a}\x00{b}".encode(), digest_size=10).hexdigest()


def to_cytoscape(
    graph: nx.Graph,
    *,
    centrality: dict[str, dict[str, float]] | None = None,
    communities: list[set[str]] | None = None,
) -> dict[str, Any]:
    """Cytoscape.js elements: ``{"nodes": [{"data": {...}}], "edges": [...], "truncated"}``.

    Node data: ``id``, ``label`` (caption), ``schema``, ``kind``, ``group`` (how it is drawn,
    see NODE_GROUPS; ``"cluster"`` for a cluster), ``countries``; when the node has them,
    ``tlp`` (an entity's label), ``partners`` (the partner nodes whose data was merged into it),
    ``links`` (how many nodes it is linked to in the whole case, shown or not), and a cluster's
    ``hub``, ``of``, ``count`` and ``members`` (see :func:`cluster_leaves`); when given,
    ``community`` (index into ``communities``, largest first), ``degree``, ``betweenness``,
    ``pagerank`` and ``size`` (PageRank relative to the highest outside clusters, 0-1, for
    sizing). Edge data:
    ``id`` (stable for the pair), ``source``/``target`` (FtM direction when all relations agree),
    ``directed``, ``label``, ``weight``, ``count`` and ``relations`` (see :class:`Relation`)."""
    member = {node: i for i, group in enumerate(communities or []) for node in group}
    ranks = (centrality or {}).get("pagerank", {})
    clusters = {n for n, kind in graph.nodes(data="kind") if kind == CLUSTER_KIND}
    top = max((r for n, r in ranks.items() if n not in clusters), default=0.0) or 1.0
    nodes = []
    for node, attrs in graph.nodes(data=True):
        data: dict[str, Any] = {
            "id": node,
            "label": attrs.get("caption", node),
            "schema": attrs.get("schema"),
            "kind": attrs.get("kind"),
            "group": node_group(attrs),
            "countries": list(attrs.get("countries", [])),
        }
        data.update((key, attrs[key]) for key in _PASSED if key in attrs)
        if node in member:
            data["community"] = member[node]
        for measure, scores in (centrality or {}).items():
            data[measure] = scores.get(node, 0.0)
        if ranks:
            data["size"] = min(1.0, ranks.get(node, 0.0) / top)
        nodes.append({"data": data})
    edges = []
    for a, b, attrs in graph.edges(data=True):
        relations: list[Relation] = attrs.get("relations", [])
        ends = {(r.source, r.target) for r in relations}
        directed = len(ends) == 1 and all(r.directed for r in relations)
        source, target = next(iter(ends)) if len(ends) == 1 else tuple(sorted((a, b)))
        edges.append(
            {
                "data": {
                    "id": _edge_id(*sorted((a, b))),
                    "source": source,
                    "target": target,
                    "directed": directed,
                    "label": edge_label(relations),
                    "weight": attrs.get("weight", 1.0),
                    "count": attrs.get("count", len(relations)),
                    "relations": [r.to_dict() for r in relations],
                }
            }
        )
    return {"nodes": nodes, "edges": edges, "truncated": bool(graph.graph.get("truncated"))}
