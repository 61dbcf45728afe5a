"""Link graphs for external link-chart tools: GEXF (Gephi) and GraphML (yEd, i2-style tools).

Both writers take the graph of :func:`corridor.entities.graph.build_graph` and a binary file
handle. Their formats carry only strings and numbers, so list-valued attributes are joined, the
relations of an edge are summarised and missing values are left out.
"""

from __future__ import annotations

from typing import Any, BinaryIO

import networkx as nx

from corridor.entities.graph import Relation, edge_label

_SEPARATOR = "; "


def _joined(values: list[str]) -> str:
    return _SEPARATOR.join(dict.fromkeys(v for v in values if v))


def flat_graph(graph: nx.Graph) -> nx.Graph:
    """A copy of the graph whose attributes are all strings, integers or floats."""
    flat = nx.Graph()
    for node, attrs in graph.nodes(data=True):
        flat.add_node(
            node,
            label=str(attrs.get("caption") or node),
            schema=str(attrs.get("schema") or ""),
            kind=str(attrs.get("kind") or ""),
            countries=_joined(list(attrs.get("countries", []))),
        )
    for a, b, attrs in graph.edges(data=True):
        relations: list[Relation] = attrs.get("relations", [])
        starts = [r.start for r in relations if r.start]
        ends = [r.end or r.start for r in relations if r.end or r.start]
        data: dict[str, Any] = {
            "label": edge_label(relations),
            "weight": float(attrs.get("weight", 1.0)),
            "count": len(relations),
            "schemata": _joined([r.schema for r in relations]),
            "entities": _joined([r.entity or "" for r in relations]),
            "start": min(starts) if starts else "",
            "end": max(ends) if ends else "",
        }
        flat.add_edge(a, b, **data)
    return flat


def write_gexf(graph: nx.Graph, fh: BinaryIO) -> None:
    nx.write_gexf(flat_graph(graph), fh)


def write_graphml(graph: nx.Graph, fh: BinaryIO) -> None:
    nx.write_graphml(flat_graph(graph), fh)
