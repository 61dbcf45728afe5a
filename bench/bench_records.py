"""Record sign + store, verify and ingest throughput of the node core (one process, one thread).

    .venv/bin/python bench/bench_records.py [--n 2000] [--database-url URL] [--profile]

Without --database-url the store is SQLite in a temporary data directory (what `corridor init`
makes). With a PostgreSQL URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) the
URL's database is only used to CREATE two scratch databases, which are dropped at the end.

Targets: >= 2,000 records/s sign + store, >= 5,000 envelopes/s verify."""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field
from sqlalchemy import event, select

import benchlib
from corridor.audit import service as audit
from corridor.canonical import canonical
from corridor.canonical import reference as canonical_reference
from corridor.node.service import Node, init_node
from corridor.records import envelope as env_mod
from corridor.records import registry
from corridor.records import service as records
from corridor.records.flow import Flow
from corridor.records.labels import Labels
from corridor.records.models import StoredRecord
from corridor.records.registry import RecordType
from corridor.schemas import StrictModel, UtcDateTime
from corridor.security.principal import SYSTEM

TARGET_CREATE = 2000.0
TARGET_VERIFY = 5000.0
TYPE = "bench.sample"
BATCH = 100
WARMUP = 50
LAST_CPU = 0.0


class BenchSample(StrictModel):
    """A small operational record: a reference, a title, a few tags, a count and a time."""

    reference: str = Field(max_length=64)
    title: str = Field(max_length=200)
    route: str = Field(max_length=64)
    count: int = Field(ge=0)
    tags: list[str] = Field(default_factory=list, max_length=20)
    observed_at: UtcDateTime


def register_type() -> None:
    try:
        registry.get(TYPE)
    except Exception:
        registry.register(
            RecordType(name=TYPE, body=BenchSample, flow=Flow(), sensitive=False, title="Bench")
        )


OBSERVED = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
LABELS = Labels(tlp="AMBER", purpose="enforcement", handling="H1")


def body(i: int) -> dict[str, Any]:
    return {
        "reference": f"BENCH-{i:08d}",
        "title": f"Boat departure observed near landing site {i % 37}",
        "route": "PK-IR-TR-GR",
        "count": i % 53,
        "tags": ["sea", "night", f"site-{i % 11}"],
        "observed_at": OBSERVED,
    }


class StatementCounter:
    """Counts round trips to the database driver: an executemany (many rows) counts once."""

    def __init__(self, node: Node) -> None:
        self.count = 0
        event.listen(node.db.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_args: Any) -> None:
        self.count += 1


def create_records(
    node: Node, n: int, batch: int, start: int, *, many: bool = False
) -> tuple[float, list[float]]:
    """n records, `batch` per transaction; returns elapsed seconds and per-transaction latencies.
    `many`: each transaction is one `records.create_many` call instead of `batch` creates.

    The CPU seconds this process used are left in LAST_CPU (a figure less disturbed by other
    work on the machine than the wall clock)."""
    global LAST_CPU
    latencies: list[float] = []
    i = start
    c0 = time.process_time()
    t0 = time.perf_counter()
    while i < start + n:
        t = time.perf_counter()
        size = min(batch, start + n - i)
        with node.db.transaction() as session:
            if many:
                records.create_many(
                    session,
                    node.keys,
                    actor=SYSTEM,
                    items=[records.NewRecord(TYPE, body(j), LABELS) for j in range(i, i + size)],
                )
            else:
                for j in range(i, i + size):
                    records.create(
                        session, node.keys, actor=SYSTEM, type=TYPE, body=body(j), labels=LABELS
                    )
        i += size
        latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - t0
    LAST_CPU = time.process_time() - c0
    return elapsed, latencies


def per_op_us(fn: Callable[[], Any], n: int = 2000) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


def breakdown(node: Node, sample: dict[str, Any]) -> dict[str, float]:
    """CPU cost of the non-database parts of create(), each measured alone (microseconds)."""
    fields = env_mod.unsigned(sample)
    data = canonical(fields)
    audit_like = {
        "seq": 123456,
        "ts": sample["ts"],
        "actor": "system",
        "actor_kind": "system",
        "action": "record.create",
        "object_type": TYPE,
        "object_id": sample["id"],
        "ip": "",
        "outcome": "ok",
        "detail": {"version": 1, "tlp": "AMBER"},
        "prev_hash": "0" * 64,
    }
    return {
        "validate body + labels": per_op_us(
            lambda: (
                registry.validate_body(TYPE, body(1)),
                LABELS.model_dump(mode="json", exclude_none=True),
            )
        ),
        "canonical JSON (RFC 8785) of the envelope": per_op_us(lambda: canonical(fields)),
        "Ed25519 sign": per_op_us(lambda: node.keys.sign(data)),
        "audit entry hash (canonical + SHA-256)": per_op_us(
            lambda: hashlib.sha256(canonical(audit_like)).hexdigest()
        ),
    }


