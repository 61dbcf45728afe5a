"""Quality of corridor's name and entity matching on the public linkage data in
../shared/data/linkage: precision, recall and F1 against the targets of issue 4.

    .venv/bin/python bench/entities/bench_quality.py [--skip-subset]

1. Arabic-script names vs their Latin transliteration (arabic-latin-names-train.tsv), on the
   held-out half only (split by a hash of each line, see datasets.py; the name keys and
   SAME_NAME_THRESHOLD were tuned on the other half). Negatives: random other Latin names,
   never a spelling the file gives for the same Arabic form. Also the subset of rows that are
   personal names by an outside criterion: rigour's person-name tagger (Wikidata given and
   family names) gives the Arabic and the Latin form a common name symbol.
2. FEBRL 4a ↔ 4b through find_duplicates, pairs between the two files.
3. fake_1000 (250 clusters) through find_duplicates, pairs scored directly and pairs of the
   transitive closure.
2 and 3 are run twice: with the hand-set weights of compare (calibrate=False) and with weights
fitted by EM on each data set's own candidate pairs (calibrate=True, no labels used: the labels
only score the result). With --model the fitted m, u and weights are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import (
    DATA_DIR,
    NamePair,
    cluster_pairs,
    febrl_truth,
    negative_pairs,
    read_arabic_latin,
    read_fake_1000,
    read_febrl,
)
from rigour.names import NameTypeTag, Symbol, analyze_names

import benchlib
from corridor.entities.resolution.compare import MATCH_THRESHOLD, NO_MATCH_THRESHOLD
from corridor.entities.resolution.dedupe import (
    DedupeStats,
    clusters,
    find_duplicates,
    pairwise_scores,
)
from corridor.entities.search.names import SAME_NAME_THRESHOLD, name_keys, name_similarity

Result = tuple[float, float, float]


def fmt(label: str, result: Result, extra: str = "") -> str:
    p, r, f = result
    return f"  {label:<44} P {p:.3f}  R {r:.3f}  F1 {f:.3f}{extra}"


def name_figures(pairs: list[NamePair], negatives: list[NamePair]) -> tuple[Result, float, float]:
    pos = [name_similarity(p.arabic, p.latin) for p in pairs]
    neg = [name_similarity(p.arabic, p.latin) for p in negatives]
    tp = sum(s >= SAME_NAME_THRESHOLD for s in pos)
    fp = sum(s >= SAME_NAME_THRESHOLD for s in neg)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / len(pos)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # Best recall at precision ≥ 0.95 over all thresholds, for comparison only: the figure
    # above uses the threshold fixed on the tuning half.
    best = 0.0
    for t in sorted(set(pos)):
        tp_t = sum(s >= t for s in pos)
        fp_t = sum(s >= t for s in neg)
        if tp_t and tp_t / (tp_t + fp_t) >= 0.95:
            best = max(best, tp_t / len(pos))
    key_share = sum(bool(set(name_keys(p.arabic)) & set(name_keys(p.latin))) for p in pairs)
    return (precision, recall, f1), best, key_share / len(pairs)


def _name_symbols(text: str) -> set[Symbol]:
    names = analyze_names(NameTypeTag.PER, [text], consolidate=False)
    return {s.symbol for n in names for s in n.spans if s.symbol.category == Symbol.Category.NAME}


def arabic_latin(skip_subset: bool) -> list[str]:
    out: list[str] = []
    tuning = read_arabic_latin("tuning")
    heldout = read_arabic_latin("heldout")
    print(f"== Arabic script ↔ Latin ({len(tuning):,} tuning rows, {len(heldout):,} held out)")
    print(f"  threshold SAME_NAME_THRESHOLD = {SAME_NAME_THRESHOLD} (fixed on the tuning half)")
    t0 = time.perf_counter()
    for part, pairs in (("tuning", tuning), ("held out", heldout)):
        for k in (1, 10):
            negatives = list(negative_pairs(pairs, k))
            result, best, share = name_figures(pairs, negatives)
            line = fmt(f"{part}, {k} negative(s) per positive", result)
            line += f"  (best R at P≥0.95: {best:.3f}; a shared key: {share:.3f})"
            print(line)
            if part == "held out":
                out.append(line)
    elapsed = time.perf_counter() - t0
    total = 2 * (len(tuning) + len(heldout)) * 12
    print(f"  {total:,} similarities in {elapsed:.1f} s")
    if not skip_subset:
        t0 = time.perf_counter()
        subset = [p for p in heldout if _name_symbols(p.arabic) & _name_symbols(p.latin)]
        names = {p.arabic for p in subset}
        # Negatives for the subset come from the subset, so they are personal names as well.
        negatives = list(negative_pairs(subset, 1))
        result, best, share = name_figures(subset, negatives)
        line = fmt(f"held out, personal names ({len(subset):,} rows), 1 neg.", result)
        line += f"  (best R at P≥0.95: {best:.3f}; a shared key: {share:.3f})"
        print(line)
        took = time.perf_counter() - t0
        print(f"  (subset of {len(names):,} Arabic forms selected in {took:.0f} s)")
        out.append(line)
    print()
    return out


def linkage(
    label: str,
    entities: list,
    truth: set[frozenset[str]],
    keep: Callable[[str, str], bool],
    show_model: bool,
) -> list[str]:
    out: list[str] = []
    for calibrate in (False, True):
        out += _linkage(label, entities, truth, keep, calibrate, show_model)
    return out


def _linkage(
    label: str,
    entities: list,
    truth: set[frozenset[str]],
    keep: Callable[[str, str], bool],
    calibrate: bool,
    show_model: bool,
) -> list[str]:
    out: list[str] = []
    stats = DedupeStats()
    t0 = time.perf_counter()
    found = find_duplicates(entities, workers=2, stats=stats, calibrate=calibrate)
    pairs = [p for p in found if keep(p.a_id, p.b_id)]
    elapsed = time.perf_counter() - t0
    label = f"{label}, {'fitted' if calibrate else 'hand-set'}"
    print(f"== {label}: {len(entities):,} records, {len(truth):,} true pairs")
    print(
        f"  find_duplicates {elapsed:.1f} s, workers=2: {stats.compared:,} candidate pairs, "
        f"{stats.scored:,} compared in full"
    )
    if stats.model is not None:
        print(f"  fitted in {stats.fit_seconds:.1f} s: {stats.model.describe()[0]}")
        if show_model:
            for line in stats.model.describe()[1:]:
                print(f"    {line}")
    matched = [(p.a_id, p.b_id) for p in pairs if p.comparison.match]
    queued = [(p.a_id, p.b_id) for p in pairs]
    for name, chosen in (
        (f"match=True (score ≥ {MATCH_THRESHOLD})", matched),
        (f"match or unsure (score ≥ {NO_MATCH_THRESHOLD})", queued),
    ):
        direct = pairwise_scores(chosen, truth)
        closed = [frozenset(p) for c in clusters(chosen) for p in combinations(sorted(c), 2)]
        line = fmt(f"{name}, scored pairs", direct)
        print(line)
        out.append(f"{label}: {line.strip()}")
        line = fmt(f"{name}, transitive closure", pairwise_scores(closed, truth))
        print(line)
        out.append(f"{label}: {line.strip()}")
    print()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-subset", action="store_true", help="skip the slow name subset")
    parser.add_argument("--model", action="store_true", help="print the fitted m and u")
    args = parser.parse_args()
    if not DATA_DIR.is_dir():
        sys.exit(f"data directory {DATA_DIR} not found")
    benchlib.print_machine(pg_url=None)
    summary = arabic_latin(args.skip_subset)

    febrl = read_febrl("febrl-dataset4a.csv") + read_febrl("febrl-dataset4b.csv")
    summary += linkage(
        "FEBRL 4a↔4b",
        febrl,
        febrl_truth(febrl),
        lambda a, b: a.split("-")[2] != b.split("-")[2],  # one record from each file
        args.model,
    )
    fake, cluster_of = read_fake_1000()
    summary += linkage("fake_1000", fake, cluster_pairs(cluster_of), lambda a, b: True, args.model)

    print("summary (targets: FEBRL F1 ≥ 0.95, fake_1000 F1 ≥ 0.90, Arabic–Latin held out")
    print("         R ≥ 0.90 at P ≥ 0.95)")
    for line in summary:
        print("  " + line.strip())


if __name__ == "__main__":
    main()
