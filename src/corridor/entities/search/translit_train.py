"""Training the transliteration model (`translit.py`) by expectation–maximisation.

Each iteration runs the forward and backward sums over every training pair and re-estimates
each operation's probability from its expected count (Ristad and Yianilos, "Learning string
edit distance", 1998), extended with substitutions by two Latin letters (ش → sh). Training on
the ~6,400 pairs of the tuning half takes about ten seconds; `bench/entities/train_translit.py`
runs it and writes the shipped model."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from corridor.entities.search.translit import (
    FLOOR,
    TranslitModel,
    arabic_symbols,
    latin_letters,
)

Pair = tuple[tuple[str, ...], str]
# Operations rarer than this after an iteration are dropped (noise, and a smaller model file).
MIN_PROBABILITY = 1e-7


def training_pairs(rows: Iterable[tuple[str, str]]) -> list[Pair]:
    """(Arabic-script name, Latin name) rows as model symbols, word by word; rows whose two
    sides have different numbers of words are left out (which word is which is unknown)."""
    out: list[Pair] = []
    for arabic, latin in rows:
        a_words, l_words = arabic.split(), latin.split()
        if len(a_words) != len(l_words):
            continue
        for a, word in zip(a_words, l_words, strict=True):
            x, y = arabic_symbols(a), latin_letters(word)
            if x and y:
                out.append((x, y))
    return out


def _start(pairs: Sequence[Pair]) -> dict[tuple[str, str], float]:
    """Every operation a pair could use, weighted by how often it could: EM then finds which."""
    seen: dict[tuple[str, str], float] = defaultdict(float)
    for x, y in pairs:
        letters = set(y)
        for a in x:
            seen[(a, "")] += 1
            for s in letters:
                seen[(a, s)] += 1
            for k in range(len(y) - 1):
                seen[(a, y[k : k + 2])] += 0.2
        for c in y:
            seen[("", c)] += 1
    total = sum(seen.values())
    return {op: n / total for op, n in seen.items()}


def _forward(x: tuple[str, ...], y: str, p: dict[tuple[str, str], float]) -> list[list[float]]:
    n, m = len(x), len(y)
    f = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                f[0][0] = 1.0
                continue
            v = f[i][j - 1] * p.get(("", y[j - 1]), FLOOR) if j else 0.0
            if i:
                a = x[i - 1]
                v += f[i - 1][j] * p.get((a, ""), FLOOR)
                if j:
                    v += f[i - 1][j - 1] * p.get((a, y[j - 1]), FLOOR)
                if j > 1:
                    v += f[i - 1][j - 2] * p.get((a, y[j - 2 : j]), FLOOR)
            f[i][j] = v
    return f


def _backward(x: tuple[str, ...], y: str, p: dict[tuple[str, str], float]) -> list[list[float]]:
    n, m = len(x), len(y)
    b = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n, -1, -1):
        for j in range(m, -1, -1):
            if i == n and j == m:
                b[i][j] = 1.0
                continue
            v = b[i][j + 1] * p.get(("", y[j]), FLOOR) if j < m else 0.0
            if i < n:
                a = x[i]
                v += b[i + 1][j] * p.get((a, ""), FLOOR)
                if j < m:
                    v += b[i + 1][j + 1] * p.get((a, y[j]), FLOOR)
                if j + 1 < m:
                    v += b[i + 1][j + 2] * p.get((a, y[j : j + 2]), FLOOR)
            b[i][j] = v
    return b


def _expected_counts(
    pairs: Sequence[Pair], p: dict[tuple[str, str], float]
) -> tuple[dict[tuple[str, str], float], float]:
    counts: dict[tuple[str, str], float] = defaultdict(float)
    log_likelihood = 0.0
    for x, y in pairs:
        f, b = _forward(x, y, p), _backward(x, y, p)
        z = f[len(x)][len(y)]
        if z <= 0.0:
            continue
        log_likelihood += math.log(z)
        for i in range(len(x) + 1):
            for j in range(len(y) + 1):
                here = f[i][j] / z
                if not here:
                    continue
                if j < len(y):
                    op = ("", y[j])
                    counts[op] += here * p.get(op, FLOOR) * b[i][j + 1]
                if i < len(x):
                    a = x[i]
                    counts[(a, "")] += here * p.get((a, ""), FLOOR) * b[i + 1][j]
                    if j < len(y):
                        op = (a, y[j])
                        counts[op] += here * p.get(op, FLOOR) * b[i + 1][j + 1]
                    if j + 1 < len(y):
                        op = (a, y[j : j + 2])
                        counts[op] += here * p.get(op, FLOOR) * b[i + 1][j + 2]
    return counts, log_likelihood


def train(
    pairs: Sequence[Pair], iterations: int = 12, log: list[float] | None = None
) -> TranslitModel:
    """Fit the operation probabilities to `pairs` (see `training_pairs`). `log`, if given,
    receives the training log-likelihood before each re-estimation (it never decreases)."""
    p = _start(pairs)
    for _ in range(iterations):
        counts, log_likelihood = _expected_counts(pairs, p)
        if log is not None:
            log.append(log_likelihood)
        total = sum(counts.values())
        p = {op: c / total for op, c in counts.items() if c / total > MIN_PROBABILITY}
    return TranslitModel(p, {"pairs": len(pairs), "iterations": iterations})