def profile_batch(node: Node, n: int, start: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    create_records(node, n, BATCH, start)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(r"corridor|orm/session.py.*(flush|get)|rfc8785", 25)
    return out.getvalue()


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run(args: argparse.Namespace) -> dict[str, Any]:
    register_type()
    url = args.database_url
    if url and url.startswith("sqlite"):
        url = None
    backend = "postgresql" if url else "sqlite"
    results: dict[str, Any] = {"backend": backend, "n": args.n}
    pg_scratch = benchlib.ScratchPostgres(url) if url else None
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        url_a = pg_scratch.create("a") if pg_scratch else None
        url_b = pg_scratch.create("b") if pg_scratch else None
        try:
            node = init_node(
                Path(tmp) / "a", name="Bench A", org="Bench", country="PK", database_url=url_a
            ).node
            peer = init_node(
                Path(tmp) / "b", name="Bench B", org="Bench", country="PK", database_url=url_b
            ).node
            try:
                results.update(measure(node, peer, args))
            finally:
                node.close()
                peer.close()
        finally:
            if pg_scratch:
                pg_scratch.__exit__(None, None, None)
    return results


def run_mode(
    node: Node,
    counter: StatementCounter,
    n: int,
    batch: int,
    start: int,
    rounds: int,
    *,
    many: bool = False,
) -> dict[str, Any]:
    """n records in `rounds` equal rounds; the best round is the figure (least disturbed by
    other work on a shared machine), the median and every round are kept too."""
    per_round = max(batch, n // rounds // batch * batch)
    rates: list[float] = []
    lat_all: list[float] = []
    cpu = 0.0
    statements = 0
    for r in range(rounds):
        gc.collect()
        counter.count = 0
        elapsed, lat = create_records(node, per_round, batch, start + r * per_round, many=many)
        statements += counter.count
        cpu += LAST_CPU
        rates.append(rate(per_round, elapsed))
        lat_all.extend(lat)
    lat_all.sort()
    ordered = sorted(rates)
    return {
        "records_per_s": ordered[-1],
        "median_records_per_s": ordered[len(ordered) // 2],
        "round_rates": rates,
        "round_n": per_round,
        "batch": batch,
        "records_per_cpu_s": rate(per_round * rounds, cpu),
        "statements_per_record": statements / (per_round * rounds),
        "tx_p50_ms": benchlib.percentile(lat_all, 50) * 1000,
        "tx_p99_ms": benchlib.percentile(lat_all, 99) * 1000,
    }


def ingest_like_delivery(
    peer: Node, envelopes: list[dict[str, Any]], keys: dict[str, bytes]
) -> dict[str, int]:
    """What federation delivery does with a pushed batch: the batch's records already held
    are fetched (and locked) in one query, each envelope is ingested, and one audit entry
    names every record stored."""
    outcomes: dict[str, int] = {}
    lookup = benchlib.ingest_key_lookup(records.ingest, keys)
    for i in range(0, len(envelopes), BATCH):
        part = envelopes[i : i + BATCH]
        with peer.db.transaction() as session:
            ids = [uuid.UUID(e["id"]) for e in part]
            existing = {
                r.id: r
                for r in session.scalars(
                    select(StoredRecord).where(StoredRecord.id.in_(ids)).with_for_update()
                )
            }
            stored = []
            for e in part:
                r = records.ingest(
                    session,
                    envelope=e,
                    **lookup,
                    addressed_to_us=lambda _e: True,
                    actor=SYSTEM,
                    audit_each=False,
                    existing=existing,
                )
                if r.row is not None:
                    existing[r.row.id] = r.row
                if r.outcome == "stored":
                    stored.append(r.record_id)
                outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
            if stored:
                audit.append(
                    session,
                    actor=SYSTEM,
                    action="record.receive",
                    object_type="batch",
                    object_id="bench",
                    detail={"ids": stored, "count": len(stored)},
                )
    return outcomes


def measure(node: Node, peer: Node, args: argparse.Namespace) -> dict[str, Any]:
    n = args.n
    out: dict[str, Any] = {}
    counter = StatementCounter(node)
    print(f"== records: sign + store ({node.db.dialect}, n={n} per mode, 1 thread)")
    create_records(node, WARMUP, 10, 0)  # warm the SQLAlchemy statement cache
    gc.collect()

    for key, batch, many, label in (
        ("create_per_tx", 1, False, "(a) 1 record / transaction    "),
        ("create_batch", BATCH, False, f"(b) {BATCH} records / transaction"),
        ("create_many", BATCH, True, f"(c) create_many, {BATCH} / call  "),
    ):
        start = 10_000_000 * (batch + 1) + (50_000_000 if many else 0)
        res = run_mode(node, counter, n, batch, start, args.rounds, many=many)
        out[key] = res
        rounds = ", ".join(f"{r:.0f}" for r in res["round_rates"])
        print(
            f"  {label} {res['records_per_s']:6.0f} records/s (best round; median "
            f"{res['median_records_per_s']:.0f})   {1e6 / res['records_per_s']:5.0f} us/record   "
            f"{res['statements_per_record']:.2f} SQL executions/record"
        )
        print(
            f"      rounds of {res['round_n']}: {rounds} records/s; per transaction p50 "
            f"{res['tx_p50_ms']:.2f} ms, p99 {res['tx_p99_ms']:.2f} ms; "
            f"{res['records_per_cpu_s']:.0f} records per CPU-second of this process"
        )
    batched = out["create_batch"]["records_per_s"]
    stmts = out["create_batch"]["statements_per_record"]

    with node.db.transaction() as session:
        sample = session.scalars(
            select(StoredRecord.envelope).where(StoredRecord.type == TYPE).limit(1)
        ).one()
    parts = breakdown(node, sample)
    total_us = 1e6 / batched
    print(f"  where a batched record's {total_us:.0f} us go (CPU parts measured alone):")
    for name, us in parts.items():
        print(f"    {name:45s} {us:7.1f} us")
    rest = total_us - sum(parts.values())
    print(
        f"    {'rest: SQLAlchemy ORM + driver + database':45s} {rest:7.1f} us "
        f"({rest / total_us:.0%}; {stmts:.2f} SQL executions per record)"
    )
    out["breakdown_us"] = {**parts, "rest (ORM + driver + database)": rest}
    print()

    # --- verify -------------------------------------------------------------------------
    print("== records: verify")
    t = time.perf_counter()
    with node.db.transaction() as session:
        envelopes = list(
            session.scalars(
                select(StoredRecord.envelope)
                .where(StoredRecord.type == TYPE)
                .order_by(StoredRecord.seq)
            )
        )
    load_s = time.perf_counter() - t
    public = node.keys.signing_public
    verify_s = verify_cpu = float("inf")
    for _ in range(args.rounds):
        gc.collect()
        c = time.process_time()
        t = time.perf_counter()
        for e in envelopes:
            env_mod.verify(e, public)
        verify_s = min(verify_s, time.perf_counter() - t)
        verify_cpu = min(verify_cpu, time.process_time() - c)
    t = time.perf_counter()
    for e in envelopes:
        env_mod.parse(e)
        env_mod.verify(e, public)
    parse_verify_s = time.perf_counter() - t
    data = canonical(env_mod.unsigned(envelopes[0]))
    sig = env_mod.unb64u(envelopes[0]["sig"])
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    pk = Ed25519PublicKey.from_public_bytes(public)
    raw_us = per_op_us(lambda: pk.verify(sig, data))
    canon_us = per_op_us(lambda: canonical(env_mod.unsigned(envelopes[0])))
    reference_us = per_op_us(lambda: canonical_reference(env_mod.unsigned(envelopes[0])))
    m = len(envelopes)
    out["load_per_s"] = rate(m, load_s)
    out["verify_per_s"] = rate(m, verify_s)
    out["verify_per_cpu_s"] = rate(m, verify_cpu)
    out["parse_verify_per_s"] = rate(m, parse_verify_s)
    out["verify_parts_us"] = {
        "ed25519_verify": raw_us,
        "canonical": canon_us,
        "canonical_rfc8785_reference": reference_us,
    }
    print(f"  load stored envelopes        {rate(m, load_s):8.0f} envelopes/s  ({m} envelopes)")
    print(
        f"  envelope.verify (best of {args.rounds})  {rate(m, verify_s):8.0f} envelopes/s   "
        f"{verify_s / m * 1e6:6.0f} us each (Ed25519 verify alone {raw_us:.0f} us, "
        f"canonical JSON {canon_us:.0f} us, with the rfc8785 reference {reference_us:.0f} us; "
        f"{rate(m, verify_cpu):.0f}/s per CPU-second)"
    )
    print(
        f"  parse (pydantic) + verify    {rate(m, parse_verify_s):8.0f} envelopes/s   "
        f"{parse_verify_s / m * 1e6:6.0f} us each"
    )

    # --- ingest into a second node -------------------------------------------------------
    keys = {node.id: public}
    lookup = benchlib.ingest_key_lookup(records.ingest, keys)
    half = m // 2
    outcomes: dict[str, int] = {}
    c = time.process_time()
    t = time.perf_counter()
    for i in range(0, half, BATCH):
        with peer.db.transaction() as session:
            for e in envelopes[i : min(i + BATCH, half)]:
                r = records.ingest(
                    session,
                    envelope=e,
                    **lookup,
                    addressed_to_us=lambda _e: True,
                    actor=SYSTEM,
                )
                outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    ingest_s, ingest_cpu = time.perf_counter() - t, time.process_time() - c
    c = time.process_time()
    t = time.perf_counter()
    batch_outcomes = ingest_like_delivery(peer, envelopes[half:], keys)
    batch_s, batch_cpu = time.perf_counter() - t, time.process_time() - c
    dup_n = min(m, 1000)
    t = time.perf_counter()
    with peer.db.transaction() as session:
        for e in envelopes[:dup_n]:
            records.ingest(
                session,
                envelope=e,
                **lookup,
                addressed_to_us=lambda _e: True,
                actor=SYSTEM,
            )
    dup_s = time.perf_counter() - t
    t = time.perf_counter()
    dup_outcomes = ingest_like_delivery(peer, envelopes[half : half + dup_n], keys)
    dup_batch_s = time.perf_counter() - t
    out["ingest_per_s"] = rate(half, ingest_s)
    out["ingest_per_cpu_s"] = rate(half, ingest_cpu)
    out["ingest_batch_per_s"] = rate(m - half, batch_s)
    out["ingest_batch_per_cpu_s"] = rate(m - half, batch_cpu)
    out["ingest_duplicate_per_s"] = rate(dup_n, dup_s)
    out["ingest_duplicate_batch_per_s"] = rate(dup_n, dup_batch_s)
    print(
        f"  ingest into 2nd node         {rate(half, ingest_s):8.0f} envelopes/s   "
        f"({BATCH}/transaction, a lookup and an audit entry each; "
        f"{rate(half, ingest_cpu):.0f}/CPU-s; {outcomes})"
    )
    print(
        f"  … as federation delivery     {rate(m - half, batch_s):8.0f} envelopes/s   "
        f"(one lookup and one audit entry per {BATCH}; "
        f"{rate(m - half, batch_cpu):.0f}/CPU-s; {batch_outcomes})"
    )
    print(
        f"  ingest again (duplicates)    {rate(dup_n, dup_s):8.0f} envelopes/s   "
        f"(acknowledged, not stored); as delivery {rate(dup_n, dup_batch_s):.0f}/s {dup_outcomes}"
    )
    print()

    if args.profile:
        print(f"== cProfile of {min(n, 1000)} batched creates (cumulative, filtered)")
        print(profile_batch(node, min(n, 1000), 30_000_000))
    return out


def summary(res: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    b = res["backend"]
    rows = []
    for key, label in (
        ("create_per_tx", "1/transaction"),
        ("create_batch", "100/transaction"),
        ("create_many", "create_many 100"),
    ):
        v = res[key]["records_per_s"]
        rows.append(
            (
                f"sign + store, {label} ({b})",
                f"{v:,.0f}/s (median {res[key]['median_records_per_s']:,.0f})",
                f">= {TARGET_CREATE:,.0f}/s",
                benchlib.verdict(v, TARGET_CREATE),
            )
        )
    v = res["verify_per_s"]
    rows.append(
        (
            f"verify (CPU only; envelopes from {b})",
            f"{v:,.0f}/s ({res['verify_per_cpu_s']:,.0f}/CPU-s)",
            f">= {TARGET_VERIFY:,.0f}/s",
            benchlib.verdict(v, TARGET_VERIFY),
        )
    )
    v = res["ingest_per_s"]
    rows.append((f"ingest, 100/transaction ({b})", f"{v:,.0f}/s", "-", "info"))
    v = res["ingest_batch_per_s"]
    rows.append((f"ingest as federation delivery ({b})", f"{v:,.0f}/s", "-", "info"))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=2000, help="records per mode (default 2000)")
    p.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server URL; scratch databases are created on it and dropped",
    )
    p.add_argument("--rounds", type=int, default=3, help="rounds per mode; best is reported (3)")
    p.add_argument("--profile", action="store_true", help="also cProfile the batched mode")
    p.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    p.add_argument("--no-machine", action="store_true", help="do not print machine details")
    args = p.parse_args(argv)
    if args.n < 100 or not 1 <= args.rounds <= 20:
        p.error("--n must be at least 100, --rounds 1..20")
    if not args.no_machine:
        benchlib.print_machine(
            args.database_url
            if args.database_url and args.database_url.startswith("postg")
            else benchlib.DEFAULT_PG_URL
        )
    started = time.perf_counter()
    res = run(args)
    res["summary"] = summary(res)
    print("== records: summary")
    for name, value, target, verdict in res["summary"]:
        print(f"  {name:44s} {value:>24s}   target {target:>10s}   {verdict}")
    print(f"  (benchmark took {time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
