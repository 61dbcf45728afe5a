"""Link analysis on a synthetic case: build the graph, centrality, communities, a neighbourhood,
shortest paths, the Cytoscape.js elements and a GEXF export, timed.

The case is a seeded synthetic network shaped like a smuggling investigation: cells of people
with phones, passports, accounts and vehicles, associates and calls inside each cell, brokers
who call across cells, payments along hawala chains, shared phones. Defaults: 20,000 thing
entities and the relation entities it takes to reach 60,000 links.

    nice .venv/bin/python bench/entities/bench_graph.py [--nodes 20000] [--edges 60000]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx
from followthemoney import EntityProxy

from benchlib import print_machine
from corridor.entities.analysis import facts, metrics
from corridor.entities.analysis import graph as g
from corridor.entities.analysis.exports import write_gexf
from corridor.entities.ftm import make_entity

CELL = 40
TARGET_SECONDS = 3.0


def _entity(schema: str, entity_id: str, **props: Any) -> EntityProxy:
    proxy = make_entity(schema, entity_id)
    for name, value in props.items():
        proxy.add(name, value)
    return proxy


def synthetic_case(nodes: int, links: int, seed: int = 7) -> list[EntityProxy]:
    """About `nodes` thing entities and enough relation entities for about `links` links."""
    rng = random.Random(seed)
    people = int(nodes * 0.6)
    entities: list[EntityProxy] = []
    persons = [f"p{i}" for i in range(people)]
    for i, pid in enumerate(persons):
        # One in twenty people shares a phone with the person before them (a handset passed on).
        phone = f"+9230{(i - 1 if i % 20 == 0 and i else i):08d}"
        entities.append(_entity("Person", pid, name=f"Person {i}", country="pk", phone=phone))
    cells = [persons[i : i + CELL] for i in range(0, people, CELL)]
    brokers = [rng.choice(cell) for cell in cells]
    things = nodes - people
    for i in range(things):
        holder = rng.choice(persons)
        kind = i % 4
        if kind == 0:
            entities.append(_entity("Passport", f"d{i}", number=f"AB{i:07d}", holder=holder))
        elif kind == 1:
            entities.append(
                _entity("MobileDevice", f"m{i}", imeiNumber=f"35{i:013d}", holder=holder)
            )
        elif kind == 2:
            entities.append(_entity("BankAccount", f"a{i}", accountNumber=f"PK{i:010d}"))
            entities.append(_entity("Ownership", f"o{i}", owner=holder, asset=f"a{i}"))
        else:
            entities.append(_entity("Vehicle", f"v{i}", registrationNumber=f"LEB-{i:05d}"))
            entities.append(_entity("Ownership", f"ov{i}", owner=holder, asset=f"v{i}"))
    made = 0
    while made < links - things:
        cell = rng.choice(cells)
        roll = rng.random()
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if roll < 0.1:
            a, b = rng.choice(brokers), rng.choice(brokers)
            entities.append(_entity("Call", f"c{made}", caller=a, receiver=b, date=day))
        elif roll < 0.5:
            a, b = rng.sample(cell, 2)
            entities.append(_entity("Call", f"c{made}", caller=a, receiver=b, date=day))
        elif roll < 0.8:
            a, b = rng.sample(cell, 2)
            entities.append(_entity("Associate", f"s{made}", person=a, associate=b))
        else:
            a, b = rng.sample(cell, 2)
            entities.append(
                _entity("Payment", f"y{made}", payer=a, beneficiary=b, amount="250000", date=day)
            )
        made += 1
    return entities


def timed(label: str, fn: Callable[[], Any], results: dict[str, tuple[float, float]]) -> Any:
    """Runs fn, recording (wall seconds, CPU seconds of this process): on a shared machine the
    CPU figure is the one that says what the code costs."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    results[label] = (time.perf_counter() - wall, time.process_time() - cpu)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=20_000)
    parser.add_argument("--edges", type=int, default=60_000)
    args = parser.parse_args()

    print_machine(pg_url=None)
    entities = synthetic_case(args.nodes, args.edges)
    times: dict[str, tuple[float, float]] = {}
    graph = timed("build_graph", lambda: g.build_graph(entities), times)
    scores = timed("centrality", lambda: metrics.centrality(graph), times)
    groups = timed("communities", lambda: metrics.communities(graph), times)
    seed = max(scores["pagerank"], key=scores["pagerank"].get)
    view = timed("neighbourhood 2 hops", lambda: metrics.neighbourhood(graph, [seed], 2), times)

    def view_json() -> dict[str, Any]:
        return g.to_cytoscape(
            view, centrality=metrics.centrality(view), communities=metrics.communities(view)
        )

    timed("view: scores+json", view_json, times)
    hops = nx.single_source_shortest_path_length(graph, "p0")
    far = max(hops, key=hops.__getitem__)
    paths = timed("shortest_paths x5", lambda: metrics.shortest_paths(graph, "p0", far), times)
    timed(
        "to_cytoscape", lambda: g.to_cytoscape(graph, centrality=scores, communities=groups), times
    )
    timed("write_gexf", lambda: write_gexf(graph, io.BytesIO()), times)
    timed("timeline", lambda: facts.timeline(entities), times)

    pivots = metrics.betweenness_pivots(graph)
    print("== link analysis on a synthetic case")
    print(f"  input       {len(entities):,} entities")
    print(f"  graph       {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges")
    print(f"  betweenness {'exact' if pivots is None else f'{pivots} sampled sources'}")
    print(f"  communities {len(groups):,} (largest {len(groups[0]):,} nodes)")
    print(f"  view        {view.number_of_nodes()} nodes around the top PageRank node", end="")
    print(f" (truncated: {view.graph['truncated']})")
    print(f"  paths       p0 -> {far}: {len(paths)} paths of {[len(p) - 1 for p in paths]} links")
    print(f"  {'step':<22}{'wall s':>8}{'cpu s':>8}")
    for label, (wall, cpu) in times.items():
        print(f"  {label:<22}{wall:8.3f}{cpu:8.3f}")
    core = [times[k] for k in ("build_graph", "centrality", "communities")]
    wall, cpu = sum(w for w, _ in core), sum(c for _, c in core)
    verdict = "PASS" if cpu <= TARGET_SECONDS else "FAIL"
    print(f"\n  build + centrality + communities: {wall:.2f} s wall, {cpu:.2f} s CPU", end="")
    print(f" (target <= {TARGET_SECONDS} s CPU) {verdict}")


if __name__ == "__main__":
    main()
