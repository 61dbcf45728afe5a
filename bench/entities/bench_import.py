"""Import throughput: a CSV of persons through the whole pipeline into a case.

    .venv/bin/python bench/entities/bench_import.py [--rows 200000] [--runs 3] [--in-process]
        [--existing N] [--xlsx] [--database-url URL]

What runs is what `corridor import FILE --case CASE --mapping M` runs: the file is read once
end to end (so a damaged file stores nothing) while forked worker processes (one per usable
core but the writer's, at most two) parse and map it (dates, countries, national phone numbers
normalised by FtM and phonenumbers, deterministic ids, the search index's name keys, statement
ids, the entity's stored JSON) in chunks of 1,000 rows; this process writes them in
transactions of 20,000 rows (statements with provenance, the merged entity view and the search
index). `--in-process` maps in this process instead; `--xlsx` imports the same rows as an
XLSX workbook. It then imports the same file again,
which must change nothing.

Each run uses a fresh node; `--existing N` first imports N other persons into another case of
it (not timed), for an import into a store that holds data already. Besides wall time it
prints the CPU seconds of this process and of the mapping workers, and the load average after
the run: on a shared machine the wall-clock rate drops with other work, while wall ~ max(writer
CPU, worker CPU) on two idle cores.

Target (issue 4): >= 10,000 entities/s into SQLite."""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import openpyxl
import synthetic

import benchlib
from corridor.entities.cases import service as cases
from corridor.entities.cases.schemas import CaseCreate
from corridor.entities.imports import runner
from corridor.entities.imports import service as imports
from corridor.node.service import init_node
from corridor.security import passwords
from corridor.security.principal import CLI, SYSTEM

MAPPING = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["id"],
            "properties": {
                "name": {"column": "name"},
                "birthDate": {"column": "birth_date", "format": "%d/%m/%Y"},
                "nationality": {"column": "nationality"},
                "passportNumber": {"column": "passport"},
                "phone": {"column": "phone"},
                "gender": {"column": "gender"},
            },
        }
    }
}


def make_csv(rows: int) -> bytes:
    rng = random.Random(5)
    out = ["id,name,birth_date,nationality,passport,phone,gender"]
    for proxy in synthetic.generate(rows):
        birth = proxy.first("birthDate") or ""
        if len(birth) == 10:
            birth = f"{birth[8:10]}/{birth[5:7]}/{birth[:4]}"
        name = (proxy.first("name") or "").replace('"', "")
        phone = proxy.first("phone") or ""
        if phone.startswith("+92") and rng.random() < 0.5:
            phone = "0" + phone[3:6] + " " + phone[6:]  # national notation, as typed in Pakistan
        out.append(
            f'{proxy.id},"{name}",{birth},{proxy.first("nationality") or ""},'
            f"{proxy.first('passportNumber') or ''},{phone},{proxy.first('gender') or ''}"
        )
    return ("\n".join(out) + "\n").encode("utf-8")


def as_xlsx(content: bytes) -> bytes:
    """The same table as a workbook (one sheet, every cell text), as a spreadsheet exports it."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("persons")
    for row in csv.reader(io.StringIO(content.decode("utf-8"))):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _filename(content: bytes) -> str:
    return "persons.xlsx" if content[:2] == b"PK" else "persons.csv"


def run_once(node, case_id, content: bytes) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    with node.db.transaction() as s:
        run = imports.upload(
            s, node, actor=CLI, case_ref=str(case_id), filename=_filename(content), content=content
        )
        run_id = run.id
    with node.db.transaction() as s:
        imports.start(s, node, actor=CLI, run_id=run_id, mapping_data=MAPPING, background=False)
    result = runner.run_import(node, run_id)
    return time.perf_counter() - t0, result


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children (the worker)."""
    t = os.times()
    return t.user + t.system, t.children_user + t.children_system


def _timed(node, case_id, content: bytes) -> tuple[float, object, float, float]:  # type: ignore[no-untyped-def]
    own, children = _cpu()
    seconds, run = run_once(node, case_id, content)
    own2, children2 = _cpu()
    return seconds, run, own2 - own, children2 - children


def _cpu_text(own: float, worker: float) -> str:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"cpu {own:.1f} s here + {worker:.1f} s worker; load {load}"


def _case(node, reference: str):  # type: ignore[no-untyped-def]
    with node.db.transaction() as s:
        return cases.create_case(
            s, actor=SYSTEM, data=CaseCreate(reference=reference, title="Import")
        ).id


def one_run(
    content: bytes, database_url: str | None, tmp: str, tag: str, existing: bytes | None
) -> float:
    with benchlib.ScratchPostgres(database_url or benchlib.DEFAULT_PG_URL) as scratch:
        url = scratch.create(f"import{tag}") if database_url else None
        node = init_node(
            Path(tmp) / f"node{tag}", name="Bench", org="Bench", country="PK", database_url=url
        ).node
        if existing is not None:
            seconds, run = run_once(node, _case(node, "EXISTING-1"), existing)
            print(
                f"existing    {run.entities:,} entities imported into another case first "  # type: ignore[attr-defined]
                f"({seconds:.1f} s)"
            )
        case_id = _case(node, "BENCH-1")
        seconds, run, own, worker = _timed(node, case_id, content)
        rate = run.entities / seconds  # type: ignore[attr-defined]
        print(
            f"import      {run.entities:,} entities from {run.rows_done:,} rows "  # type: ignore[attr-defined]
            f"({run.rows_failed:,} refused) in {seconds:.1f} s = {rate:,.0f} entities/s "  # type: ignore[attr-defined]
            f"(target >= 10,000/s: {'PASS' if rate >= 10_000 else 'FAIL'}); "
            + _cpu_text(own, worker)
        )
        seconds2, run2, own, worker = _timed(node, case_id, content)
        print(
            f"re-import   same file again in {seconds2:.1f} s = "
            f"{run2.rows_done / seconds2:,.0f} rows/s; changes nothing; " + _cpu_text(own, worker)  # type: ignore[attr-defined]
        )
        node.close()
    return rate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--in-process", action="store_true", help="map in this process (no worker)")
    p.add_argument("--xlsx", action="store_true", help="the same rows as an XLSX workbook")
    p.add_argument("--existing", type=int, default=0, help="persons in the store beforehand")
    p.add_argument("--database-url", default=None)
    args = p.parse_args(argv)
    passwords.configure(time_cost=1, memory_cost=1024)
    if args.in_process:
        imports.WORKER_MIN_BYTES = None
    benchlib.print_machine(args.database_url or None)
    print()
    content = make_csv(args.rows)
    if args.xlsx:
        content = as_xlsx(content)
    kind = "XLSX" if args.xlsx else "CSV"
    print(f"file        {args.rows:,} rows, {len(content) / 1e6:.1f} MB {kind}")
    existing = make_csv(args.existing) if args.existing else None
    rates = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            rates.append(one_run(content, args.database_url, tmp, str(i), existing))
    if args.runs > 1:
        print(f"best        {max(rates):,.0f} entities/s of {args.runs} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
