"""Run every benchmark and print one summary: `make bench` or `.venv/bin/python bench/run_all.py`.

    bench/run_all.py [--n 2000] [--requests 3000] [--clients 8] [--no-postgres] [--quick]

Records on SQLite, records on PostgreSQL (when it answers at $CORRIDOR_BENCH_DATABASE_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres; scratch databases are created and dropped),
then the API read benchmark against a real server process on 127.0.0.1."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib

HERE = Path(__file__).resolve().parent


def run(script: str, args: list[str], json_path: Path) -> dict | None:
    cmd = [sys.executable, str(HERE / script), *args, "--no-machine", "--json", str(json_path)]
    print(f"\n$ {script} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, check=False)
    print(f"({script} exited {proc.returncode} after {time.perf_counter() - started:.0f} s)")
    if proc.returncode != 0 or not json_path.exists():
        return None
    return json.loads(json_path.read_text())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=2000, help="records per mode (2000)")
    p.add_argument("--requests", type=int, default=3000, help="API requests per loaded run")
    p.add_argument("--clients", type=int, default=8, help="concurrent API clients (8)")
    p.add_argument("--wrk-seconds", type=int, default=10, help="wrk run length, 0 = skip")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    p.add_argument("--quick", action="store_true", help="small runs (a smoke test, not figures)")
    args = p.parse_args()
    if args.quick:
        args.n, args.requests, args.wrk_seconds = 300, 400, 3
    pg_url = os.environ.get("CORRIDOR_BENCH_DATABASE_URL", benchlib.DEFAULT_PG_URL)
    pg = None if args.no_postgres else benchlib.pg_version(pg_url)

    benchlib.print_machine(pg_url)
    rows: list[list[str]] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        jobs: list[tuple[str, list[str]]] = [("bench_records.py", ["--n", str(args.n)])]
        if pg:
            jobs.append(("bench_records.py", ["--n", str(args.n), "--database-url", pg_url]))
        elif not args.no_postgres:
            print(f"\nPostgreSQL does not answer at {pg_url}: records on SQLite only")
        jobs.append(
            (
                "bench_api.py",
                [
                    "--requests",
                    str(args.requests),
                    "--clients",
                    str(args.clients),
                    "--wrk-seconds",
                    str(args.wrk_seconds),
                ],
            )
        )
        for k, (script, script_args) in enumerate(jobs):
            res = run(script, script_args, Path(tmp) / f"{k}.json")
            if res is None:
                failed.append(script)
                continue
            rows.extend(list(r) for r in res["summary"])

    print("\n== all benchmarks: summary")
    for name, value, target, verdict in rows:
        print(f"  {name:52s} {value:>26s}   target {target:>10s}   {verdict}")
    for script in failed:
        print(f"  {script} FAILED to run")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
