"""The protection compartment: screening, referral and the counts that leave it.

    .venv/bin/python bench/protection/bench_protection.py [--people 20000] [--postgres]

A fresh node and a peer (its card imported, nothing sent) on SQLite (or a scratch PostgreSQL
database with --postgres). A protection officer records `--people` people, each with a
screening of 27 answers; then refers 500 of them (consent recorded with the person) to a shelter
at the peer: each referral is a signed record of the core, checked by the flow rule, queued for
delivery. Then the aggregates a risk analyst reads, by each dimension.

Printed: wall and CPU per person recorded (person + consent + screening), per referral, and p50
and p95 per aggregate query. Figures go to bench/RESULTS.md with the machine's details."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchlib
from corridor.federation.cards import own_card_chain
from corridor.federation.peers import add_peer
from corridor.node.service import init_node
from corridor.protection import aggregates, service
from corridor.protection.indicators import ITEMS
from corridor.protection.schemas import ConsentIn, PersonIn, ReferralIn, ScreeningIn
from corridor.security import service as security
from corridor.security.principal import CLI, SYSTEM

NATIONALITIES = ["AF", "PK", "SY", "IQ", "IR", "BD", "ER", "SD", "EG", "MA", "TN", "GN"]
ROUTES = ["Eastern Mediterranean", "Central Mediterranean", "Western Balkans", "Western Med"]


def _card(node) -> str:  # type: ignore[no-untyped-def]
    with node.db.transaction() as s:
        return json.dumps(own_card_chain(s, node.id)[0])


def _principal(node, role: str):  # type: ignore[no-untyped-def]
    with node.db.transaction() as s:
        user = security.create_user(
            s, actor=SYSTEM, email=f"{role}@bench.example", role=role, password="x" * 16
        )
        return security.principal_for(user, kind="session")


def run(people: int, url: str | None, base: Path) -> None:
    a = init_node(base / "a", name="A", org="A", country="GR", database_url=url).node
    b = init_node(base / "b", name="B", org="B", country="PK").node
    with a.db.transaction() as s:
        add_peer(s, actor=CLI, own_node_id=a.id, card_file=_card(b), approve=True)
    po = _principal(a, "protection_officer")
    analyst = _principal(a, "analyst")
    rng = random.Random(7)
    ids = []
    consent = ConsentIn(given=True, purposes=["referral"])
    w0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, people, 500):
        with a.db.transaction() as s:
            for n in range(start, min(people, start + 500)):
                person = PersonIn(
                    name=f"Person {n}",
                    birth_year=rng.randint(1960, 2012),
                    sex=rng.choice(["female", "male"]),
                    nationality=rng.choice(NATIONALITIES),
                )
                found = service.create_person(s, actor=po, data=person)
                service.record_consent(s, actor=po, person_id=found.id, data=consent)
                answers = {i.code: rng.choice(["yes", "no", "no", "unknown"]) for i in ITEMS}
                service.screen(
                    s,
                    actor=po,
                    person_id=found.id,
                    data=ScreeningIn(answers=answers, route=rng.choice(ROUTES)),
                )
                ids.append(found.id)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(
        f"record person + consent + screening  {people:,}: {wall:.1f} s wall, "
        f"{cpu / people * 1000:.2f} ms CPU per person"
    )
    referred = ids[:500]
    w0, c0 = time.perf_counter(), time.process_time()
    for pid in referred:
        with a.db.transaction() as s:
            service.refer(
                s,
                a.keys,
                actor=po,
                data=ReferralIn(
                    to=[b.id], service="shelter", person_id=pid, needs=["a bed for tonight"]
                ),
            )
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    n = len(referred)
    print(
        f"refer to a partner's shelter  {n}: {wall / n * 1000:.2f} ms wall, "
        f"{cpu / n * 1000:.2f} ms CPU per referral"
    )
    for by in aggregates.BYS:
        walls, cpus = [], []
        for _ in range(7):
            w0, c0 = time.perf_counter(), time.process_time()
            with a.db.transaction() as s:
                aggregates.counts(s, actor=analyst, by=by)  # type: ignore[arg-type]
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        walls.sort()
        print(
            f"aggregates by {by:<14} p50 {statistics.median(walls) * 1000:7.1f} ms, "
            f"p95 {benchlib.percentile(walls, 95) * 1000:7.1f} ms, "
            f"CPU {statistics.median(cpus) * 1000:7.1f} ms"
        )
    a.close()
    b.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=20_000)
    p.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL database")
    args = p.parse_args()
    pg_url = os.environ.get("CORRIDOR_BENCH_DATABASE_URL", benchlib.DEFAULT_PG_URL)
    benchlib.print_machine(pg_url if args.postgres else None)
    print(f"store: {'PostgreSQL' if args.postgres else 'SQLite'}")
    with benchlib.ScratchPostgres(pg_url) as scratch, tempfile.TemporaryDirectory() as tmp:
        url = scratch.create("protection") if args.postgres else None
        run(args.people, url, Path(tmp))


if __name__ == "__main__":
    main()
