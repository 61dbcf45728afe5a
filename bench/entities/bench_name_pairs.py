"""Hard pairs of person names: the name verdict of the compare API against different people
whose names look like the right one.

    .venv/bin/python bench/entities/bench_name_pairs.py [--part heldout|tuning] [--seed 5]

Pairs against random other names flatter any matcher (bench_quality.py: F1 0.99). Here every
negative is the *nearest* different name: for each row of one half of
arabic-latin-names-train.tsv (the split of datasets.read_arabic_latin; the model, the keys and
the thresholds were set on the tuning half), the Latin spelling of another row that is closest
to the row's own Latin spelling (Jaro–Winkler, same first letter), the Arabic forms differing
even after hamza and alef variants are folded (Hassan for حسين, Seeger for زيهوفر). Three sets:

1. words across scripts: the Arabic form with its Latin spelling (positive) and with the
   nearest other Latin name (negative);
2. words in Latin script: the Latin spelling against the nearest other one (negatives only:
   the file gives one spelling per name, so a false-positive rate is reported);
3. full names of two or three parts drawn from the half's rows: positives are the Arabic-script
   name against the Latin one (as written, or with its parts in another order), and the Latin
   name against itself with a middle part left out or with one letter typed wrong; negatives
   replace one part by its nearest other name, in the same four shapes.

The verdict is the compare API's `name_match` (True when the names agree, at similarity ≥ 0.9)
on two persons that have nothing but names: precision, recall and F1 of `name_match is True`.
The same pairs at the search threshold (SAME_NAME_THRESHOLD) are shown for comparison."""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import NamePair, read_arabic_latin
from rigour.text.distance import jaro_winkler

import benchlib
from corridor.entities.ftm import make_entity
from corridor.entities.resolution.compare import compare
from corridor.entities.search.known_names import arabic_key
from corridor.entities.search.names import SAME_NAME_THRESHOLD, name_similarity

Pair = tuple[str, str, bool]


def nearest_other(pairs: list[NamePair]) -> dict[int, str]:
    """For each row, the Latin spelling of another row closest to its own, never a spelling of
    the same (folded) Arabic form nor the same Latin string."""
    latin_of: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        latin_of[arabic_key(p.arabic)].add(p.latin.lower())
    by_letter: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pairs):
        by_letter[p.latin[:1].lower()].append(i)
    out: dict[int, str] = {}
    for i, p in enumerate(pairs):
        own = latin_of[arabic_key(p.arabic)]
        best = (-1.0, "")
        for j in by_letter[p.latin[:1].lower()]:
            other = pairs[j].latin.lower()
            if j == i or other in own or arabic_key(pairs[j].arabic) == arabic_key(p.arabic):
                continue
            sim = jaro_winkler(p.latin.lower(), other)
            if sim > best[0]:
                best = (sim, pairs[j].latin)
        if best[1]:
            out[i] = best[1]
    return out


def _typo(word: str, rng: random.Random) -> str:
    """One letter typed wrong: replaced, left out or swapped with the next."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("replace", "drop", "swap"))
    if kind == "replace":
        return word[:i] + rng.choice("aeioubdklmnrst".replace(word[i], "")) + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def full_names(pairs: list[NamePair], other: dict[int, str], seed: int, count: int) -> list[Pair]:
    rng = random.Random(seed)
    rows = [i for i in range(len(pairs)) if i in other]
    out: list[Pair] = []
    for _ in range(count):
        chosen = rng.sample(rows, rng.choice((2, 3)))
        arabic = [pairs[i].arabic for i in chosen]
        latin = [pairs[i].latin.capitalize() for i in chosen]
        swapped = latin[:]
        k = rng.randrange(len(chosen))
        swapped[k] = other[chosen[k]].capitalize()
        for words, positive in ((latin, True), (swapped, False)):
            shape = rng.choice(("script", "order", "short", "typo"))
            if shape == "script":
                out.append((" ".join(arabic), " ".join(words), positive))
            elif shape == "order":
                out.append((" ".join(arabic), " ".join(words[1:] + words[:1]), positive))
            elif shape == "short" and len(words) == 3 and k != 1:
                out.append((" ".join(latin), f"{words[0]} {words[2]}", positive))
            else:
                typed = words[:]
                j = rng.randrange(len(typed))
                typed[j] = _typo(typed[j], rng)
                out.append((" ".join(latin), " ".join(typed), positive))
    return out


def _person(eid: str, name: str):  # type: ignore[no-untyped-def]
    proxy = make_entity("Person", eid)
    proxy.add("name", name)
    return proxy


def api_verdict(a: str, b: str) -> bool:
    return compare(_person("a", a), _person("b", b)).name_match is True


def search_verdict(a: str, b: str) -> bool:
    return name_similarity(a, b) >= SAME_NAME_THRESHOLD


def figures(pairs: list[Pair], verdict: Callable[[str, str], bool]) -> str:
    said = [(verdict(a, b), positive) for a, b, positive in pairs]
    tp = sum(v and p for v, p in said)
    fp = sum(v and not p for v, p in said)
    positives = sum(p for _, p in said)
    negatives = len(said) - positives
    if not positives:
        return f"false positives {fp}/{negatives} ({fp / negatives:.3f})"
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}  ({positives:,} + {negatives:,})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--part", choices=("heldout", "tuning"), default="heldout")
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--full-names", type=int, default=3000)
    args = p.parse_args(argv)
    benchlib.print_machine(None)
    pairs = read_arabic_latin(args.part)
    t0 = time.perf_counter()
    other = nearest_other(pairs)
    print(
        f"\n{args.part} half: {len(pairs):,} rows, nearest other names in "
        f"{time.perf_counter() - t0:.1f} s\n"
    )
    sets = {
        "words across scripts": [(x.arabic, x.latin, True) for x in pairs]
        + [(x.arabic, other[i], False) for i, x in enumerate(pairs) if i in other],
        "words in Latin script": [
            (x.latin, other[i], False) for i, x in enumerate(pairs) if i in other
        ],
        "full names": full_names(pairs, other, args.seed, args.full_names),
    }
    sets["all with positives"] = sets["words across scripts"] + sets["full names"]
    cpu0 = time.process_time()
    compared = 0
    for label, items in sets.items():
        print(f"{label:<24} name_match (API)   {figures(items, api_verdict)}")
        print(f"{'':<24} search threshold   {figures(items, search_verdict)}")
        compared += len(items)
    cpu = time.process_time() - cpu0
    print(f"\n{2 * compared:,} verdicts, {1e6 * cpu / (2 * compared):.0f} µs CPU each")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
