from __future__ import annotations

import csv
import math
import random
from collections import Counter
from itertools import combinations

import pytest
from followthemoney import EntityProxy

from corridor.entities.ftm import make_entity
from corridor.entities.resolution.calibrate import (
    HARD_CONFLICT_MAX_SCORE,
    MAX_ITERATIONS,
    FittedModel,
    Pattern,
    fit,
)
from corridor.entities.resolution.compare import compare, feature_levels, prepare
from corridor.entities.resolution.dedupe import (
    DedupeStats,
    clusters,
    find_duplicates,
    pairwise_scores,
)
from tests.shared_data import LINKAGE

DATA = LINKAGE

# Two slots, three levels each; matches agree far more often than non-matches.
TRUE_M = {
    ("name", "agree"): 0.8,
    ("name", "partial"): 0.15,
    ("name", "conflict"): 0.05,
    ("birthDate", "agree"): 0.7,
    ("birthDate", "partial"): 0.2,
    ("birthDate", "conflict"): 0.1,
    ("email", "agree"): 0.6,
    ("email", "conflict"): 0.4,
}
TRUE_U = {
    ("name", "agree"): 0.05,
    ("name", "partial"): 0.25,
    ("name", "conflict"): 0.7,
    ("birthDate", "agree"): 0.02,
    ("birthDate", "partial"): 0.18,
    ("birthDate", "conflict"): 0.8,
    ("email", "agree"): 0.01,
    ("email", "conflict"): 0.99,
}


def _draw(rng: random.Random, probs: dict[tuple[str, str], float]) -> Pattern:
    out = []
    for slot in ("name", "birthDate", "email"):
        levels = [(k, p) for k, p in probs.items() if k[0] == slot]
        x, acc = rng.random(), 0.0
        for key, p in levels:
            acc += p
            if x < acc:
                out.append(key)
                break
        else:
            out.append(levels[-1][0])
    return tuple(sorted(out))


def test_em_recovers_known_parameters() -> None:
    rng = random.Random(7)
    patterns: Counter[Pattern] = Counter()
    for _ in range(20_000):
        patterns[_draw(rng, TRUE_M if rng.random() < 0.3 else TRUE_U)] += 1
    randoms: Counter[Pattern] = Counter(_draw(rng, TRUE_U) for _ in range(5_000))
    model = fit(patterns, randoms)
    assert model.match_rate == pytest.approx(0.3, abs=0.02)
    for key in TRUE_M:
        assert model.m[key] == pytest.approx(TRUE_M[key], abs=0.03), key
        assert model.u[key] == pytest.approx(TRUE_U[key], abs=0.03), key
    assert model.iterations > 1


def person(entity_id: str, name: str, birth: str | None = None, **props: str) -> EntityProxy:
    proxy = make_entity("Person", entity_id)
    proxy.add("name", name)
    if birth:
        proxy.add("birthDate", birth)
    for prop, value in props.items():
        proxy.add(prop, value)
    return proxy


def _model_for_rules() -> FittedModel:
    rng = random.Random(3)
    patterns: Counter[Pattern] = Counter()
    for _ in range(5_000):
        patterns[_draw(rng, TRUE_M if rng.random() < 0.5 else TRUE_U)] += 1
    randoms: Counter[Pattern] = Counter(_draw(rng, TRUE_U) for _ in range(2_000))
    return fit(patterns, randoms)


def test_fitted_scores_keep_reasons_and_hard_rules() -> None:
    model = _model_for_rules()
    a = prepare(person("a", "Tariq Mehmood", "1970-07-07", passportNumber="AB1234567"))
    b = prepare(person("b", "Tariq Mehmood", "1970-07-07", passportNumber="XY7654321"))
    levels = feature_levels(a, b)
    slots = {lv.slot: lv.level for lv in levels}
    assert slots["name"] == "≥0.98"
    assert slots["birthDate"] == "same date"
    assert slots["document"] == "conflict"
    result = model.score(levels)
    # Same name and birth date, different passports: never a match, at best unsure, though the
    # weights alone would say match.
    assert model.logit(levels) > math.log(9)  # posterior above 0.9
    assert result.match is not True
    assert result.score <= HARD_CONFLICT_MAX_SCORE
    by_feature = {r.feature: r.weight for r in result.reasons}
    name_key = ("name", "≥0.98")
    # The name level was not fitted (not in the synthetic slots): it keeps its hand-set weight;
    # the document level was never seen: hand-set as well.
    assert name_key not in model.m
    assert (
        by_feature["name"]
        == compare(person("a", "Tariq Mehmood"), person("b", "Tariq Mehmood")).reasons[0].weight
    )
    assert by_feature["passportNumber"] < 0
    assert result.to_dict()["reasons"][0]["detail"]


