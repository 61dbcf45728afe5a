"""The map's data endpoint over a large network view: 2,000 challenges over 200 countries.

.venv/bin/python bench/mapping/bench_map_data.py [--challenges 2000] [--countries 200]
    [--requests 200] [--database-url postgresql+psycopg://...]

Half the challenges are the node's own, half arrive from a partner as signed records (the
receiver's path), a fifth carry drawn locations, a few are TLP:RED for someone else (filtered
out). Times GET /api/v1/map through the whole ASGI app (auth, query, aggregation, JSON), without
and with filters. Target (issue 6): p95 < 200 ms."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fastapi.testclient import TestClient

from benchlib import ScratchPostgres, percentile, print_machine
from corridor.federation import delivery
from corridor.federation.cards import own_card_chain
from corridor.federation.peers import add_peer
from corridor.mapping import geo
from corridor.mapping.challenges.schemas import SEVERITIES, STATUSES, TRENDS
from corridor.mapping.challenges.service import save_challenge
from corridor.mapping.routes.service import save_route
from corridor.mapping.schemas import THEMES
from corridor.node.service import Node, init_node
from corridor.records.labels import Labels
from corridor.security import passwords
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM
from corridor.web.app import create_app

TARGET_MS = 200.0


def analyst(node: Node, email: str):  # type: ignore[no-untyped-def]
    with node.db.transaction() as s:
        user = security.create_user(
            s, actor=SYSTEM, email=email, role="analyst", password="correct horse battery"
        )
        secret, _ = security.create_token(s, actor=SYSTEM, user=user, scopes=["read", "write"])
        return security.principal_for(user, kind="session"), secret


def peer(a: Node, b: Node) -> None:
    import json

    for here, there in ((a, b), (b, a)):
        with there.db.transaction() as s:
            chain = own_card_chain(s, there.id)
        with here.db.transaction() as s:
            add_peer(
                s,
                actor=CLI,
                own_node_id=here.id,
                card_file=json.dumps(chain[0] if len(chain) == 1 else chain),
                approve=True,
            )


def seed(
    node: Node,
    actor,
    n: int,
    countries: list[str],
    rnd: random.Random,  # type: ignore[no-untyped-def]
    to: list[str],
    routes: list[str],
) -> None:
    themes, sev, st, tr = list(THEMES), list(SEVERITIES), list(STATUSES), list(TRENDS)
    batch = 200
    for start in range(0, n, batch):
        with node.db.transaction() as s:
            for i in range(start, min(n, start + batch)):
                ccs = rnd.sample(countries, rnd.choice((1, 1, 2, 3)))
                body = {
                    "title": f"Challenge {i} in {' '.join(ccs)}",
                    "description": "Synthetic benchmark challenge. " * 5,
                    "theme": rnd.choice(themes),
                    "countries": ccs,
                    "severity": rnd.choice(sev),
                    "trend": rnd.choice(tr),
                    "status": rnd.choice(st),
                    "identified": f"2026-{rnd.randint(1, 11):02d}-{rnd.randint(1, 28):02d}",
                    "regions": ["Synthetic region"],
                }
                if routes and rnd.random() < 0.3:
                    body["routes"] = [{"route": rnd.choice(routes), "legs": [0]}]
                if rnd.random() < 0.2:
                    lon, lat = geo.countries()[ccs[0]].point
                    body["locations"] = [
                        {
                            "name": "Crossing",
                            "geometry": {"type": "Point", "coordinates": [lon, lat]},
                        },
                        {
                            "name": "Border section",
                            "geometry": {
                                "type": "LineString",
                                "coordinates": [[lon, lat], [lon + 0.5, lat + 0.2], [lon + 1, lat]],
                            },
                        },
                    ]
                labels = Labels(tlp="GREEN")
                if rnd.random() < 0.02:
                    labels = Labels(tlp="RED", recipients=["user:someone-else"])
                save_challenge(s, node.keys, actor=actor, body=body, labels=labels, to=to)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--challenges", type=int, default=2000)
    ap.add_argument("--countries", type=int, default=200)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    print_machine(args.database_url)
    passwords.configure(time_cost=1, memory_cost=1024)
    rnd = random.Random(6)
    tmp = Path(tempfile.mkdtemp(prefix="corridor-bench-map-"))
    with ScratchPostgres(args.database_url or "") as pg:
        url = pg.create("map") if args.database_url else None
        node = init_node(tmp / "a", name="A", org="O", country="GR", database_url=url).node
        partner = init_node(tmp / "b", name="B", org="O", country="TR").node
        peer(node, partner)
        started = time.perf_counter()
        countries = sorted(geo.countries())[: args.countries]
        print(
            f"decoded the 1:50m atlas ({len(geo.countries())} countries) in "
            f"{time.perf_counter() - started:.2f} s"
        )
        me, secret = analyst(node, "a@x.example")
        them, _ = analyst(partner, "b@x.example")
        route_ids = []
        with node.db.transaction() as s:
            for k in range(10):
                a, b, c = rnd.sample(countries, 3)
                env = save_route(
                    s,
                    node.keys,
                    actor=me,
                    to=[],
                    body={
                        "name": f"Route {k}",
                        "legs": [
                            {"from": {"country": a}, "to": {"country": b}},
                            {"from": {"country": b}, "to": {"country": c}},
                        ],
                    },
                )
                route_ids.append(env["id"])
        t0 = time.perf_counter()
        seed(node, me, args.challenges // 2, countries, rnd, [], route_ids)
        seed(partner, them, args.challenges - args.challenges // 2, countries, rnd, [node.id], [])
        with TestClient(create_app(node)) as to_node:
            while delivery.push_to(partner, node.id, http=to_node):
                pass
            print(f"seeded {args.challenges} challenges in {time.perf_counter() - t0:.1f} s")
            headers = {"Authorization": f"Bearer {secret}"}
            queries = {
                "all": "/api/v1/map",
                "theme+severity": "/api/v1/map?theme=fraudulent_documents&theme=digital_smuggling"
                "&severity=high&severity=critical",
                "country+dates": "/api/v1/map?country=GR&since=2026-03-01&until=2026-09-30",
            }
            results = {}
            for name, q in queries.items():
                r = to_node.get(q, headers=headers)
                assert r.status_code == 200, r.text
                body = r.json()
                times = []
                for _ in range(args.requests):
                    started = time.perf_counter()
                    to_node.get(q, headers=headers).raise_for_status()
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                results[name] = (
                    percentile(times, 50),
                    percentile(times, 95),
                    len(body["challenges"]),
                    len(body["countries"]),
                    len(r.content),
                )
        node.close()
        partner.close()
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\nGET /api/v1/map on {store}, {args.challenges} challenges over "
        f"{args.countries} countries, {args.requests} requests each"
    )
    print(
        f"{'query':16} {'p50 ms':>8} {'p95 ms':>8} {'challenges':>11} "
        f"{'countries':>10} {'bytes':>10}"
    )
    for name, (p50, p95, n, c, size) in results.items():
        print(f"{name:16} {p50:8.1f} {p95:8.1f} {n:11d} {c:10d} {size:10d}")
    worst = max(p95 for _, p95, *_ in results.values())
    verdict = "PASS" if worst < TARGET_MS else "FAIL"
    print(f"\n{verdict}: worst p95 {worst:.1f} ms (target < {TARGET_MS:.0f} ms)")


if __name__ == "__main__":
    main()
