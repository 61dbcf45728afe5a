"""Cross-script name search: an Arabic-script query finds the person stored in Latin script,
and the other way round, through the real search (`corridor.entities.search.search`).

    .venv/bin/python bench/entities/bench_names.py [--part heldout|tuning] [--pool 1500]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

From one half of arabic-latin-names-train.tsv (the split of datasets.read_arabic_latin; the
transliteration model and the keys were trained and tuned on the tuning half only), `--pool`
distinct names of one script are stored as persons in one case, then every name of the other
script whose spelling is among them is searched for (limit 5, schema Person). A query counts
as found at rank k when a person stored under one of the file's spellings for it is k-th.
Reported: top-1 and top-5 in each direction, how many queries found nothing, and latency and
CPU per query. Targets (issue 15): top-1 >= 0.90, top-5 >= 0.98, both directions."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import investigator_case
from datasets import NamePair, read_arabic_latin
from followthemoney import EntityProxy

import benchlib
from corridor.entities import store
from corridor.entities.ftm import make_entity
from corridor.entities.search import service as search
from corridor.node.service import init_node
from corridor.security import passwords


def pool_and_truth(
    pairs: list[NamePair], pool_size: int, arabic_store: bool, seed: int = 7
) -> tuple[list[str], dict[str, set[str]]]:
    """Names to store (one script) and, for each query (the other script), its stored names."""
    stored_of = (lambda p: p.arabic) if arabic_store else (lambda p: p.latin)
    query_of = (lambda p: p.latin) if arabic_store else (lambda p: p.arabic)
    names = sorted({stored_of(p) for p in pairs})
    pool = random.Random(seed).sample(names, min(pool_size, len(names)))
    chosen = set(pool)
    truth: dict[str, set[str]] = {}
    for p in pairs:
        if stored_of(p) in chosen:
            truth.setdefault(query_of(p), set()).add(stored_of(p))
    return pool, truth


def run(url: str | None, pool: list[str], truth: dict[str, set[str]], label: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        node = init_node(Path(tmp) / "node", name="B", org="B", country="PK", database_url=url)
        actor, case_id = investigator_case(node.node)
        db = node.node.db
        with db.transaction() as s:
            store.write(
                s,
                proxies=_persons(pool),
                source=store.Source("import", "bench", "names.csv"),
                tlp="AMBER",
                purpose="enforcement",
                case_id=case_id,
            )
        ranks: list[int | None] = []
        empty = 0
        times: list[float] = []
        cpu0 = time.process_time()
        for q, wanted in sorted(truth.items()):
            t0 = time.perf_counter()
            with db.transaction() as s:
                result = search.search(
                    s,
                    actor=actor,
                    node_id=node.node.id,
                    q=q,
                    limit=5,
                    schema="Person",
                )
            times.append((time.perf_counter() - t0) * 1000)
            captions = [h.entity.caption for h in result.items]
            empty += not captions
            ranks.append(next((i for i, c in enumerate(captions) if c in wanted), None))
        cpu = time.process_time() - cpu0
        node.node.close()
    n = len(ranks)
    top1 = sum(r == 0 for r in ranks) / n
    top5 = sum(r is not None for r in ranks) / n
    times.sort()
    print(
        f"{label:<28} {n:>5} queries  top-1 {top1:.3f}  top-5 {top5:.3f}  "
        f"nothing found {empty / n:.3f}  p50 {benchlib.percentile(times, 50):.1f} ms  "
        f"p95 {benchlib.percentile(times, 95):.1f} ms  CPU {1000 * cpu / n:.1f} ms/query"
    )


def _persons(names: Iterable[str]) -> list[EntityProxy]:
    out = []
    for i, name in enumerate(names):
        proxy = make_entity("Person", f"p{i}")
        proxy.add("name", name)
        out.append(proxy)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--part", choices=("heldout", "tuning"), default="heldout")
    p.add_argument("--pool", type=int, default=1500)
    p.add_argument("--database-url", default=None)
    args = p.parse_args(argv)
    passwords.configure(time_cost=1, memory_cost=1024)
    benchlib.print_machine(args.database_url or None)
    pairs = read_arabic_latin(args.part)
    print(f"\n{args.part} half of arabic-latin-names-train.tsv, pool of {args.pool} names\n")
    with benchlib.ScratchPostgres(args.database_url or benchlib.DEFAULT_PG_URL) as scratch:
        directions = ((False, "Arabic query → Latin store"), (True, "Latin query → Arabic store"))
        for arabic_store, label in directions:
            url = scratch.create(f"names{int(arabic_store)}") if args.database_url else None
            pool, truth = pool_and_truth(pairs, args.pool, arabic_store)
            run(url, pool, truth, label)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