def _fake_subset() -> tuple[list[EntityProxy], set[frozenset[str]]]:
    """The records of fake_1000's first 150 clusters."""
    entities: list[EntityProxy] = []
    members: dict[str, list[str]] = {}
    with (DATA / "fake_1000.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if int(row["cluster"]) >= 150:
                continue
            proxy = make_entity("Person", f"f{row['unique_id']}")
            first, last = row["first_name"].strip(), row["surname"].strip()
            proxy.add("firstName", first or None)
            proxy.add("lastName", last or None)
            proxy.add("name", " ".join(p for p in (first, last) if p) or None)
            proxy.add("birthDate", row["dob"].strip() or None, quiet=True)
            proxy.add("address", row["city"].strip() or None)
            proxy.add("email", row["email"].strip() or None, quiet=True)
            entities.append(proxy)
            members.setdefault(row["cluster"], []).append(str(proxy.id))
    truth = {frozenset(p) for ids in members.values() for p in combinations(sorted(ids), 2)}
    return entities, truth


def _closure_f1(
    entities: list[EntityProxy], truth: set[frozenset[str]], calibrate: bool
) -> tuple[float, DedupeStats]:
    stats = DedupeStats()
    found = find_duplicates(entities, workers=1, calibrate=calibrate, stats=stats)
    matched = [(p.a_id, p.b_id) for p in found if p.comparison.match]
    closed = [p for c in clusters(matched) for p in combinations(sorted(c), 2)]
    return pairwise_scores(closed, truth)[2], stats


@pytest.mark.skipif(not DATA.is_dir(), reason=f"linkage data not found at {DATA}")
def test_calibrated_beats_hand_set_on_fake_1000_subset() -> None:
    entities, truth = _fake_subset()
    hand_set, stats = _closure_f1(entities, truth, calibrate=False)
    assert stats.fitted_pairs == 0 and stats.model is None
    calibrated, stats = _closure_f1(entities, truth, calibrate=True)
    assert stats.fitted_pairs >= 1_000 and stats.model is not None
    assert 0.0 < stats.model.match_rate < 1.0
    assert calibrated > hand_set + 0.05
    assert calibrated >= 0.9


def test_too_few_pairs_fall_back_to_hand_set_weights() -> None:
    people = [
        person("a1", "Muhammad Asif Khan", "1985-03-02"),
        person("a2", "محمد آصف خان", "1985-03-02"),
    ]
    stats = DedupeStats()
    found = list(find_duplicates(people, workers=1, stats=stats))
    assert stats.model is None and stats.fitted_pairs == 0
    expected = compare(people[0], people[1])
    assert found[0].comparison.score == pytest.approx(expected.score)
    assert math.isfinite(found[0].comparison.score)


def test_a_fit_that_does_not_separate_is_not_used() -> None:
    keys = [("birthDate", "far apart"), ("birthDate", "same date"), ("name", "<0.5")]
    keys.append(("name", "≥0.98"))
    # Birth dates weigh the same whether they agree or lie decades apart: EM split the pairs
    # on something other than match status.
    m = {keys[0]: 0.5, keys[1]: 0.5, keys[2]: 0.1, keys[3]: 0.9}
    u = {keys[0]: 0.5, keys[1]: 0.5, keys[2]: 0.9, keys[3]: 0.1}
    support = dict.fromkeys(keys, 1_000)
    flat = FittedModel(0.1, m, u, support, 2_000, 10)
    assert not flat.usable
    m[keys[0]], m[keys[1]] = 0.1, 0.9
    u[keys[0]], u[keys[1]] = 0.9, 0.1
    assert FittedModel(0.1, m, u, support, 2_000, 10).usable
    assert not FittedModel(0.1, m, u, support, 2_000, MAX_ITERATIONS).usable
