"""Duplicate detection over synthetic persons (default 1,000,000, 5 % injected duplicates):
time of corridor.entities.resolution.dedupe.find_duplicates with 2 workers, pairs compared,
precision and recall on the injected duplicates. Target of issue 4: < 10 min for 1,000,000 on
this machine.

    nice .venv/bin/python bench/entities/bench_dedupe.py [--persons N] [--workers W]

The persons are generated first (not timed: in corridor they come from the store) and held in
memory; the timed part is find_duplicates from the first entity read to the last pair out.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate, is_true_pair

import benchlib
from corridor.entities.resolution import dedupe
from corridor.entities.resolution.compare import Comparison
from corridor.entities.resolution.dedupe import DedupeStats, find_duplicates

TARGET_SECONDS = 600


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _indistinguishable(comparison: Comparison) -> bool:
    outcomes = {r.feature: r.outcome for r in comparison.reasons}
    return (
        outcomes.get("name") == "agree"
        and outcomes.get("birthDate") == "agree"
        and "conflict" not in {o for f, o in outcomes.items() if f not in ("name", "birthDate")}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dup-share", type=float, default=0.05)
    parser.add_argument(
        "--hand-set", action="store_true", help="hand-set weights instead of fitted ones"
    )
    args = parser.parse_args()

    benchlib.print_machine(pg_url=None)
    weights = "hand-set" if args.hand_set else "fitted (calibrate=True)"
    print(f"== duplicate detection: {args.persons:,} persons, workers={args.workers}, {weights}")
    t0 = time.perf_counter()
    entities = list(generate(args.persons, dup_share=args.dup_share))
    generated = time.perf_counter() - t0
    sources = Counter(str(e.id).split("-of-", 1)[1] for e in entities if "-of-" in str(e.id))
    # True pairs: each duplicate with its source, and duplicates of one source with each other.
    true_pairs = sum(n + n * (n - 1) // 2 for n in sources.values())
    injected = sum(sources.values())
    print(f"  generated   {generated:.0f} s (not timed below); {injected:,} injected duplicates")
    print(f"              of {len(sources):,} persons, {true_pairs:,} true pairs")

    stats = DedupeStats()
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    matches = unsure = true_matches = true_unsure = namesakes = 0
    found = find_duplicates(
        entities, workers=args.workers, stats=stats, calibrate=not args.hand_set
    )
    for pair in found:
        true = is_true_pair(pair.a_id, pair.b_id)
        if pair.comparison.match:
            matches += 1
            true_matches += true
            namesakes += not true and _indistinguishable(pair.comparison)
        else:
            unsure += 1
            true_unsure += true
    elapsed = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024

    print(f"  time        {elapsed:.0f} s find_duplicates ({elapsed / 60:.1f} min)")
    print(f"  cpu         {cpu:.0f} s in this process and its workers (what other work on the")
    print("              machine cannot inflate)")
    print(f"  blocks      {stats.blocks:,} used, {stats.skipped_blocks:,} over the cap of ")
    print(f"              {dedupe.BLOCK_CAP} members skipped")
    print(f"  pairs       {stats.compared:,} candidates, {stats.scored:,} fully compared, ")
    print(f"              {stats.yielded:,} reported (score ≥ NO_MATCH_THRESHOLD)")
    print(f"  memory      peak RSS of the main process {peak:.1f} GiB")
    if stats.model is not None:
        print(f"  fit         {stats.fit_seconds:.0f} s (included above) on {stats.fitted_pairs:,}")
        print(f"              sampled candidate pairs; {stats.model.describe()[0]}")
    elif not args.hand_set:
        print(f"  fit         {stats.fit_seconds:.0f} s (included above), not usable (see")
        print("              calibrate.FittedModel.usable): hand-set weights were used")

    def line(label: str, found: int, hits: int) -> None:
        precision = hits / found if found else 0.0
        recall = hits / true_pairs if true_pairs else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"  {label:<28} {found:>8,} pairs  P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}")

    line("match=True", matches, true_matches)
    line("match=True or unsure", matches + unsure, true_matches + true_unsure)
    print(
        f"  of the {matches - true_matches:,} false matches, {namesakes:,} are different generated"
    )
    print("  persons with names that agree, the same birth date and no conflicting identifier")
    print("  (namesakes the generator made by chance: no matcher can tell them apart)")
    print()
    verdict = "PASS" if elapsed < TARGET_SECONDS else "FAIL"
    print(f"summary: {args.persons:,} persons deduplicated in {elapsed:.0f} s "
          f"(target < {TARGET_SECONDS} s): {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
