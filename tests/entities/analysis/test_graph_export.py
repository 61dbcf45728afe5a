"""GEXF and GraphML exports of the link graph, read back with networkx."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

import networkx as nx
import pytest

from corridor.entities.analysis import graph as g
from corridor.entities.analysis.exports import flat_graph, write_gexf, write_graphml
from tests.entities.analysis.test_graph import with_shared_phone

Writer = Callable[[nx.Graph, BinaryIO], None]
Reader = Callable[[io.BytesIO], nx.Graph]


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    return g.build_graph(with_shared_phone())


def read_gexf(fh: io.BytesIO) -> nx.Graph:
    return nx.read_gexf(fh)


def read_graphml(fh: io.BytesIO) -> nx.Graph:
    return nx.read_graphml(fh)


@pytest.mark.parametrize(
    ("write", "read"), [(write_gexf, read_gexf), (write_graphml, read_graphml)]
)
def test_export_round_trips(graph: nx.Graph, write: Writer, read: Reader) -> None:
    fh = io.BytesIO()
    write(graph, fh)
    fh.seek(0)
    back = read(fh)
    assert set(back) == set(graph)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in graph.edges}
    assert back.nodes["broker"]["label"] == "Imran Baloch"
    assert back.nodes["broker"]["schema"] == "Person"
    assert back.nodes["driver2"]["countries"] == "ir; pk"
    phone = back.nodes["sel:phone:+923001234567"]
    assert (phone["schema"], phone["kind"], phone["label"]) == (
        "Selector",
        "phone",
        "+92 300 1234567",
    )
    calls = back.edges["organiser", "broker"]
    assert calls["label"] == "Call ×2"
    assert calls["count"] == 2
    assert float(calls["weight"]) == 2.0
    assert calls["entities"] == "call1; call3"
    assert (calls["start"], calls["end"]) == ("2023-05-01T09:00", "2023-05-01T21:14")
    paid = back.edges["brother", "hawala-lhr"]
    assert (paid["label"], paid["schemata"], paid["entities"]) == ("paid", "Payment", "pay1")


def test_flat_graph_has_only_strings_and_numbers(graph: nx.Graph) -> None:
    flat = flat_graph(graph)
    values = [v for _, d in flat.nodes(data=True) for v in d.values()]
    values += [v for _, _, d in flat.edges(data=True) for v in d.values()]
    assert values
    assert all(isinstance(v, str | int | float) for v in values)
    # Property links have no edge entity and no dates: empty strings, not None.
    held = flat.edges["passport-d1", "driver1"]
    assert (held["entities"], held["start"], held["end"]) == ("", "", "")


def test_gexf_names_the_graph_for_gephi(graph: nx.Graph) -> None:
    fh = io.BytesIO()
    write_gexf(graph, fh)
    text = fh.getvalue().decode()
    assert text.startswith("<?xml")
    assert 'label="Imran Baloch"' in text
