"""Hit/no-hit benchmarks (issue 16): index build, checks across 30 real peers, bulk check,
cross-script name hits, and a naive keyed-HMAC index (the ma³tch-style baseline).

    .venv/bin/python bench/matching/bench_matching.py build [--entries 1000000] [--database-url URL]
    .venv/bin/python bench/matching/bench_matching.py names [--synthetic 1000000] [--pairs 2000]
    .venv/bin/python bench/matching/bench_matching.py baseline [--entries 1000000]
    .venv/bin/python bench/matching/bench_matching.py network [--holders 30] [--checks 200]
        [--bulk] [--big 1000000] [--selectors 10000] [--keep DIR]

build     One holder (in this process): synthetic persons (bench/entities/synthetic.py) stored
          with `corridor.entities.store.write` into one case opted in to matching until their
          selectors make `--entries` index entries, one approved peer (so segments are signed),
          then `corridor.matching.index.refresh(node)` timed whole: selectors, OPRF, inserts,
          signing the `matching.index` segment records. Split by wrapping the functions refresh
          calls (`selectors.of_entity`, `oprf.evaluate`, `db.bulk_insert`, `_segment_with_room`,
          `_publish`). Then a pass with nothing changed, and one after 1,000 entities changed.
names     Cross-script name keys: the Arabic form of each pair of
          ../shared/data/linkage/arabic-latin-names-train.tsv (tuning and held-out halves) asked
          against its Latin spelling(s) stored among `--synthetic` synthetic names. OPRF keeps
          equality, so no network is needed: a query hits a stored name iff
          set(asked_name_values(query)) & set(held_name_values(stored)). Also two-part names.
baseline  The ma³tch-style index: one shared key, HMAC-SHA256(key, selector) per entry, lookups
          local. Build and check speed beside the OPRF's, and offline guessing speed.
network   1 querier + `--holders` holders, real `corridor serve` processes on loopback, every
          holder peered with the querier; each holder a small real index; `--checks` checks of
          one phone through the querier's API. With `--bulk`: holder 0 holds `--big` real
          entries (built in this process before the servers start: the `build` figures on a
          quiet machine) delivered by federation; the querier's copy of the other holders'
          indexes is filled with `--big` random entries each plus planted real ones, and one
          check of `--selectors` selectors goes through the API.

Every figure comes with wall time and process CPU per unit of work."""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import hmac
import json
import os
import pstats
import random
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "entities"))

import datasets  # noqa: E402
import synthetic  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

import benchlib  # noqa: E402
from corridor.entities import store  # noqa: E402
from corridor.entities.cases import matching as case_matching  # noqa: E402
from corridor.entities.cases import service as cases  # noqa: E402
from corridor.entities.cases.schemas import CaseCreate  # noqa: E402
from corridor.entities.ftm import make_entity  # noqa: E402
from corridor.federation.cards import own_card_chain  # noqa: E402
from corridor.federation.peers import add_peer  # noqa: E402
from corridor.matching import index, oprf, selectors, service  # noqa: E402
from corridor.matching.models import OwnEntry  # noqa: E402
from corridor.node.service import Node, init_node, open_node  # noqa: E402
from corridor.records import service as records_service  # noqa: E402
from corridor.security import passwords  # noqa: E402
from corridor.security import service as security  # noqa: E402
from corridor.security.principal import CLI, SYSTEM  # noqa: E402

PASSWORD = "benchmark password 2026"
SOURCE = store.Source("import", "bench", "synthetic.csv")
TARGET_PHONE = "+923001234567"
BATCH = 2000


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def ms(x: float) -> str:
    return f"{x * 1000:,.1f} ms"


# --- a holder: persons in a case opted in to matching --------------------------------------


def new_case(node: Node, reference: str) -> uuid.UUID:
    with node.db.transaction() as s:
        case = cases.create_case(
            s, actor=SYSTEM, data=CaseCreate(reference=reference, title="Hit/no-hit bench")
        )
        case_id = case.id
        case_matching.switch(s, actor=SYSTEM, node_id=node.id, ref=case_id, on=True)
    return case_id


def write_persons(node: Node, case_id: uuid.UUID, proxies: list[Any]) -> None:
    for i in range(0, len(proxies), BATCH):
        with node.db.transaction() as s:
            store.write(
                s,
                proxies=proxies[i : i + BATCH],
                source=SOURCE,
                tlp="AMBER",
                purpose="enforcement",
                case_id=case_id,
                default_region="PK",
            )


def persons_for(entries: int, seed: int, prefix: str = "") -> tuple[list[Any], int]:
    """Synthetic persons until their selectors (as a holder indexes them) reach `entries`."""
    out, total = [], 0
    for proxy in synthetic.generate(10 * entries, seed=seed):
        if prefix:
            proxy.id = prefix + proxy.id
        out.append(proxy)
        total += len(selectors.of_entity(proxy, "PK"))
        if total >= entries:
            break
    return out, total


def card_of(data_dir: Path) -> tuple[str, str]:
    node = open_node(data_dir)
    try:
        with node.db.transaction() as s:
            return node.id, json.dumps(own_card_chain(s, node.id)[-1])
    finally:
        node.close()


def peer(data_dir: Path, cards: list[str]) -> None:
    node = open_node(data_dir)
    try:
        with node.db.transaction() as s:
            for card in cards:
                add_peer(s, actor=CLI, own_node_id=node.id, card_file=card, approve=True)
    finally:
        node.close()


