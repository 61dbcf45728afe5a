"""Writing a case out: FtM JSON lines (lossless, for other FtM tools), CSV (for people), and its
link graph as GEXF (Gephi) or GraphML (yEd, i2-style tools).

CSV cells are escaped against formula injection the way OWASP recommends: a cell that starts
with ``= + - @``, their full-width forms, a tab or a carriage return gets a leading apostrophe,
so a spreadsheet shows it as text and never evaluates it. Phone numbers in E.164 (``+92300…``)
get the apostrophe too: Excel and LibreOffice hide it and keep the number as text with its
``+``, while an unescaped ``+92300…`` would be read as a formula and shown as a bare number.
Machine consumers that want raw values pass ``escape=False`` or use JSON lines.

The graph writers take the graph of :func:`corridor.entities.analysis.graph.build_graph` and a
binary file handle. Their formats carry only strings and numbers, so list-valued attributes are
joined, the relations of an edge are summarised and missing values are left out.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable
from typing import IO, Any, BinaryIO

import networkx as nx
from followthemoney import EntityProxy, Schema

from corridor.entities.analysis.graph import Relation, edge_label
from corridor.entities.ftm import model
from corridor.errors import InvalidInput

MULTI_VALUE_SEPARATOR = "; "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
FIXED_COLUMNS = ("id", "schema", "caption")
SPOOL_BYTES = 16 * 1024 * 1024
"""Entities spooled in memory before the CSV export moves them to a temporary file."""


def escape_cell(value: str) -> str:
    """The cell with a leading apostrophe if a spreadsheet could take it for a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def write_ftm_jsonl(entities: Iterable[EntityProxy], fh: IO[str]) -> int:
    """One FtM entity (id, schema, properties) per line, UTF-8 JSON; returns the count."""
    count = 0
    for entity in entities:
        fh.write(json.dumps(entity.to_dict(), ensure_ascii=False, separators=(",", ":")))
        fh.write("\n")
        count += 1
    return count


def _column_order(used: dict[str, set[str]]) -> list[str]:
    """Properties in use, schema by schema as first met: featured properties first, then the
    rest in the model's order."""
    columns: dict[str, None] = {}
    for schema_name, names in used.items():
        schema = model.get(schema_name)
        if schema is None:  # pragma: no cover - schemata come from the entities themselves
            continue
        for name in [*schema.featured, *schema.properties]:
            if name in names and name not in FIXED_COLUMNS:
                columns[name] = None
    return list(columns)


def write_csv(
    entities: Iterable[EntityProxy],
    fh: IO[str],
    *,
    schema: str | None = None,
    bom: bool = True,
    escape: bool = True,
) -> int:
    """Entities as CSV: id, schema, caption, then one column per property in use, several
    values joined with "; ". With ``schema`` only entities of that schema are written (one CSV
    per schema); without, every entity goes into one table over the union of properties.

    Streams: entities are spooled to a temporary file (in memory up to 16 MiB) while the columns
    are collected, then written. ``fh`` is a text stream opened with ``newline=""``; it gets a
    UTF-8 BOM first (``bom``) so that Excel reads Arabic and other non-Latin text correctly.
    Returns the number of entities written."""
    wanted: Schema | None = None
    if schema is not None:
        wanted = model.get(schema)
        if wanted is None:
            raise InvalidInput(f"unknown entity schema {schema!r}")
    used: dict[str, set[str]] = {}
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, mode="w+", encoding="utf-8") as spool:
        count = 0
        for entity in entities:
            if wanted is not None and entity.schema != wanted:
                continue
            names = used.setdefault(entity.schema.name, set())
            names.update(entity.properties)
            row = [entity.id or "", entity.schema.name, entity.caption, entity.properties]
            spool.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            spool.write("\n")
            count += 1
        columns = _column_order(used)
        spool.seek(0)
        if bom:
            fh.write("\ufeff")
        writer = csv.writer(fh)
        writer.writerow(FIXED_COLUMNS + tuple(columns))
        clean = escape_cell if escape else str
        for line in spool:
            entity_id, schema_name, caption, properties = json.loads(line)
            cells = [entity_id, schema_name, caption]
            cells.extend(MULTI_VALUE_SEPARATOR.join(properties.get(c, ())) for c in columns)
            writer.writerow([clean(c) for c in cells])
    return count


# --- link graphs ---------------------------------------------------------------------------


def _joined(values: list[str]) -> str:
    return MULTI_VALUE_SEPARATOR.join(dict.fromkeys(v for v in values if v))


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
        ends = [e for r in relations if (e := r.end or r.start)]
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
