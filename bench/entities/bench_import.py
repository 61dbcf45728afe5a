"""Import throughput: a CSV of persons through the whole pipeline into a case.

    .venv/bin/python bench/entities/bench_import.py [--rows 200000] [--database-url URL]

What runs is what `corridor import FILE --case CASE --mapping M` runs: the file is read once
end to end (so a damaged file stores nothing), then parsed, mapped (dates, countries, national
phone numbers normalised by FtM and phonenumbers, deterministic ids) and written in transactions
of 2,000 rows (statements with provenance, the merged entity view and the search index). It then
imports the same file again, which must change nothing.

Target (issue 4): >= 10,000 entities/s into SQLite."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

import benchlib
from corridor.entities import cases, imports
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


def run_once(node, case_id, content: bytes) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    with node.db.transaction() as s:
        run = imports.upload(
            s, node, actor=CLI, case_ref=str(case_id), filename="persons.csv", content=content
        )
        run_id = run.id
    with node.db.transaction() as s:
        imports.start(s, node, actor=CLI, run_id=run_id, mapping_data=MAPPING, background=False)
    result = imports.run_import(node, run_id)
    return time.perf_counter() - t0, result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--database-url", default=None)
    args = p.parse_args(argv)
    passwords.configure(time_cost=1, memory_cost=1024)
    benchlib.print_machine(args.database_url or None)
    print()
    content = make_csv(args.rows)
    print(f"file        {args.rows:,} rows, {len(content) / 1e6:.1f} MB CSV")
    with (
        tempfile.TemporaryDirectory() as tmp,
        benchlib.ScratchPostgres(args.database_url or benchlib.DEFAULT_PG_URL) as scratch,
    ):
        url = scratch.create("import") if args.database_url else None
        node = init_node(
            Path(tmp) / "node", name="Bench", org="Bench", country="PK", database_url=url
        ).node
        with node.db.transaction() as s:
            case_id = cases.create_case(
                s, actor=SYSTEM, data=cases.CaseCreate(reference="BENCH-1", title="Import")
            ).id
        seconds, run = run_once(node, case_id, content)
        print(
            f"import      {run.entities:,} entities from {run.rows_done:,} rows "  # type: ignore[attr-defined]
            f"({run.rows_failed:,} refused) in {seconds:.1f} s = "  # type: ignore[attr-defined]
            f"{run.entities / seconds:,.0f} entities/s "  # type: ignore[attr-defined]
            f"(target >= 10,000/s: {'PASS' if run.entities / seconds >= 10_000 else 'FAIL'})"
        )  # type: ignore[attr-defined]
        seconds2, run2 = run_once(node, case_id, content)
        print(
            f"re-import   same file again in {seconds2:.1f} s = "
            f"{run2.rows_done / seconds2:,.0f} rows/s; changes nothing"
        )  # type: ignore[attr-defined]
        node.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
