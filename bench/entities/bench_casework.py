"""Timeline and case-work reads over a large synthetic case (SQLite), timed.

.venv/bin/python bench/entities/bench_casework.py [--persons 10000] [--facts 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import print_machine
from corridor.entities import store
from corridor.entities.cases import notes, overview, tasks, timeline
from corridor.entities.cases.schemas import CaseCreate
from corridor.entities.cases.service import create_case
from corridor.entities.ftm import make_entity
from corridor.node.service import init_node
from corridor.security import passwords
from corridor.security import service as security
from corridor.security.principal import SYSTEM


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--facts", type=int, default=10_000)
    ap.add_argument("--notes", type=int, default=500)
    ap.add_argument("--tasks", type=int, default=200)
    args = ap.parse_args()
    print_machine(None)
    passwords.configure(time_cost=1, memory_cost=1024)
    rnd = random.Random(7)
    node = init_node(Path(tempfile.mkdtemp()) / "n", name="B", org="O", country="PK").node
    with node.db.transaction() as s:
        user = security.create_user(
            s,
            actor=SYSTEM,
            email="b@x.example",
            role="investigator",
            password="correct horse battery staple",
        )
        actor = security.principal_for(user, kind="session")
        case = create_case(s, actor=actor, data=CaseCreate(reference="B-1", title="bench"))
        cid = case.id
    persons = []
    for i in range(args.persons):
        p = make_entity("Person", f"p{i}")
        p.add("name", f"Person {i}")
        persons.append(p)
    facts = []
    kinds = ["Call", "Payment", "Trip", "Event"]
    for i in range(args.facts):
        schema = kinds[i % 4]
        f = make_entity(schema, f"f{i}")
        day = f"2024-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        a, b = rnd.sample(range(args.persons), 2)
        if schema == "Call":
            f.add("caller", f"p{a}")
            f.add("receiver", f"p{b}")
            f.add("date", day)
        elif schema == "Payment":
            f.add("payer", f"p{a}")
            f.add("beneficiary", f"p{b}")
            f.add("date", day)
            f.add("amount", str(rnd.randint(100, 100000)))
            f.add("currency", "PKR")
        else:
            f.add("name", f"{schema} {i}")
            f.add("involved", f"p{a}")
            f.add("startDate", day)
        facts.append(f)
    t = time.perf_counter()
    with node.db.transaction() as s:
        for chunk in range(0, len(persons + facts), 5000):
            store.write(
                s,
                proxies=(persons + facts)[chunk : chunk + 5000],
                source=store.Source("import", "bench"),
                tlp="AMBER",
                purpose="enforcement",
                case_id=cid,
            )
    print(f"loaded {len(persons)} persons + {len(facts)} facts in {time.perf_counter() - t:.1f} s")
    with node.db.transaction() as s:
        for i in range(args.notes):
            notes.add_note(s, actor=actor, case_ref=cid, text=f"note {i} " * 20)
        for i in range(args.tasks):
            tasks.add_task(s, actor=actor, case_ref=cid, title=f"task {i}")

    def timed(label: str, fn, runs: int = 5) -> None:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            with node.db.transaction() as s:
                out = fn(s)
            times.append(time.perf_counter() - t0)
        print(
            f"{label}: median {statistics.median(times) * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms ({out})"
        )

    timed(
        "timeline, all kinds, limit 1000",
        lambda s: timeline.timeline(s, actor=actor, case_ref=cid).total,
    )
    timed(
        "timeline, payments in March 2024",
        lambda s: (
            timeline.timeline(
                s,
                actor=actor,
                case_ref=cid,
                kinds=["payment"],
                date_from="2024-03",
                date_to="2024-03",
            ).total
        ),
    )
    timed(
        "timeline, activity only",
        lambda s: (
            timeline.timeline(
                s, actor=actor, case_ref=cid, kinds=list(timeline.ACTIVITY_KINDS)
            ).total
        ),
    )
    timed(
        "overview (case page partial data)",
        lambda s: len(overview.overview(s, actor=actor, case_ref=cid).timeline.items),
    )
    node.close()


if __name__ == "__main__":
    main()
