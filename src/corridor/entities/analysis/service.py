"""Link analysis and exports of a case: the services behind the graph view, saved charts and the
export formats. The graph is built in `graph.py`, analysed in `metrics.py`, its timeline read in
`facts.py`, the file formats written in `exports.py`; this module decides what a user may take
out and audits it."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx
from followthemoney import EntityProxy
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from corridor import clock
from corridor.entities import flows, store
from corridor.entities.access import audit_case, open_case
from corridor.entities.analysis import exports, facts, graph, metrics
from corridor.entities.analysis.models import CaseChart
from corridor.entities.models import Case, Entity
from corridor.errors import InvalidInput, NotFound
from corridor.keys import own_node_id
from corridor.records.labels import TLP_LEVELS
from corridor.security.principal import Principal

MAX_HOPS = 3
MAX_CHART_BYTES = 2 * 1024 * 1024
EXPORT_FORMATS = {
    "ftm": ("application/x-ndjson", "ftm.jsonl"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "gexf": ("application/xml", "gexf"),
    "graphml": ("application/xml", "graphml"),
}


def case_proxies(session: Session, case: Case, *, node_id: str | None = None) -> list[EntityProxy]:
    """The case's entities as FtM proxies; references to an entity merged into another point
    to the one it was merged into, so the graph shows one node per person. With `node_id`,
    as they may leave the node (an export): a partner's statements merged in stay behind."""
    rows = list(session.scalars(select(Entity).where(Entity.case_id == case.id)))
    merged = {e.id: e.merged_into for e in rows if e.merged_into}
    kept = [e for e in rows if not e.merged_into]
    if node_id is not None:
        drawn = flows.draw(
            session,
            [(e, case) for e in kept],
            node_id=node_id,
            path="export",
            labels=None,
            audience=[],
        )
        proxies = [d.proxy for d in drawn]
    else:
        proxies = [store.proxy_of(e.schema, e.id, e.properties) for e in kept]
    out = []
    for proxy in proxies:
        if merged:
            for prop in proxy.schema.properties.values():
                if prop.type.name == "entity" and proxy.has(prop, quiet=True):
                    proxy.set(prop, [merged.get(v, v) for v in proxy.get(prop)])
        out.append(proxy)
    return out


@dataclass(frozen=True)
class GraphView:
    elements: dict[str, Any]
    truncated: bool


def _label_nodes(session: Session, case: Case, g: nx.Graph) -> None:
    """Give each entity node its TLP (the strictest of its own and of a partner's entity merged
    into it) and the partner nodes whose data it holds."""
    for entity_id, tlp in session.execute(
        select(Entity.id, Entity.tlp).where(Entity.case_id == case.id)
    ):
        if entity_id in g:
            g.nodes[entity_id]["tlp"] = tlp
    ours = aliased(Entity)
    merged = session.execute(
        select(Entity.merged_into, Entity.origin, Entity.tlp)
        .join(ours, ours.id == Entity.merged_into)
        .where(ours.case_id == case.id, Entity.origin.is_not(None))
    )
    for into, origin, tlp in merged:
        if into not in g:
            continue
        attrs = g.nodes[into]
        attrs["partners"] = sorted({*attrs.get("partners", ()), origin})
        if tlp in TLP_LEVELS and TLP_LEVELS.index(tlp) > TLP_LEVELS.index(attrs.get("tlp", tlp)):
            attrs["tlp"] = tlp


def case_graph(
    session: Session,
    *,
    actor: Principal,
    case_ref: str,
    seeds: list[str] | None = None,
    hops: int = 1,
    selectors: bool = True,
    limit: int = 500,
    fold: bool = True,
) -> GraphView:
    """The case's graph, or the neighbourhood of `seeds` within `hops` links, at most `limit`
    nodes. With `fold`, the leaves of a hub that has many are one cluster node (see
    `graph.cluster_leaves`; the seeds are never folded). Every node has `links`: how many nodes
    it is linked to in the whole (folded) graph, so the view can tell what it does not show."""
    case = open_case(session, actor=actor, ref=case_ref)
    if not 0 <= hops <= MAX_HOPS:
        raise InvalidInput(f"hops: 0 to {MAX_HOPS}")
    g = graph.build_graph(case_proxies(session, case), selectors=selectors)
    if seeds:
        missing = [s for s in seeds if s not in g]
        if missing:
            raise NotFound(f"no entity {missing[0]} in this case")
    _label_nodes(session, case, g)
    if fold:
        g = graph.cluster_leaves(g, keep=seeds or ())
    links = dict(g.degree())
    truncated = False
    if seeds:
        g = metrics.neighbourhood(g, seeds, hops=hops, limit=limit)
        truncated = bool(g.graph.get("truncated"))
    elif g.number_of_nodes() > limit:
        # The whole case does not fit on a screen: start from its best-connected part (degree
        # is cheap; the scores below are computed on what is shown).
        top = sorted(g.degree, key=lambda nd: (-nd[1], nd[0]))[:20]
        g = metrics.neighbourhood(g, [n for n, _ in top], hops=1, limit=limit)
        truncated = True
    for node, attrs in g.nodes(data=True):
        attrs["links"] = links[node]
    scores = metrics.centrality(g)
    groups = metrics.communities(g)
    audit_case(session, actor, "case.graph", case.id, {"nodes": g.number_of_nodes()})
    return GraphView(graph.to_cytoscape(g, centrality=scores, communities=groups), truncated)


