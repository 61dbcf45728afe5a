"""Weights fitted to the data at hand: an unsupervised Fellegi–Sunter model estimated by EM.

Each compared pair is a vector of feature levels (:func:`corridor.entities.resolution.compare.
feature_levels`: name similarity band, birth-date grade, each kind of identifier, nationality,
gender, address). A feature one side lacks is left out (it says nothing either way). Among the
candidate pairs of a data set, matches and non-matches are a mixture: m is the chance of a level
among matches, u among non-matches, λ the share of matches. EM estimates all three from the
pairs alone, no labels: it starts from u measured on random pairs (nearly all non-matches, as
Splink does) and from m and λ implied by the hand-set weights of :mod:`compare`, then alternates
the posterior of each pattern and the counts it implies until the estimates settle. One piece
of prior knowledge constrains it (:data:`ORDERED_LEVELS`): along a feature's levels, more
agreement never weighs less.

The model assumes features independent given match status. Blocking breaks that a little: a
non-match in a candidate pair usually got there by its name or by its birth date, rarely both,
so a pair agreeing on both is somewhat likelier a match than the product of the weights says;
the fitted scores err on the cautious side there (see bench/entities/QUALITY.md).

A pair then scores the posterior P(match | levels) = logistic(logit λ + Σ ln(m/u)); each
feature's ln(m/u) becomes the weight of its reason, so a reviewer sees what counted and how
much. Two hand-set rules stay, because a data set cannot teach them: incompatible schemata
score 0 (not compared here), and a pair whose document numbers, IMEIs, IMO numbers or MMSIs
differ is never a match (at best unsure). A level seen in fewer than :data:`MIN_LEVEL_PAIRS`
fitted pairs (an IMEI in a data set that has almost none) keeps its hand-set weight.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from corridor.entities.resolution.compare import (
    ADDRESS_AGREE,
    COUNTRY_AGREE,
    GENDER_AGREE,
    MATCH_THRESHOLD,
    NAME_CURVE,
    NO_MATCH_THRESHOLD,
    PRIOR,
    Comparison,
    Level,
    Prepared,
    Reason,
    decide,
    exact_levels,
    feature_levels,
    schemata_conflict,
)
from corridor.errors import InvalidInput

Key = tuple[str, str]  # (slot, level)
Pattern = tuple[Key, ...]

# A level seen in fewer fitted pairs than this keeps its hand-set weight.
MIN_LEVEL_PAIRS = 20
# Pseudo-count added to every level in the M step, so no level gets probability 0.
SMOOTHING = 0.5
MAX_ITERATIONS = 500
TOLERANCE = 1e-7
# A pair whose identifiers of these kinds differ is at most unsure, whatever else agrees: people
# share names and birth dates, they do not share a passport number or a handset.
HARD_CONFLICT_KINDS = frozenset({"document", "imei", "imo", "mmsi"})
# The score such a pair gets at most: between the two thresholds, i.e. "unsure".
HARD_CONFLICT_MAX_SCORE = (NO_MATCH_THRESHOLD + MATCH_THRESHOLD) / 2
_LOGIT_CAP = 30.0
# A fit is used only if EM settled and, for names and birth dates (where fitted), the most
# agreeing level outweighs the least agreeing one by at least this much (ln of a likelihood
# ratio): a split in which a full birth-date match counts no more than dates decades apart is
# not match / non-match. It happens when true matches are too rare among the candidates for EM
# to find (large data sets full of namesakes): EM then splits similar from dissimilar names.
MIN_SEPARATION = 2.0


def _logistic(x: float) -> float:
    x = max(-_LOGIT_CAP, min(_LOGIT_CAP, x))
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


# Pruning must not drop a pair that a rare level (scored with its hand-set weight) would lift.
_HAND_SET_BEST = {
    "name": NAME_CURVE[-1][1],
    "nationality": COUNTRY_AGREE,
    "gender": GENDER_AGREE,
    "address": ADDRESS_AGREE,
}


def pattern_of(levels: Iterable[Level]) -> Pattern:
    return tuple(sorted((lv.slot, lv.level) for lv in levels))


@dataclass(frozen=True, slots=True)
class FittedModel:
    """m and u per (slot, level), λ, and what they were fitted on."""

    match_rate: float  # λ: share of matches among the candidate pairs
    m: dict[Key, float]
    u: dict[Key, float]
    support: dict[Key, int]  # fitted pairs with that level
    pairs: int
    iterations: int
    # ln(m/u) of the levels seen in at least MIN_LEVEL_PAIRS fitted pairs, and per slot the
    # largest weight a level of it can carry (fitted or hand-set), for pruning.
    fitted: dict[Key, float] = field(init=False)
    best: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        fitted = {
            k: math.log(self.m[k] / self.u[k])
            for k in self.m
            if self.support.get(k, 0) >= MIN_LEVEL_PAIRS
        }
        best = dict(_HAND_SET_BEST)
        for (slot, _), w in fitted.items():
            if slot in best:
                best[slot] = max(best[slot], w)
        object.__setattr__(self, "fitted", fitted)
        object.__setattr__(self, "best", best)

    def weight(self, level: Level) -> float:
        """The fitted weight of a level, or its hand-set one when too rare to fit."""
        fitted = self.fitted.get((level.slot, level.level))
        return level.reason.weight if fitted is None else fitted

    def logit(self, levels: Sequence[Level]) -> float:
        return _logit(self.match_rate) + sum(self.weight(lv) for lv in levels)

    def score(self, levels: Sequence[Level]) -> Comparison:
        """The comparison of a pair of compatible schemata with the fitted weights."""
        if not levels:
            return Comparison(0.0, None, [])
        reasons = [_reweighted(lv.reason, self.weight(lv)) for lv in levels]
        score = _logistic(self.logit(levels))
        if any(lv.slot in HARD_CONFLICT_KINDS and lv.reason.outcome == "conflict" for lv in levels):
            score = min(score, HARD_CONFLICT_MAX_SCORE)
        reasons.sort(key=lambda r: -abs(r.weight))
        return Comparison(score, decide(score, reasons), reasons)

    def could_reach(self, a: Prepared, b: Prepared, min_score: float) -> bool:
        """Whether the pair can score ``min_score``: birth dates and identifiers exactly, the
        other features at their best fitted level where both sides have them."""
        if min_score <= 0.0:
            return True
        best = self.best
        logit = _logit(self.match_rate)
        if a.names and b.names:
            logit += best["name"]
        if a.countries and b.countries:
            logit += best["nationality"]
        if a.genders and b.genders:
            logit += best["gender"]
        if a.addresses and b.addresses:
            logit += best["address"]
        logit += sum(self.weight(lv) for lv in exact_levels(a, b))
        return _logistic(logit) >= min_score

    @property
    def usable(self) -> bool:
        """Whether the fit looks like match / non-match (see :data:`MIN_SEPARATION`)."""
        if self.iterations >= MAX_ITERATIONS:
            return False
        for slot, levels in _SEPARATING:
            weights = [self.fitted[(slot, lv)] for lv in levels if (slot, lv) in self.fitted]
            if len(weights) >= 2 and weights[-1] - weights[0] < MIN_SEPARATION:
                return False
        return True

    def describe(self) -> list[str]:
        """One line per fitted level: m, u and the weight, for benchmarks and logs."""
        lines = [f"λ = {self.match_rate:.4f} over {self.pairs:,} pairs, {self.iterations} steps"]
        for key in sorted(self.m):
            lines.append(
                f"{key[0]:<12} {key[1]:<22} m {self.m[key]:.4f}  u {self.u[key]:.4f}  "
                f"w {math.log(self.m[key] / self.u[key]):+.2f}  (n {self.support.get(key, 0)})"
            )
        return lines


def _reweighted(reason: Reason, weight: float) -> Reason:
    return Reason(
        reason.feature, reason.outcome, reason.a_value, reason.b_value, weight, reason.detail
    )


def _normalised(counts: Mapping[Key, float], keys: Iterable[Key]) -> dict[Key, float]:
    """Per slot, the smoothed share of each level."""
    keys = list(keys)
    totals: defaultdict[str, float] = defaultdict(float)
    for key in keys:
        totals[key[0]] += counts.get(key, 0.0) + SMOOTHING
    return {k: (counts.get(k, 0.0) + SMOOTHING) / totals[k[0]] for k in keys}


# Levels from least to most agreement. More agreement is never evidence against a match, so
# along each chain the fitted weight ln(m/u) may not fall: without this, EM on blocked pairs
# can settle on a split that is not match / non-match (e.g. "birth dates far apart" as the
# mark of a class), since blocking makes the non-matches a mixture of their own.
_BANDS = ("<0.5", "≥0.5", "≥0.7", "≥0.8", "≥0.9", "≥0.98")
ORDERED_LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name", _BANDS),
    ("name", tuple(f"{b}, one part" for b in _BANDS)),
    ("birthDate", ("far apart", "within a year", "within two months", "typo", "same date")),
    ("address", ("conflict", "partial", "agree")),
    ("nationality", ("conflict", "agree")),
    ("gender", ("conflict", "agree")),
)
# The chains checked by FittedModel.usable: names of several parts, birth dates.
_SEPARATING = (ORDERED_LEVELS[0], ORDERED_LEVELS[2])
# Every selector kind (document, email, phone…): a differing value, one typo apart, shared.
IDENTIFIER_ORDER = ("conflict", "partial", "agree")


def _chains(keys: Iterable[Key]) -> list[list[Key]]:
    present = set(keys)
    slots = {k[0] for k in present}
    chains = [[(slot, lv) for lv in levels] for slot, levels in ORDERED_LEVELS]
    chains += [
        [(slot, lv) for lv in IDENTIFIER_ORDER]
        for slot in sorted(slots - {slot for slot, _ in ORDERED_LEVELS})
    ]
    return [[k for k in chain if k in present] for chain in chains]


def _monotone(m_counts: dict[Key, float], u_counts: dict[Key, float], keys: list[Key]) -> None:
    """Pool adjacent levels whose m/u ratio falls along a chain (pool-adjacent-violators);
    the pooled levels share one ratio and keep their share of the pooled pairs."""
    for chain in _chains(keys):
        blocks: list[list[Key]] = []
        sums: list[tuple[float, float]] = []
        for key in chain:
            blocks.append([key])
            sums.append((m_counts.get(key, 0.0) + SMOOTHING, u_counts.get(key, 0.0) + SMOOTHING))
            while len(sums) > 1 and sums[-2][0] * sums[-1][1] > sums[-1][0] * sums[-2][1]:
                (m2, u2), (m1, u1) = sums.pop(), sums.pop()
                sums.append((m1 + m2, u1 + u2))
                last = blocks.pop()
                blocks[-1].extend(last)
        for block, (m_sum, u_sum) in zip(blocks, sums, strict=True):
            if len(block) == 1:
                continue
            totals = {k: m_counts.get(k, 0.0) + u_counts.get(k, 0.0) + 2 * SMOOTHING for k in block}
            whole = sum(totals.values())
            for k in block:
                m_counts[k] = m_sum * totals[k] / whole - SMOOTHING
                u_counts[k] = u_sum * totals[k] / whole - SMOOTHING


def fit(
    patterns: Counter[Pattern],
    random_patterns: Counter[Pattern],
    *,
    hand_set_match: dict[Pattern, float] | None = None,
    max_iterations: int = MAX_ITERATIONS,
) -> FittedModel:
    """EM on candidate-pair patterns (pattern → number of pairs).

    ``random_patterns`` (from random pairs) give the starting u. ``hand_set_match`` (pattern →
    summed hand-set match probability of its pairs) gives the starting m and λ; without it, m
    starts at u tilted towards agreement (each slot's levels ranked by their u, rarest highest)
    and λ at the hand-set prior."""
    total = sum(patterns.values())
    if total == 0:
        raise InvalidInput("calibration needs at least one candidate pair")
    keys = {k for p in list(patterns) + list(random_patterns) for k in p}
    key_list = sorted(keys)
    support: Counter[Key] = Counter()
    for pattern, n in patterns.items():
        for key in pattern:
            support[key] += n
    random_counts: Counter[Key] = Counter()
    for pattern, n in random_patterns.items():
        for key in pattern:
            random_counts[key] += n
    u = _normalised(dict(random_counts), keys)
    if hand_set_match is not None:
        m_counts: defaultdict[Key, float] = defaultdict(float)
        for pattern, r in hand_set_match.items():
            for key in pattern:
                m_counts[key] += r
        m = _normalised(dict(m_counts), keys)
        match_rate = min(max(sum(hand_set_match.values()) / total, 1e-6), 1 - 1e-6)
    else:
        m = _tilted(u)
        match_rate = _logistic(PRIOR)
    steps = 0
    while steps < max_iterations:
        steps += 1
        m_counts = defaultdict(float)
        u_counts: defaultdict[Key, float] = defaultdict(float)
        matched = 0.0
        prior = _logit(match_rate)
        for pattern, n in patterns.items():
            r = _logistic(prior + sum(math.log(m[k] / u[k]) for k in pattern))
            matched += n * r
            for key in pattern:
                m_counts[key] += n * r
                u_counts[key] += n * (1.0 - r)
        m_pooled, u_pooled = dict(m_counts), dict(u_counts)
        _monotone(m_pooled, u_pooled, key_list)
        new_m = _normalised(m_pooled, keys)
        new_u = _normalised(u_pooled, keys)
        new_rate = min(max(matched / total, 1e-6), 1 - 1e-6)
        change = max(
            abs(new_rate - match_rate),
            max(abs(new_m[k] - m[k]) for k in keys),
            max(abs(new_u[k] - u[k]) for k in keys),
        )
        m, u, match_rate = new_m, new_u, new_rate
        if change < TOLERANCE:
            break
    return FittedModel(match_rate, m, u, dict(support), total, steps)


def _tilted(u: dict[Key, float]) -> dict[Key, float]:
    by_slot: dict[str, list[Key]] = {}
    for key in u:
        by_slot.setdefault(key[0], []).append(key)
    m: dict[Key, float] = {}
    for keys in by_slot.values():
        ranked = sorted(keys, key=lambda k: u[k])  # rarest among random pairs first
        raw = {k: 2.0**-i for i, k in enumerate(ranked)}
        total = sum(raw.values())
        m.update({k: v / total for k, v in raw.items()})
    return m


def fit_pairs(
    candidates: Iterable[tuple[Prepared, Prepared]],
    random_pairs: Iterable[tuple[Prepared, Prepared]],
) -> FittedModel:
    """Fit on prepared pairs: the candidate pairs of a data set (or a sample of them) and random
    pairs of the same data set. Pairs of incompatible schemata are skipped."""
    patterns: Counter[Pattern] = Counter()
    hand_set: dict[Pattern, float] = {}
    for a, b in candidates:
        levels = feature_levels(a, b) if schemata_conflict(a, b) is None else []
        if not levels:
            continue
        pattern = pattern_of(levels)
        patterns[pattern] += 1
        logit = PRIOR + sum(lv.reason.weight for lv in levels)
        hand_set[pattern] = hand_set.get(pattern, 0.0) + _logistic(logit)
    randoms: Counter[Pattern] = Counter()
    for a, b in random_pairs:
        if schemata_conflict(a, b) is None:
            randoms[pattern_of(feature_levels(a, b))] += 1
    return fit(patterns, randoms, hand_set_match=hand_set)