class Split:
    """Wall time spent in functions refresh calls (one thread: close to their CPU time)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._undo: list[Callable[[], None]] = []

    def wrap(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name, None)
        if original is None:  # not in this version of the code
            return

        @functools.wraps(original)
        def timed(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                self.seconds[label] += time.perf_counter() - t0
                self.calls[label] += 1

        setattr(module, name, timed)
        self._undo.append(lambda: setattr(module, name, original))

    def undo(self) -> None:
        for u in reversed(self._undo):
            u()
        self._undo.clear()


def timed_refresh(node: Node, *, split: bool = True, profile: bool = False) -> dict[str, Any]:
    sp = Split()
    if split:
        sp.wrap(index, "of_entity", "selectors (of_entity)")
        sp.wrap(oprf, "evaluate", "OPRF evaluate")
        sp.wrap(index, "bulk_insert", "insert entries (bulk_insert)")
        sp.wrap(index, "_segment_with_room", "segment lookup per entity")
        if hasattr(index, "_Segments"):
            sp.wrap(index._Segments, "take", "segment per entity (_Segments.take)")
        sp.wrap(index, "_publish", "publish: read, pack, sign, store records")
        sp.wrap(records_service, "create", "  of which records.create")
        sp.wrap(records_service, "update", "  of which records.update")
    prof = cProfile.Profile() if profile else None
    c0, t0 = cpu(), time.perf_counter()
    try:
        if prof:
            prof.enable()
        out = index.refresh(node)
    finally:
        if prof:
            prof.disable()
        sp.undo()
    wall, used = time.perf_counter() - t0, cpu() - c0
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return {"result": out, "wall": wall, "cpu": used, "split": sp}


def print_refresh(label: str, r: dict[str, Any]) -> None:
    n = r["result"]["entries"]
    per = r["cpu"] / n * 1e6 if n else float("nan")
    print(
        f"{label:<12}{n:,} entries, {r['result']['segments']} segments signed in "
        f"{r['wall']:.1f} s = {n / r['wall']:,.0f} entries/s; CPU {r['cpu']:.1f} s "
        f"= {per:.1f} µs per entry"
    )
    sp: Split = r["split"]
    accounted = 0.0
    for k, v in sp.seconds.most_common():
        if not k.startswith("  "):
            accounted += v
    for k in sp.seconds:
        v = sp.seconds[k]
        per_entry = v / n * 1e6 if n else 0
        print(
            f"    {k:<44}{v:8.1f} s {v / r['wall']:6.1%}  {per_entry:7.1f} µs/entry  "
            f"({sp.calls[k]:,} calls)"
        )
    if sp.seconds:
        rest = r["wall"] - accounted
        print(
            f"    {'rest (reading entities, handles, ORM, commit)':<44}{rest:8.1f} s "
            f"{rest / r['wall']:6.1%}"
        )


def build_holder(node: Node, entries: int, seed: int = 7) -> dict[str, Any]:
    """Store persons making `entries` entries in a case opted in to matching; time refresh."""
    case_id = new_case(node, f"MATCH-{seed}")
    t0 = time.perf_counter()
    persons, expected = persons_for(entries, seed)
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_persons(node, case_id, persons)
    stored = time.perf_counter() - t0
    print(
        f"store       {len(persons):,} persons (their selectors: {expected:,} entries) generated "
        f"in {gen:.1f} s, stored in {stored:.1f} s = {len(persons) / stored:,.0f}/s"
    )
    r = timed_refresh(node)
    print_refresh("refresh", r)
    idle = timed_refresh(node, split=False)
    print(
        f"idle pass   nothing changed: {idle['wall'] * 1000:.0f} ms, CPU {idle['cpu'] * 1000:.0f} "
        "ms"
    )
    # 1,000 entities change (a phone added to each): one incremental pass.
    changed = persons[:1000]
    for i, proxy in enumerate(changed):
        proxy.add("phone", f"+92300{7000000 + i}")
    write_persons(node, case_id, changed)
    inc = timed_refresh(node)
    print_refresh("1k changed", inc)
    return {"persons": persons, "case_id": case_id, "refresh": r, "idle": idle, "incremental": inc}


def cmd_build(args: argparse.Namespace) -> int:
    benchlib.print_machine(args.database_url or None)
    with (
        tempfile.TemporaryDirectory() as tmp,
        benchlib.ScratchPostgres(args.database_url or benchlib.DEFAULT_PG_URL) as scratch,
    ):
        url = scratch.create("matching") if args.database_url else None
        hd, pd = Path(tmp) / "holder", Path(tmp) / "peer"
        init_node(hd, name="Holder", org="Bench", country="PK", database_url=url).node.close()
        init_node(pd, name="Peer", org="Bench", country="TR").node.close()
        peer(hd, [card_of(pd)[1]])
        node = open_node(hd)
        try:
            print(
                f"database    {'PostgreSQL' if url else 'SQLite'}; 1 approved peer (segments are "
                "signed for it)"
            )
            out = build_holder(node, args.entries)
            r = out["refresh"]
            verdict = "PASS" if r["wall"] < 300 else "FAIL"
            print(
                f"\ntarget      1,000,000 entries < 5 min: {r['result']['entries']:,} in "
                f"{r['wall']:.1f} s: {verdict}"
            )
            if not url:
                size = sum(f.stat().st_size for f in hd.glob("corridor.db*"))
                print(
                    f"disk        holder's database {size / 1e9:.2f} GB (entities, search index, "
                    "index entries, records)"
                )
        finally:
            node.close()
    return 0


# --- names -----------------------------------------------------------------------------------


def cmd_names(args: argparse.Namespace) -> int:
    benchlib.print_machine(None)
    print(
        "rule        a query hits a stored name iff set(asked_name_values(query)) & "
        "set(held_name_values(stored)) (OPRF preserves equality; qualifiers left out: no birth "
        "years)"
    )
    t0, c0 = time.perf_counter(), cpu()
    names = Counter(p.first("name") or "" for p in synthetic.generate(args.synthetic, seed=3))
    names.pop("", None)
    groups_of = synthetic_groups(args.synthetic)
    arabic_share = sum(c for n, c in names.items() if any("\u0600" <= ch <= "\u06ff" for ch in n))
    held: dict[str, list[str]] = {}
    for name in names:
        for key in selectors.held_name_values(name):
            held.setdefault(key, []).append(name)
    took, used = time.perf_counter() - t0, cpu() - c0
    print(
        f"synthetic   {args.synthetic:,} names ({len(names):,} distinct, "
        f"{arabic_share / args.synthetic:.1%} "
        f"in Arabic script) -> {len(held):,} distinct held keys; {took:.1f} s, CPU "
        f"{used / len(names) * 1e6:.0f} µs per distinct name"
    )
    # The same persons filed with their birth years (bands, or "-" when they have none), for
    # queries that give a year, as an officer asking about a person usually can.
    held_years: dict[str, set[str]] = defaultdict(set)
    for person in synthetic.generate(args.synthetic, seed=3):
        name = person.first("name") or ""
        born = person.first("birthDate")
        quals = selectors.bands(int(born[:4])) if born else ["-"]
        for value in selectors.held_name_values(name):
            for q in quals:
                held_years[f"{q}|{value}"].add(name)
    rows = []
    for part in ("tuning", "heldout"):
        pairs = datasets.read_arabic_latin(part)
        spellings: dict[str, set[str]] = defaultdict(set)
        for p in pairs:
            spellings[p.arabic].add(p.latin)
        queries = [(a, sorted(ls)) for a, ls in spellings.items()]
        rows.append(_name_run(f"{part}, one word", queries, held, groups_of))
        rng = random.Random(17 if part == "tuning" else 18)
        forms = list(spellings)
        two = []
        for _ in range(args.pairs):
            a, b = rng.sample(forms, 2)
            targets = sorted({f"{x} {y}" for x in spellings[a] for y in spellings[b]})
            two.append((f"{a} {b}", targets))
        rows.append(_name_run(f"{part}, two words", two, held, groups_of))
        year_rng = random.Random(19)
        rows.append(
            _name_run(
                f"{part}, one word + birth year",
                queries,
                held_years,
                groups_of,
                years=[year_rng.randint(1950, 2008) for _ in queries],
            )
        )
        rows.append(
            _name_run(
                f"{part}, two words + birth year",
                two,
                held_years,
                groups_of,
                years=[year_rng.randint(1950, 2008) for _ in two],
            )
        )
    print(
        "\n| queries | n | recall | meet any synthetic name | **meet another name** (false "
        "hits) | meet only namesakes | no key | CPU/query |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['label']} | {r['n']:,} | **{r['recall']:.3f}** | {r['false']:.2%} | "
            f"**{r['other']:.2%}** | {r['same']:.2%} "
            f"| {r['nokey']} | {r['us']:.0f} µs |"
        )
    for r in rows:
        print(f"\nmisses, {r['label']} ({r['misses']:,}):")
        for q, t, ak, hk in r["examples"]:
            print(f"    {q}  ->  {', '.join(t)}    asked {ak[:3]}  held {hk[:3]}")
        if r["false_examples"]:
            print(f"false hits, {r['label']}:")
            for q, hits in r["false_examples"]:
                print(f"    {q}  hit  {hits}")
    return 0


_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا"})


def _fold(text: str) -> str:
    return text.translate(_FOLD).replace(" ", "").lower()


def synthetic_groups(total: int) -> dict[str, list[str]]:
    """Each synthetic name (as `generate(total, seed=3)` writes it) → the vocabulary names it is
    made of (one group per part: the Arabic form, or the Latin name where it has none), so that
    a query meeting a person of its own name (a namesake) is told from one meeting another."""
    groups: dict[str, list[str]] = {}
    vocab = [*synthetic.GIVEN, *synthetic.FAMILY]
    by_spelling = {_fold(sp): _fold(a) for a, sps in vocab for sp in [a, *sps]}
    for extra in (*synthetic.OTHER_GIVEN, *synthetic.OTHER_FAMILY):
        by_spelling.setdefault(_fold(extra), _fold(extra))
    spellings = sorted(by_spelling, key=len, reverse=True)
    for p in synthetic.generate(total, seed=3):
        name = p.first("name") or ""
        if not name or name in groups:
            continue
        rest, parts = _fold(name), []
        while rest:  # longest known spelling first ("Abdul Rahman" is one name)
            sp = next((x for x in spellings if rest.startswith(x)), None)
            if sp is None:
                parts = []
                break
            parts.append(by_spelling[sp])
            rest = rest[len(sp) :]
        groups[name] = parts
    return groups


def _query_groups(query: str, targets: list[str], vocab: dict[str, str]) -> list[set[str]]:
    """For each word of a query, the vocabulary names it can be (by its Arabic form or one of
    its Latin spellings)."""
    out = []
    words = query.split()
    for i, word in enumerate(words):
        names = {vocab[_fold(word)]} if _fold(word) in vocab else set()
        for t in targets:
            parts = t.split()
            if len(parts) == len(words) and _fold(parts[i]) in vocab:
                names.add(vocab[_fold(parts[i])])
        out.append(names)
    return out


def _same_name(groups: list[str], query: list[set[str]]) -> bool:
    """Whether a synthetic name is the query's name: as many parts, each one of the query's."""
    if not groups or len(groups) != len(query):
        return False
    left = list(query)
    for g in groups:
        match = next((i for i, q in enumerate(left) if g in q), None)
        if match is None:
            return False
        left.pop(match)
    return True


def _name_run(
    label: str,
    queries: list[tuple[str, list[str]]],
    held: Any,
    groups_of: dict[str, list[str]],
    years: list[int] | None = None,
) -> dict[str, Any]:
    vocab = {
        _fold(sp): _fold(a) for a, sps in [*synthetic.GIVEN, *synthetic.FAMILY] for sp in [a, *sps]
    }
    hit = false = namesake = nokey = other = same = 0
    examples, false_examples = [], []
    c0 = cpu()
    for n_query, (q, targets) in enumerate(queries):
        asked = set(selectors.asked_name_values(q))
        if years is not None:  # recall is the name's; what it meets is filed by year
            year = years[n_query]
            asked_years = {f"{b}|{v}" for v in asked for b in [*selectors.bands(year), "-"]}
        if not asked:
            nokey += 1
        target_keys = {k for t in targets for k in selectors.held_name_values(t)}
        if asked & target_keys:
            hit += 1
        elif len(examples) < 8:
            examples.append((q, targets, sorted(asked), sorted(target_keys)))
        met = [k for k in (asked_years if years is not None else asked) if k in held]
        if met:
            false += 1
            query_groups = _query_groups(q, targets, vocab)
            met_names = {n for k in met for n in held[k]}  # lists or sets of names
            if all(_same_name(groups_of.get(n, []), query_groups) for n in met_names):
                same += 1
            else:
                other += 1
            # A synthetic name met only through a key the target itself is filed under is the
            # same name written alike (a namesake): the index cannot tell them apart.
            if all(k in target_keys for k in met):
                namesake += 1
            elif len(false_examples) < 5:
                found = sorted({n for k in met if k not in target_keys for n in held[k]})[:3]
                false_examples.append((q, found[:3]))
    used = cpu() - c0
    n = len(queries)
    return {
        "label": label, "n": n, "recall": hit / n, "false": false / n, "namesake": namesake / n,
        "other": other / n, "same": same / n,
        "nokey": nokey, "misses": n - hit, "examples": examples, "false_examples": false_examples,
        "us": used / n * 1e6,
    }  # fmt: skip


# --- the ma³tch-style baseline ---------------------------------------------------------------


def hmac_rate(seconds: float = 3.0) -> float:
    """HMAC-SHA256 of Pakistani mobile numbers as selectors, one core (CPython's C HMAC)."""
    key = secrets.token_bytes(32)
    prefix = selectors.VERSION + b"|phone|*|+923"
    n, t0 = 0, time.perf_counter()
    digest = hmac.digest
    while time.perf_counter() - t0 < seconds:
        for i in range(n, n + 100_000):
            digest(key, prefix + b"%09d" % i, "sha256")
        n += 100_000
    return n / (time.perf_counter() - t0)


def openssl_hmac_rate() -> float | None:
    """openssl speed -hmac sha256 for 64-byte inputs (a compiled attacker, one core)."""
    try:
        out = subprocess.run(
            ["openssl", "speed", "-seconds", "3", "-bytes", "64", "-hmac", "sha256"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.stdout.splitlines():
        if line.startswith("hmac(sha256)"):  # thousands of bytes per second, 64-byte blocks
            try:
                return float(line.split()[1].rstrip("k")) * 1000 / 64
            except (IndexError, ValueError):
                return None
    return None


def cmd_baseline(args: argparse.Namespace) -> int:
    benchlib.print_machine(None)
    persons, expected = persons_for(args.entries, seed=7)
    print(f"entities    {len(persons):,} synthetic persons, {expected:,} selector entries")
    key = secrets.token_bytes(32)
    okey = oprf.new_key()
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "hmac.db")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE hmac_index (id INTEGER PRIMARY KEY, member TEXT, tag BLOB, handle BLOB)"
        )
        db.execute("CREATE INDEX ix_hmac_tag ON hmac_index (tag)")
        t0, c0 = time.perf_counter(), cpu()
        sel_t = mac_t = 0.0
        rows: list[tuple[str, bytes, bytes]] = []
        n = 0
        for proxy in persons:
            a = time.perf_counter()
            sels = selectors.of_entity(proxy, "PK")
            b = time.perf_counter()
            handle = secrets.token_bytes(10)
            for s in sels:
                rows.append(("member-a", hmac.digest(key, s.oprf_input(), "sha256")[:16], handle))
            mac_t += time.perf_counter() - b
            sel_t += b - a
            if len(rows) >= 20_000:
                n += len(rows)
                db.executemany(
                    "INSERT INTO hmac_index (member, tag, handle) VALUES (?, ?, ?)", rows
                )
                db.commit()
                rows = []
        n += len(rows)
        db.executemany("INSERT INTO hmac_index (member, tag, handle) VALUES (?, ?, ?)", rows)
        db.commit()
        wall, used = time.perf_counter() - t0, cpu() - c0
        print(
            f"HMAC build  {n:,} entries in {wall:.1f} s = {n / wall:,.0f} entries/s; CPU "
            f"{used / n * 1e6:.1f} µs per entry (selectors {sel_t / n * 1e6:.1f}, HMAC "
            f"{mac_t / n * 1e6:.1f}, SQLite insert with its index the rest)"
        )
        # OPRF primitive costs on the same inputs
        ins = [s.oprf_input() for p in persons[:2000] for s in selectors.of_entity(p, "PK")]
        c0 = cpu()
        for x in ins:
            oprf.evaluate(okey, x)
        ev = (cpu() - c0) / len(ins)
        c0 = cpu()
        for x in ins:
            oprf.hash_to_group(x)
        h2g = (cpu() - c0) / len(ins)
        c0 = cpu()
        bl = [oprf.blind(x) for x in ins]
        blind = (cpu() - c0) / len(ins)
        c0 = cpu()
        z = [oprf.blind_evaluate(okey, b.element) for b in bl]
        be = (cpu() - c0) / len(ins)
        c0 = cpu()
        for b, e in zip(bl, z, strict=True):
            oprf.finalize(b, e)
        fin = (cpu() - c0) / len(ins)
        c0 = cpu()
        for x in ins:
            hmac.digest(key, x, "sha256")
        mac = (cpu() - c0) / len(ins)
        print(
            f"per value   CPU: HMAC {mac * 1e6:.2f} µs | OPRF: holder's evaluate {ev * 1e6:.1f} µs "
            f"(hash to group {h2g * 1e6:.1f}), querier's blind {blind * 1e6:.1f}, holder's "
            f"blind_evaluate {be * 1e6:.1f}, querier's finalize {fin * 1e6:.1f} µs (per holder)"
        )
        # Local check against 30 members' HMAC indexes held locally: one selector.
        probes = [
            s
            for p in persons[:: max(1, len(persons) // 1000)][:1000]
            for s in selectors.of_entity(p, "PK")[:1]
        ]
        c0, t0 = cpu(), time.perf_counter()
        found = 0
        for s in probes:
            tag = hmac.digest(key, s.oprf_input(), "sha256")[:16]
            for _ in range(30):  # one probe per member's index (all held here: one table)
                found += bool(
                    db.execute("SELECT handle FROM hmac_index WHERE tag = ?", (tag,)).fetchall()
                )
        per = (time.perf_counter() - t0) / len(probes)
        print(
            f"HMAC check  one selector against 30 members' indexes held locally: {per * 1e6:.0f} "
            "µs wall, "
            f"CPU {(cpu() - c0) / len(probes) * 1e6:.0f} µs ({found // 30} of {len(probes)} found)"
        )
        db.close()
    py = hmac_rate()
    cores = len(os.sched_getaffinity(0))
    ossl = openssl_hmac_rate()
    space = 10**9
    print(
        f"guessing    HMAC-SHA256 per second, one core: {py:,.0f} (Python's C HMAC)"
        + (f", {ossl:,.0f} (openssl speed, 64-byte inputs)" if ossl else "")
    )
    best = max(py, ossl or 0) * cores
    print(
        f"            all 10^9 Pakistani mobile numbers (03XX-XXXXXXX) on this machine's {cores} "
        "cores: "
        f"{space / best / 60:,.1f} min; offline, unaudited, against every member's index at once"
    )
    print(
        "            OPRF: no offline test (the tags are F(k, x) under the holder's key); each "
        "guess is "
        "one evaluation by the holder, audited, at most per_minute 60,000 / per_day 1,000,000 "
        f"per peer by default: 10^9 guesses = {space / 1_000_000:,.0f} days per holder"
    )
    return 0


# --- the network -----------------------------------------------------------------------------


class Net:
    def __init__(self, root: Path, holders: int, per_minute: int, per_day: int) -> None:
        self.root = root
        self.n = holders + 1
        self.ports = benchlib.free_ports(self.n)
        self.dirs = [root / ("querier" if i == 0 else f"holder{i - 1}") for i in range(self.n)]
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * self.n

        def one(i: int) -> str:
            res = init_node(
                self.dirs[i],
                name="Querier" if i == 0 else f"Holder {i - 1}",
                org="Bench",
                country="PK",
                url=self.url(i),
            )
            nid = res.node.id
            res.node.close()
            with (self.dirs[i] / "node.toml").open("a", encoding="utf-8") as fh:
                fh.write(f"\n[matching]\nper_minute = {per_minute}\nper_day = {per_day}\n")
            return nid

        self.ids = [one(i) for i in range(self.n)]  # alembic is not thread-safe
        cards = [card_of(d)[1] for d in self.dirs]
        peer(self.dirs[0], cards[1:])
        for i in range(1, self.n):
            peer(self.dirs[i], [cards[0]])

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def db(self, i: int) -> Path:
        return self.dirs[i] / "corridor.db"

    def start(self, i: int) -> None:
        log = (self.root / f"{self.dirs[i].name}.log").open("ab")
        self.procs[i] = subprocess.Popen(
            [sys.executable, "-m", "corridor", "serve", "--data-dir", str(self.dirs[i]),
             "--host", "127.0.0.1", "--port", str(self.ports[i]), "--workers", "1"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def wait(self, i: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = self.procs[i]
            if p is not None and p.poll() is not None:
                raise RuntimeError(f"{self.dirs[i].name} exited; see its log")
            try:
                if httpx.get(self.url(i) + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.dirs[i].name} did not start")

    def cpu(self, i: int) -> float:
        p = self.procs[i]
        if p is None or p.poll() is not None:
            return 0.0
        return benchlib.process_cpu_seconds(p.pid)

    def stop(self, i: int) -> None:
        p = self.procs[i]
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        self.procs[i] = None

    def stop_all(self) -> None:
        for p in self.procs:
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for i in range(self.n):
            self.stop(i)


def token_for(data_dir: Path) -> str:
    node = open_node(data_dir)
    try:
        with node.db.transaction() as s:
            user = security.create_user(
                s, actor=SYSTEM, email="inv@querier.example", role="investigator", password=PASSWORD
            )
            secret, _ = security.create_token(s, actor=SYSTEM, user=user, scopes=["read", "write"])
        return secret
    finally:
        node.close()


def partner_counts(db: Path) -> dict[str, int]:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return dict(
                con.execute(
                    "SELECT holder, count(*) FROM matching_index GROUP BY holder"
                ).fetchall()
            )
        finally:
            con.close()
    except sqlite3.Error:
        return {}


def holder_key(db: Path) -> bytes:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = con.execute(
            "SELECT secret FROM matching_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return bytes(row[0])
    finally:
        con.close()


def small_persons(i: int, k: int) -> list[Any]:
    out = []
    for proxy in synthetic.generate(k, seed=1000 + i, dup_share=0):
        proxy.id = f"h{i}-{proxy.id}"
        out.append(proxy)
    return out


def target_person() -> Any:
    proxy = make_entity("Person", "target-tariq")
    proxy.add("name", "Tariq Mehmood")
    proxy.add("birthDate", "1984-03-02")
    proxy.add("phone", TARGET_PHONE)
    proxy.add("passportNumber", "AB1234567")
    proxy.add("nationality", "pk")
    return proxy


def cmd_network(args: argparse.Namespace) -> int:
    benchlib.print_machine(None)
    holders = args.holders
    keep = Path(args.keep) if args.keep else None
    tmp_ctx = contextlib.nullcontext(str(keep)) if keep else tempfile.TemporaryDirectory()
    with tmp_ctx as tmp:
        root = Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        net = Net(root, holders, args.per_minute, args.per_day)
        print(
            f"network     1 querier + {holders} holders initialised and peered (querier <-> each "
            "holder) "
            f"in {time.perf_counter() - t0:.0f} s; node.toml [matching] per_minute = "
            f"{args.per_minute:,}, "
            f"per_day = {args.per_day:,} at every node"
        )
        token = token_for(net.dirs[0])
        try:
            return _network(args, net, token)
        finally:
            net.stop_all()
            if keep:
                print(f"kept        {keep}")


def _network(args: argparse.Namespace, net: Net, token: str) -> int:
    holders = net.n - 1
    big_expected = 0
    big_persons: list[Any] = []
    for h in range(holders):
        node = open_node(net.dirs[h + 1])
        try:
            case_id = new_case(node, f"HOLD-{h}")
            persons = small_persons(h, args.small)
            if h == 1:
                persons.append(target_person())
            write_persons(node, case_id, persons)
            if h == 0 and args.bulk:
                print(
                    "\n== 1. index build on holder 0 (in this process, before any server runs; "
                    "SQLite)"
                )
                big = build_holder(node, args.big, seed=7)
                big_persons = big["persons"]
            index.refresh(node)
            with node.db.reading() as s:
                n_own = s.scalar(select(func.count()).select_from(OwnEntry))
            if h == 0:
                big_expected = n_own
        finally:
            node.close()
    print(
        f"\nholders    {holders} holders indexed: {args.small} persons each (holder 1 also Tariq "
        f"Mehmood, {TARGET_PHONE})" + (f"; holder 0 {big_expected:,} entries" if args.bulk else "")
    )
    t0 = time.perf_counter()
    for i in range(net.n):
        net.start(i)
    for i in range(net.n):
        net.wait(i)
    print(f"started     {net.n} `corridor serve --workers 1` in {time.perf_counter() - t0:.0f} s")
    want = {net.ids[h + 1] for h in range(holders)}
    deadline = time.monotonic() + args.sync_timeout
    last = ""
    while time.monotonic() < deadline:
        counts = partner_counts(net.db(0))
        have = want & set(counts)
        big_ok = not args.bulk or counts.get(net.ids[1], 0) >= big_expected
        line = f"{len(have)}/{holders} indexes held" + (
            f", holder 0: {counts.get(net.ids[1], 0):,}/{big_expected:,}" if args.bulk else ""
        )
        if line != last:
            print(f"  {time.perf_counter() - t0:6.1f} s  {line}", flush=True)
            last = line
        if len(have) == holders and big_ok:
            break
        time.sleep(1)
    else:
        print("sync        NOT COMPLETE in time; measuring anyway")
    print(
        f"sync        querier holds {len(have)} holders' indexes {time.perf_counter() - t0:.0f} s "
        "after the first start"
    )
    time.sleep(5)  # let the start-up jobs settle
    single_check(args, net, token)
    if args.bulk:
        bulk_check(args, net, token, big_persons)
    return 0


def single_check(args: argparse.Namespace, net: Net, token: str) -> None:
    holders = net.n - 1
    print(
        f"\n== 2. single-selector check across {holders} peers ({args.checks} checks, one client, "
        "sequential)"
    )
    body = {"selectors": [{"type": "phone", "value": "0300 1234567", "country": "PK"}]}
    with httpx.Client(
        base_url=net.url(0), timeout=120, headers={"Authorization": f"Bearer {token}"}
    ) as c:
        for _ in range(5):  # warm-up: connections to every peer
            r = c.post("/api/v1/matching/check", json=body)
            r.raise_for_status()
        first = r.json()
        hits = first["results"][0]["hits"]
        answered = sum(1 for p in first["peers"] if p["state"] == "answered")
        print(
            f"answer      {len(hits)} hit(s) "
            f"{[(h['node'] == net.ids[2], h['type'], h['level']) for h in hits]} "
            f"(holder 1 expected); {answered}/{len(first['peers'])} peers answered"
        )
        cq = net.cpu(0)
        ch = sum(net.cpu(i) for i in range(1, net.n))
        lat = []
        bad = 0
        for _ in range(args.checks):
            t0 = time.perf_counter()
            r = c.post("/api/v1/matching/check", json=body)
            lat.append(time.perf_counter() - t0)
            if r.status_code != 200 or len(r.json()["results"][0]["hits"]) != 1:
                bad += 1
        q_used = net.cpu(0) - cq
        h_used = sum(net.cpu(i) for i in range(1, net.n)) - ch
    lat.sort()
    p95 = benchlib.percentile(lat, 95)
    print(
        f"latency     p50 {ms(benchlib.percentile(lat, 50))}, p95 {ms(p95)}, p99 "
        f"{ms(benchlib.percentile(lat, 99))}, "
        f"max {ms(lat[-1])}; {bad} wrong answers; target p95 < 200 ms: "
        f"{'PASS' if p95 < 0.2 else 'FAIL'}"
    )
    print(
        f"cpu         querier {q_used / args.checks * 1000:.1f} ms per check; holders "
        f"{h_used / (args.checks * holders) * 1000:.2f} ms per evaluation (their whole process: "
        f"also their jobs and the hit records they receive); all {holders + 1} processes "
        f"{(q_used + h_used) / args.checks * 1000:.0f} ms CPU per check"
    )
    split_check(net, body["selectors"], repeat=50)


# --- 3. bulk ---------------------------------------------------------------------------------


def make_bulk_queries(
    args: argparse.Namespace, net: Net, big_persons: list[Any]
) -> tuple[
    list[dict[str, Any]], dict[int, tuple[str, str]], dict[str, list[tuple[bytes, bytes, bytes]]]
]:
    """10,000 selectors: planted ones at the 29 filled holders, real ones of holder 0, and
    others nobody holds. Returns (selectors, expected hit per query index -> (holder, handle),
    planted entries per holder id -> [(tag, sealed)])."""
    rng = random.Random(23)
    queries: list[dict[str, Any]] = []
    expected: dict[int, tuple[str, str]] = {}
    planted: dict[str, list[tuple[bytes, bytes]]] = defaultdict(list)
    kinds = ["phone", "phone", "document", "name"]

    def query_of(p: Any, kind: str) -> dict[str, Any] | None:
        if kind == "phone" and p.first("phone"):
            phone = p.first("phone")
            if phone.startswith("+92"):
                return {
                    "type": "phone",
                    "value": "0" + phone[3:6] + " " + phone[6:],
                    "country": "PK",
                }
            return {"type": "phone", "value": phone}
        if kind == "document" and p.first("passportNumber"):
            return {"type": "document", "value": p.first("passportNumber"),
                    "country": (p.first("nationality") or "pk").upper()}  # fmt: skip
        if kind == "name":
            q: dict[str, Any] = {"type": "name", "value": p.first("name")}
            if p.first("birthDate"):
                q["birth_year"] = int(p.first("birthDate")[:4])
            return q
        return None

    def valid(q: dict[str, Any]) -> bool:
        try:
            selectors.of_query(
                q["type"], q["value"], country=q.get("country"), birth_year=q.get("birth_year")
            )
            return True
        except Exception:
            return False

    def take(people: Iterator[Any], kind: str) -> tuple[Any, dict[str, Any]]:
        """The next person who has a valid selector of this kind, and that selector."""
        for p in people:
            q = query_of(p, kind)
            if q is not None and valid(q):
                return p, q
        raise RuntimeError(f"no more persons with a {kind}")

    # 29 filled holders: `plant` persons each, one query per person
    for h in range(1, net.n - 1):
        hid = net.ids[h + 1]
        key = holder_key(net.db(h + 1))
        people = synthetic.generate(args.plant * 50, seed=5000 + h, dup_share=0)
        for k in range(args.plant):
            p, q = take(people, kinds[k % len(kinds)])
            p.id = f"plant{h}-{p.id}"
            raw = secrets.token_bytes(10)
            for s in selectors.of_entity(p, "PK"):
                out = oprf.evaluate(key, s.oprf_input())
                planted[hid].append((index.tag_of(out), index.seal(raw, out)))
            expected[len(queries)] = (hid, index.format_handle(raw))
            queries.append(q)
    # holder 0's real persons
    con = sqlite3.connect(f"file:{net.db(1)}?mode=ro", uri=True)
    handles = dict(con.execute("SELECT entity_id, handle FROM matching_handles").fetchall())
    con.close()
    pool = [p for p in rng.sample(big_persons, len(big_persons)) if p.id in handles]
    people = iter(pool)
    for k in range(min(args.real, len(pool) // 10)):
        p, q = take(people, kinds[k % len(kinds)])
        expected[len(queries)] = (net.ids[1], handles[p.id])
        queries.append(q)
    # nobody holds these (new synthetic persons; their names may still meet namesakes)
    people = synthetic.generate(args.selectors * 40, seed=99, dup_share=0)
    k = 0
    while len(queries) < args.selectors:
        p, q = take(people, kinds[k % len(kinds)])
        k += 1
        if q["type"] == "phone":  # keep them apart from every holder's numbers
            q["value"] = q["value"][:-3] + f"{rng.randrange(1000):03d}"
            if not valid(q):
                continue
        queries.append(q)
    return queries, expected, planted


def fill_querier(net: Net, big: int, planted: dict[str, list[tuple[bytes, bytes]]]) -> None:
    """The querier's copy of holders 1..29's indexes: `big` random entries each (what a real
    index looks like from outside: 16 random-looking bytes of tag, 10 of sealed handle) and the
    planted real entries, in segments of 5,000, straight into its SQLite table."""
    db = net.db(0)
    con = sqlite3.connect(db)
    seg_sample = con.execute(
        "SELECT segment_id, typeof(segment_id) FROM matching_index LIMIT 1"
    ).fetchone()
    as_hex = seg_sample is None or seg_sample[1] == "text"
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'matching_index' "
        "AND sql IS NOT NULL"
    ).fetchall()
    t0 = time.perf_counter()
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    total = 0
    for h in range(1, net.n - 1):
        hid = net.ids[h + 1]
        real = planted.get(hid, [])
        n_random = big - len(real)
        blob = os.urandom(26 * n_random)
        entries = [
            (blob[i * 26 : i * 26 + 16], blob[i * 26 + 16 : i * 26 + 26]) for i in range(n_random)
        ]
        entries.extend(real)
        random.Random(h).shuffle(entries)
        rows = []
        for j in range(0, len(entries), 5000):
            seg = uuid.uuid4()
            sid: Any = seg.hex if as_hex else seg.bytes
            rows.extend((hid, sid, t, s) for t, s in entries[j : j + 5000])
        con.executemany(
            "INSERT INTO matching_index (holder, segment_id, tag, sealed) VALUES (?, ?, ?, ?)", rows
        )
        con.commit()
        total += len(rows)
        print(
            f"  filled holder {h}: {len(rows):,} entries ({len(real)} planted real); {total:,} in "
            f"{time.perf_counter() - t0:.0f} s",
            flush=True,
        )
    t1 = time.perf_counter()
    for _name, sql in indexes:
        con.execute(sql)
    con.commit()
    n = con.execute("SELECT count(*) FROM matching_index").fetchone()[0]
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = sum(f.stat().st_size for f in db.parent.glob("corridor.db*"))
    print(
        f"fill        {total:,} entries inserted in {t1 - t0:.0f} s, indexes rebuilt in "
        f"{time.perf_counter() - t1:.0f} s; querier's matching_index {n:,} rows, database "
        f"{size / 1e9:.1f} GB"
    )


def bulk_check(args: argparse.Namespace, net: Net, token: str, big_persons: list[Any]) -> None:
    holders = net.n - 1
    print(
        f"\n== 3. bulk check: {args.selectors:,} selectors against {holders} peers of {args.big:,} "
        "entries each"
    )
    queries, expected, planted = make_bulk_queries(args, net, big_persons)
    types = Counter(q["type"] for q in queries)
    inputs = {
        s.oprf_input()
        for q in queries
        for s in selectors.of_query(
            q["type"], q["value"], country=q.get("country"), birth_year=q.get("birth_year")
        )
    }
    print(
        f"selectors   {len(queries):,} ({dict(types)}), {len(inputs):,} distinct OPRF inputs "
        "(a name asks each of its keys with its birth-year qualifiers and 'none'); expected hits: "
        f"{len(expected):,} "
        f"({sum(1 for h, _ in expected.values() if h != net.ids[1]):,} planted at {holders - 1} "
        "holders, "
        f"{sum(1 for h, _ in expected.values() if h == net.ids[1]):,} real at holder 0)"
    )
    net.stop(0)
    fill_querier(net, args.big, planted)
    t0 = time.perf_counter()
    net.start(0)
    net.wait(0)
    print(f"restart     querier up again in {time.perf_counter() - t0:.0f} s")
    time.sleep(5)
    cq = net.cpu(0)
    ch = [net.cpu(i) for i in range(1, net.n)]
    with httpx.Client(
        base_url=net.url(0), timeout=3600, headers={"Authorization": f"Bearer {token}"}
    ) as c:
        t0 = time.perf_counter()
        r = c.post("/api/v1/matching/check", json={"selectors": queries})
        wall = time.perf_counter() - t0
    q_used = net.cpu(0) - cq
    h_used = [net.cpu(i) - b for i, b in zip(range(1, net.n), ch, strict=True)]
    if r.status_code != 200:
        print(f"check       HTTP {r.status_code}: {r.text[:500]}")
        return
    out = r.json()
    states = Counter(p["state"] for p in out["peers"])
    found = 0
    hits_by: Counter[str] = Counter()
    for i, res in enumerate(out["results"]):
        got = {(h["node"], h["handle"]) for h in res["hits"]}
        for h in res["hits"]:
            hits_by["holder 0" if h["node"] == net.ids[1] else "planted holders"] += 1
        if i in expected and expected[i] in got:
            found += 1
    print(
        f"check       one call, {len(queries):,} selectors: {wall:.1f} s wall; target < 60 s: "
        f"{'PASS' if wall < 60 else 'FAIL'}; peers {dict(states)}"
    )
    print(
        f"hits        expected found {found:,} of {len(expected):,}; all hits returned "
        f"{sum(hits_by.values()):,} "
        f"({dict(hits_by)}; names also meet namesakes)"
    )
    print(
        f"cpu         querier {q_used:.1f} s ({q_used / len(inputs) * 1e6:.0f} µs per input, "
        f"{q_used / (len(inputs) * holders) * 1e6:.1f} µs per input per holder); holders "
        f"{sum(h_used):.1f} s in all, {sum(h_used) / (len(inputs) * holders) * 1e6:.1f} µs per "
        "evaluation "
        f"(max one holder {max(h_used):.1f} s)"
    )
    if args.split:
        split_check(net, queries[: args.split])


def split_check(net: Net, queries: list[dict[str, Any]], repeat: int = 1) -> None:
    """The same kind of check in this process against the querier's database (its server
    keeps running), with the querier's time split by wrapping what `service.check` calls."""
    node = open_node(net.dirs[0])
    try:
        with node.db.transaction() as s:
            user = security.find_user(s, "inv@querier.example")
            actor = security.principal_for(user, kind="session")
        qs = [
            service.Query(
                q["type"],
                q["value"],
                q["country"].upper() if q.get("country") else None,
                q.get("birth_year"),
            )
            for q in queries
        ]
        service.check(node, actor=actor, queries=qs[:1], notify=False)  # warm: connections
        sp = Split()
        sp.wrap(service.transport, "send", "signed calls to holders (sum over threads)")
        sp.wrap(service.transport, "sign", "  of which signing them (RFC 9421)")
        sp.wrap(service, "_inputs", "selectors -> OPRF inputs (of_query)")
        sp.wrap(oprf, "blind", "blind (once per input)")
        sp.wrap(oprf, "finalize", "finalize (per input per holder)")
        sp.wrap(service, "_lookup", "look tags up in matching_index")
        sp.wrap(service, "_record", "audit (no hit records: notify off)")
        c0, t0 = cpu(), time.perf_counter()
        try:
            for _ in range(repeat):
                out = service.check(node, actor=actor, queries=qs, notify=False)
        finally:
            sp.undo()
        wall, used = time.perf_counter() - t0, cpu() - c0
    finally:
        node.close()
    hits = sum(len(r.hits) for r in out.results)
    states = Counter(out.peers.values())
    print(
        f"split       in this process, {repeat} check(s) of {len(qs):,} selectors, notify off: "
        f"{wall:.1f} s wall, "
        f"CPU {used:.2f} s (this process, incl. its HTTP threads); {hits:,} hits; peers "
        f"{dict(states)}"
    )
    accounted = 0.0
    for k in sp.seconds:
        v = sp.seconds[k]
        if not k.startswith(("signed", "  ")):
            accounted += v
        print(
            f"    {k:<44}{v:8.2f} s {v / wall:6.1%}  ({sp.calls[k]:,} calls, "
            f"{v / sp.calls[k] * 1e6:,.0f} µs each)"
        )
    print(
        f"    {'waiting for the holders + rest':<44}{wall - accounted:8.2f} s "
        f"{(wall - accounted) / wall:6.1%}"
    )


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--entries", type=int, default=1_000_000)
    b.add_argument("--database-url", default=None)
    n = sub.add_parser("names")
    n.add_argument("--synthetic", type=int, default=1_000_000)
    n.add_argument("--pairs", type=int, default=2000)
    bl = sub.add_parser("baseline")
    bl.add_argument("--entries", type=int, default=1_000_000)
    w = sub.add_parser("network")
    w.add_argument("--holders", type=int, default=30)
    w.add_argument("--small", type=int, default=5, help="persons per holder")
    w.add_argument("--checks", type=int, default=200)
    w.add_argument("--bulk", action="store_true")
    w.add_argument("--big", type=int, default=1_000_000, help="entries per holder in the bulk run")
    w.add_argument("--selectors", type=int, default=10_000)
    w.add_argument("--plant", type=int, default=60, help="planted persons per filled holder")
    w.add_argument("--real", type=int, default=200, help="queries of holder 0's real persons")
    w.add_argument("--per-minute", type=int, default=100_000_000)
    w.add_argument("--per-day", type=int, default=1_000_000_000)
    w.add_argument("--sync-timeout", type=float, default=1200)
    w.add_argument("--keep", default=None)
    w.add_argument(
        "--split", type=int, default=2000, help="selectors of the in-process split run (0: none)"
    )
    args = p.parse_args(argv)
    passwords.configure(time_cost=1, memory_cost=1024)
    return {
        "build": cmd_build,
        "names": cmd_names,
        "baseline": cmd_baseline,
        "network": cmd_network,
    }[args.cmd](args)


if __name__ == "__main__":
    raise SystemExit(main())
