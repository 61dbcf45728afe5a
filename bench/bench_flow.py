"""What the flow rule (records.flow) costs: derived records signed and stored with their sources
checked and remembered, reads that consult `flow.hidden`, the pure check, and the cascade
when a source with many derived records is withdrawn. One process, SQLite in a temporary
data directory, CPU seconds per unit of work beside the wall clock.

    .venv/bin/python bench/bench_flow.py [--n 2000] [--derived 1000]

No target is named by the issue; the figures show that the rule adds little to a write and
to a read."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import Field

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import print_machine
from corridor import modules
from corridor.node.service import Node, init_node
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.flow import Flow
from corridor.records.labels import Labels
from corridor.records.registry import RecordType
from corridor.schemas import StrictModel
from corridor.security import service as security
from corridor.security.principal import SYSTEM, Principal

TYPE = "bench.derived"
LABELS = Labels(tlp="AMBER", purpose="enforcement", handling="H1")


class Note(StrictModel):
    text: str = Field(max_length=500)


def _register() -> None:
    try:
        registry.get(TYPE)
    except Exception:
        registry.register(
            RecordType(name=TYPE, body=Note, flow=Flow(embeds=("link",)), title="Bench")
        )


def _timed(fn: Any) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def _create(node: Node, n: int, sources: list[flow.Source], batch: int = 100) -> list[str]:
    ids: list[str] = []
    for start in range(0, n, batch):
        with node.db.transaction() as s:
            for i in range(start, min(n, start + batch)):
                env = records.create(
                    s, node.keys, actor=SYSTEM, type=TYPE, body={"text": f"note {i}"},
                    labels=LABELS, sources=sources,
                )  # fmt: skip
                ids.append(env["id"])
    return ids


def _reader(node: Node) -> Principal:
    with node.db.transaction() as s:
        user = security.create_user(
            s, actor=SYSTEM, email="inv@bench.example", role="investigator",
            password="correct horse battery staple 2026",
        )  # fmt: skip
        return security.principal_for(user, kind="session")


def _read_all(node: Node, actor: Principal, ids: list[str]) -> None:
    with node.db.reading() as s:
        for rid in ids:
            records.get_visible(s, node.id, actor=actor, record_id=uuid.UUID(rid))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="records per measurement")
    parser.add_argument("--derived", type=int, default=1000, help="records drawn on one source")
    args = parser.parse_args(argv)
    print_machine(None)
    modules.load_all()
    _register()
    with tempfile.TemporaryDirectory() as tmp:
        node = init_node(Path(tmp) / "node", name="Bench", org="Bench", country="PK").node
        try:
            run(node, args)
        finally:
            node.close()
    return 0


def run(node: Node, args: argparse.Namespace) -> None:
    n = args.n
    with node.db.transaction() as s:
        source_env = records.create(
            s, node.keys, actor=SYSTEM, type=TYPE, body={"text": "source"}, labels=LABELS
        )
    one = [flow.of_record(source_env)]
    five = [
        flow.Source(ref=f"entity:{i}", origin=node.id, tlp="AMBER", purpose="enforcement",
                    compartment=f"case:{uuid.uuid4()}") for i in range(4)
    ] + one  # fmt: skip
    rows = []
    for label, sources in (("no sources", []), ("1 source", one), ("5 sources", five)):
        wall, cpu = _timed(lambda sources=sources: _create(node, n, sources))
        rows.append((f"create, {label}", n / wall, cpu / n * 1e6))
    actor = _reader(node)
    plain = _create(node, n, [])
    derived = _create(node, n, one)
    for label, ids in (("read, not derived", plain), ("read, derived", derived)):
        wall, cpu = _timed(lambda ids=ids: _read_all(node, actor, ids))
        rows.append((label, n / wall, cpu / n * 1e6))
    checks = 20_000
    wall, cpu = _timed(
        lambda: [
            flow.check(sources=five, labels=LABELS, audience=[], own_node=node.id)
            for _ in range(checks)
        ]
    )
    rows.append(("flow.check, 5 sources (pure)", checks / wall, cpu / checks * 1e6))

    # The cascade: one source, many records drawn on it, the source withdrawn.
    with node.db.transaction() as s:
        hub = records.create(
            s, node.keys, actor=SYSTEM, type=TYPE, body={"text": "hub"}, labels=LABELS
        )
    _create(node, args.derived, [flow.of_record(hub)])

    def withdraw() -> None:
        with node.db.transaction() as s:
            records.revoke(
                s, node.keys, actor=SYSTEM, record_id=uuid.UUID(hub["id"]), reason="bench"
            )

    wall_hide, cpu_hide = _timed(withdraw)
    from sqlalchemy import select

    from corridor.jobs.models import Job

    with node.db.reading() as s:
        (payload,) = s.scalars(select(Job.payload).where(Job.kind == records.CASCADE_JOB))
    ids = [uuid.UUID(i) for i in payload["ids"]]

    def cascade() -> None:
        with node.db.transaction() as s:
            records.revoke_derived(s, node.keys, ids)

    wall_cascade, cpu_cascade = _timed(cascade)
    print()
    print(f"{'measure':<34} {'per second':>12} {'CPU µs each':>12}")
    for label, per_s, cpu_us in rows:
        print(f"{label:<34} {per_s:>12,.0f} {cpu_us:>12,.1f}")
    print()
    print(
        f"withdraw a source drawn on by {args.derived:,} records (hidden at once): "
        f"{wall_hide * 1000:,.0f} ms wall, {cpu_hide * 1000:,.0f} ms CPU"
    )
    print(
        f"cascade revoking them ({len(ids):,} tombstones): {wall_cascade * 1000:,.0f} ms wall, "
        f"{cpu_cascade / max(len(ids), 1) * 1e6:,.0f} µs CPU each"
    )


if __name__ == "__main__":
    raise SystemExit(main())
