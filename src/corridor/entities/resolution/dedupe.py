"""Duplicate detection over many entities: blocking, then :func:`compare` on the candidates.

Blocking puts two entities in the same block when they share a cheap key: two name-part keys
(see :func:`corridor.entities.search.names.name_keys`) and the birth year, one name-part key and the
birth year, one name-part key and the full birth date, a normalised selector (passport number,
phone, IBAN…), or — when one of the two has no birth date — two name-part keys alone. A birth
year also counts as the next one, so years one apart meet. Only entities that share a block are
compared. A block that would generate more pairs than ``block_cap`` members do is skipped (a
key shared by thousands, such as "Muhammad Khan, born 1990", says nothing); the other keys of
the same entities still bring true duplicates together, and pairs that cannot reach
``min_score`` on their birth dates and identifiers alone are dropped before names are compared.

Candidates are generated per entity (its blocks, later entities only), so each pair is compared
once without keeping a set of all pairs, and only the pairs scoring at least ``min_score`` leave
the worker. With ``workers > 1`` the entities are split between forked processes that inherit
the prepared entities and the block index, so nothing is copied per pair. The module knows
nothing of the database: feed it entities, consume scored pairs.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from followthemoney import EntityProxy

from corridor import processes
from corridor.entities.resolution.calibrate import FittedModel, fit_pairs
from corridor.entities.resolution.compare import (
    DEFAULT_DAY,
    NO_MATCH_THRESHOLD,
    Comparison,
    Prepared,
    compare_prepared,
    could_reach,
    feature_levels,
    prepare,
    schemata_conflict,
)
from corridor.errors import InvalidInput

# Blocks that would generate more pairs than a block of this many members are not used.
BLOCK_CAP = 50
# A birth date alone, or a pair of name-part keys whatever the birth dates, is telling only when
# few entities share it (a case file, not a national register): such blocks are used only up to
# this many members.
SMALL_BLOCK = 10
# Name-part keys per name used for blocking (the longest ones: they are the most selective).
MAX_KEYS_PER_NAME = 4
# Calibration: fewer candidate pairs than this (a small case) are too few to fit weights on, and
# the hand-set weights are used; more than FIT_PAIRS are sampled (by entity) down to about that
# many; RANDOM_PAIRS random pairs give the starting u.
MIN_FIT_PAIRS = 1_000
FIT_PAIRS = 100_000
RANDOM_PAIRS = 20_000
_SEED = 4
# Entities per unit of work handed to a worker process.
CHUNK = 2_000


@dataclass(frozen=True, slots=True)
class ScoredPair:
    a_id: str
    b_id: str
    comparison: Comparison


def block_keys(entity: Prepared) -> set[str]:
    """The blocking keys of a prepared entity (see the module docstring)."""
    keys: set[str] = set()
    # Each year also counts as the next one, so birth years one apart still share a block.
    years = {
        str(int(d[:4]) + step) for d in entity.birth_dates if d[:4].isdigit() for step in (0, 1)
    }
    dates = {d for d in entity.birth_dates if len(d) == 10}
    for _, parts in entity.names:
        longest_first = sorted({k for p in parts for k in p.skeletons}, key=lambda k: (-len(k), k))
        part_keys = longest_first[:MAX_KEYS_PER_NAME]
        for k1, k2 in combinations(sorted(part_keys), 2):
            keys.add(f"{_UNDATED}{k1}:{k2}")
            keys.update(f"y:{k1}:{k2}:{y}" for y in years)
        for k in part_keys:
            keys.update(f"d:{k}:{d}" for d in dates)
            keys.update(f"k:{k}:{y}" for y in years)
    keys.update(f"{_DATE_ONLY}{d}" for d in dates if not d.endswith(DEFAULT_DAY))
    keys.update(f"s:{kind}:{value}" for kind, value, _ in entity.selectors)
    return keys


# A guarded block pairs two members only when at least one of them has the block's flag: a
# name-only block serves entities without a birth date; entities that both have one meet in
# the dated blocks.
_UNDATED = "n:"
_DATE_ONLY = "b:"
_FLAG_UNDATED = 1
_GUARDS = {_UNDATED: _FLAG_UNDATED}


def _flags(entity: Prepared) -> int:
    return 0 if entity.birth_dates else _FLAG_UNDATED


@dataclass
class _Index:
    ids: list[str]
    prepared: list[Prepared]
    flags: bytearray  # entity → its _FLAG_* bits
    member_of: list[list[int]]  # entity → ids of its usable blocks
    blocks: list[list[int]]  # block id → members, ascending
    needs: bytearray  # block → the flag one member of each pair must have (0: none)
    skipped_blocks: int
    model: FittedModel | None = None


def _build_index(
    entities: Iterable[EntityProxy], default_region: str | None, block_cap: int
) -> _Index:
    ids: list[str] = []
    prepared: list[Prepared] = []
    flags = bytearray()
    entity_keys: list[list[int]] = []
    block_of: dict[str, int] = {}
    blocks: list[list[int]] = []
    needs = bytearray()
    key_kind: list[str] = []
    for proxy in entities:
        if proxy.id is None:
            raise InvalidInput("every entity needs an id for duplicate detection")
        index = len(ids)
        ids.append(proxy.id)
        item = prepare(proxy, default_region)
        prepared.append(item)
        flags.append(_flags(item))
        mine: list[int] = []
        for key in block_keys(item):
            block = block_of.get(key)
            if block is None:
                block = block_of[key] = len(blocks)
                blocks.append([])
                needs.append(_GUARDS.get(key[:2], 0))
                key_kind.append(key[:2])
            blocks[block].append(index)
            mine.append(block)
        entity_keys.append(mine)
    del block_of
    skipped = 0
    for block, members in enumerate(blocks):
        # The cap bounds the pairs a block generates; in a guarded block only pairs with a
        # flagged member count.
        if len(members) <= SMALL_BLOCK:
            needs[block] = 0
        elif key_kind[block] == _DATE_ONLY:
            blocks[block] = []
            skipped += 1
            continue
        need = needs[block]
        flagged = sum(1 for m in members if flags[m] & need) if need else len(members)
        pairs = flagged * (flagged - 1) // 2 + flagged * (len(members) - flagged)
        if pairs > block_cap * (block_cap - 1) // 2:
            blocks[block] = []
            skipped += 1
    member_of = [[b for b in mine if len(blocks[b]) > 1] for mine in entity_keys]
    return _Index(ids, prepared, flags, member_of, blocks, needs, skipped)


def _candidates(index: _Index, i: int) -> list[int]:
    found: set[int] = set()
    flags = index.flags
    for block in index.member_of[i]:
        members = index.blocks[block]
        need = index.needs[block]
        if need and not flags[i] & need:
            found.update(j for j in members if j > i and flags[j] & need)
        else:
            found.update(j for j in members if j > i)
    return sorted(found)


# The index of the running forked duplicate detection, inherited by its workers; one such run
# per process at a time (others run in their own thread, unforked).
_shared: _Index | None = None
_fork_lock = threading.Lock()


def _score_forked(
    task: tuple[int, int, float],
) -> tuple[list[tuple[int, int, Comparison]], int, int]:
    assert _shared is not None
    return _score_range(_shared, task)


def _score_range(
    index: _Index, task: tuple[int, int, float]
) -> tuple[list[tuple[int, int, Comparison]], int, int]:
    start, stop, min_score = task
    out: list[tuple[int, int, Comparison]] = []
    compared = scored = 0
    for i in range(start, stop):
        left = index.prepared[i]
        for j in _candidates(index, i):
            compared += 1
            right = index.prepared[j]
            if index.model is None:
                if not could_reach(left, right, min_score):
                    continue
                scored += 1
                result = compare_prepared(left, right)
            else:
                conflict = schemata_conflict(left, right)
                if conflict is None and not index.model.could_reach(left, right, min_score):
                    continue
                scored += 1
                result = conflict or index.model.score(feature_levels(left, right))
            if result.score >= min_score:
                out.append((i, j, result))
    return out, compared, scored


@dataclass
class DedupeStats:
    """Counters of the last run, filled in as :func:`find_duplicates` proceeds."""

    entities: int = 0
    blocks: int = 0
    skipped_blocks: int = 0
    compared: int = 0  # candidate pairs
    scored: int = 0  # candidate pairs that could reach min_score and were fully compared
    yielded: int = 0
    fitted_pairs: int = 0  # candidate pairs the weights were fitted on (0: hand-set weights)
    fit_seconds: float = 0.0
    model: FittedModel | None = None


def candidate_pairs(
    entities: Iterable[EntityProxy],
    *,
    default_region: str | None = None,
    block_cap: int = BLOCK_CAP,
) -> Iterator[tuple[str, str]]:
    """Each pair of entity ids that share a usable block, once."""
    index = _build_index(entities, default_region, block_cap)
    for i in range(len(index.ids)):
        for j in _candidates(index, i):
            yield index.ids[i], index.ids[j]


def find_duplicates(
    entities: Iterable[EntityProxy],
    *,
    workers: int = 2,
    min_score: float = NO_MATCH_THRESHOLD,
    default_region: str | None = None,
    block_cap: int = BLOCK_CAP,
    chunk_size: int = CHUNK,
    stats: DedupeStats | None = None,
    calibrate: bool = True,
    min_fit_pairs: int = MIN_FIT_PAIRS,
) -> Iterator[ScoredPair]:
    """Pairs of likely duplicates: every candidate pair scoring at least ``min_score`` (by
    default the unsure and the matching ones, for a review queue).

    With ``calibrate`` and at least ``min_fit_pairs`` candidate pairs, the weights are fitted
    to these entities (:mod:`corridor.entities.resolution.calibrate`, on a sample of up to
    :data:`FIT_PAIRS` candidate pairs) and the scores are posterior match probabilities;
    otherwise (fewer pairs, or a fit that fails its sanity check) pairs are scored by
    :func:`compare` with its hand-set weights; ``stats.model`` tells which. Either way each
    comparison lists its reasons with the weight each one carried.

    ``workers > 1`` forks that many processes where the platform can fork (and no other forked
    run is going on in this process); otherwise the work runs here. Pairs arrive in no
    particular order."""
    global _shared
    if workers < 1 or chunk_size < 1:
        raise InvalidInput("workers and chunk_size must be at least 1")
    stats = stats if stats is not None else DedupeStats()
    index = _build_index(entities, default_region, block_cap)
    stats.entities = len(index.ids)
    stats.blocks = sum(1 for b in index.blocks if len(b) > 1)
    stats.skipped_blocks = index.skipped_blocks
    if calibrate:
        started = time.perf_counter()
        index.model = _fit(index, min_fit_pairs)
        stats.fit_seconds = time.perf_counter() - started
        stats.model = index.model
        stats.fitted_pairs = index.model.pairs if index.model is not None else 0
    size = len(index.ids)
    tasks = [(s, min(s + chunk_size, size), min_score) for s in range(0, size, chunk_size)]
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers > 1 and can_fork and len(tasks) > 1 and _fork_lock.acquire(blocking=False):
        _shared = index
        try:
            # Scorers die with this process and hold none of its sockets (a server's port).
            pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=processes.forked_child
            )
            with pool:
                yield from _collect(pool.imap_unordered(_score_forked, tasks), index, stats)
        finally:
            _shared = None
            _fork_lock.release()
    else:
        yield from _collect((_score_range(index, task) for task in tasks), index, stats)


def _fit(index: _Index, min_pairs: int) -> FittedModel | None:
    """Weights fitted on the candidate pairs of entities taken in a seeded random order until
    :data:`FIT_PAIRS` are collected, or None when the whole data set has fewer than
    ``min_pairs`` or the fit is not usable (:attr:`FittedModel.usable`)."""
    size = len(index.ids)
    rng = random.Random(_SEED)  # noqa: S311 (a reproducible sample, not a secret)
    pairs: list[tuple[Prepared, Prepared]] = []
    for i in rng.sample(range(size), size):
        pairs.extend((index.prepared[i], index.prepared[j]) for j in _candidates(index, i))
        if len(pairs) >= FIT_PAIRS:
            break
    if len(pairs) < max(min_pairs, 1):
        return None
    randoms = (
        (index.prepared[i], index.prepared[j])
        for i, j in ((rng.randrange(size), rng.randrange(size)) for _ in range(RANDOM_PAIRS))
        if i != j
    )
    model = fit_pairs(pairs, randoms)
    return model if model.usable else None


def _collect(
    results: Iterable[tuple[list[tuple[int, int, Comparison]], int, int]],
    index: _Index,
    stats: DedupeStats,
) -> Iterator[ScoredPair]:
    for pairs, compared, scored in results:
        stats.compared += compared
        stats.scored += scored
        for i, j, comparison in pairs:
            stats.yielded += 1
            yield ScoredPair(index.ids[i], index.ids[j], comparison)


def clusters(pairs: Iterable[tuple[str, str]]) -> list[set[str]]:
    """Connected components (transitive closure) of matched pairs, largest first."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, set[str]] = {}
    for x in parent:
        groups.setdefault(root(x), set()).add(x)
    return sorted(groups.values(), key=lambda g: (-len(g), min(g)))


def pairwise_scores(
    predicted: Iterable[tuple[str, str]], truth: Sequence[frozenset[str]] | set[frozenset[str]]
) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted pairs against true pairs (order-free)."""
    found = {frozenset(p) for p in predicted}
    true = set(truth)
    hits = len(found & true)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