def paths(
    session: Session, *, actor: Principal, case_ref: str, a: str, b: str
) -> list[list[dict[str, str]]]:
    case = open_case(session, actor=actor, ref=case_ref)
    g = graph.build_graph(case_proxies(session, case), selectors=True)
    for x in (a, b):
        if x not in g:
            raise NotFound(f"no entity {x} in this case")
    found = metrics.shortest_paths(g, a, b)
    audit_case(session, actor, "case.graph.paths", case.id, {"paths": len(found)})
    return [
        [
            {
                "id": n,
                "caption": str(g.nodes[n].get("caption", n)),
                "schema": str(g.nodes[n].get("schema", "")),
            }
            for n in path
        ]
        for path in found
    ]


def key_players(
    session: Session, *, actor: Principal, case_ref: str, top: int = 10
) -> dict[str, Any]:
    """Brokers and organisers by centrality, and the separate networks (communities)."""
    case = open_case(session, actor=actor, ref=case_ref)
    g = graph.build_graph(case_proxies(session, case), selectors=True)
    scores = metrics.centrality(g)
    entities = {n for n, kind in g.nodes(data="kind") if kind == graph.ENTITY_KIND}

    def ranked(metric: str) -> list[dict[str, Any]]:
        values = scores[metric]
        best = sorted(entities, key=lambda n: (-values.get(n, 0.0), n))[:top]
        return [
            {"id": n, "caption": g.nodes[n].get("caption", n), metric: values.get(n, 0.0)}
            for n in best
        ]

    groups = [sorted(c & entities) for c in metrics.communities(g)]
    audit_case(session, actor, "case.graph.metrics", case.id)
    return {
        "betweenness": ranked("betweenness"),
        "pagerank": ranked("pagerank"),
        "degree": ranked("degree"),
        "communities": [c for c in groups if c],
    }


def case_timeline(session: Session, *, actor: Principal, case_ref: str) -> list[Any]:
    case = open_case(session, actor=actor, ref=case_ref)
    items = facts.timeline(case_proxies(session, case))
    audit_case(session, actor, "case.timeline", case.id, {"items": len(items)})
    return items


# --- charts -----------------------------------------------------------------------------------


def save_chart(
    session: Session, *, actor: Principal, case_ref: str, name: str, layout: dict[str, Any]
) -> CaseChart:
    import json

    case = open_case(session, actor=actor, ref=case_ref, write=True)
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("name: 1 to 120 characters")
    if len(json.dumps(layout)) > MAX_CHART_BYTES:
        raise InvalidInput("the chart is too large to save")
    now = clock.now()
    chart = session.scalar(
        select(CaseChart).where(CaseChart.case_id == case.id, CaseChart.name == name)
    )
    if chart is None:
        chart = CaseChart(
            case_id=case.id,
            name=name,
            layout=layout,
            created_by=actor.handle,
            created_at=now,
            updated_at=now,
        )
        session.add(chart)
    else:
        chart.layout = layout
        chart.updated_at = now
    session.flush()
    audit_case(session, actor, "case.chart.save", case.id, {"chart": str(chart.id)})
    return chart


def charts(session: Session, *, actor: Principal, case_ref: str) -> list[CaseChart]:
    case = open_case(session, actor=actor, ref=case_ref)
    return list(
        session.scalars(
            select(CaseChart).where(CaseChart.case_id == case.id).order_by(CaseChart.name)
        )
    )


def chart_named(session: Session, *, actor: Principal, case_ref: str, name: str) -> CaseChart:
    case = open_case(session, actor=actor, ref=case_ref)
    found = session.scalar(
        select(CaseChart).where(CaseChart.case_id == case.id, CaseChart.name == name)
    )
    if found is None:
        raise NotFound(f"no chart {name!r} in this case")
    return found


def chart(session: Session, *, actor: Principal, case_ref: str, chart_id: uuid.UUID) -> CaseChart:
    case = open_case(session, actor=actor, ref=case_ref)
    found = session.get(CaseChart, chart_id)
    if found is None or found.case_id != case.id:
        raise NotFound(f"no chart {chart_id}")
    return found


# --- exports ----------------------------------------------------------------------------------


def export_case(
    session: Session, *, actor: Principal, case_ref: str, fmt: str
) -> tuple[Case, Iterator[bytes]]:
    """The case's entities in one of EXPORT_FORMATS, as chunks of bytes. Reading them out of the
    node is audited; the export carries the case's TLP in its file name."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"format: one of {', '.join(EXPORT_FORMATS)}")
    case = open_case(session, actor=actor, ref=case_ref)
    proxies = case_proxies(session, case, node_id=own_node_id(session))
    audit_case(session, actor, "case.export", case.id, {"format": fmt, "entities": len(proxies)})
    if fmt in ("gexf", "graphml"):
        g = graph.build_graph(proxies, selectors=True)
        buf = io.BytesIO()
        (exports.write_gexf if fmt == "gexf" else exports.write_graphml)(g, buf)
        return case, iter([buf.getvalue()])
    text = io.StringIO()
    if fmt == "ftm":
        exports.write_ftm_jsonl(proxies, text)
    else:
        exports.write_csv(proxies, text)
    return case, iter([text.getvalue().encode("utf-8")])
