"""Risk analysis: import of the real published data, dashboard queries at scale, forecasts.

    .venv/bin/python bench/risk/bench_risk.py import [--postgres] [--json PATH]
    .venv/bin/python bench/risk/bench_risk.py queries [--rows 10000000] [--postgres]
    .venv/bin/python bench/risk/bench_risk.py forecast [--json PATH]
    .venv/bin/python bench/risk/bench_risk.py report [--postgres]

- import: a fresh node imports the four files of ../shared/data (Frontex, IOM ×2, Eurostat)
  through `risk.service.import_file`, as `corridor indicators import` does: wall time and CPU per
  file and per 1,000 figures (target: all four < 30 s).
- queries: `--rows` synthetic figures (9 indicators × 24 routes × 2 border types × 26 years
  of months × up to 150 nationalities, skewed as in the Frontex data, in the order an import
  writes them)
  written straight into the store, then the workbench's queries at random selections: a
  route's monthly series, a nationality's series, an indicator's yearly total, the top
  nationalities of a route, a route's anomalies: p50/p95 wall and CPU per query (target: p95 <
  300 ms on PostgreSQL at 10,000,000 rows; SQLite is reported beside it).
With --postgres, a scratch database on the server at $CORRIDOR_BENCH_DATABASE_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) is created and dropped afterwards.
- forecast: the forecasting method chosen and measured on the Frontex routes: models compared
  on forecasts made from 2019-2022 (the tuning window), then measured on the 36 origins after
  (held out): MASE per route of ETS(A,N,A) on log counts, the seasonal naive and the naive
  forecast, 6 months ahead.
- report: a fresh node with the real data, an analyst's monthly report of the Frontex data
  for April 2025 as the page and as the PDF, the first time (every route's anomalies and
  forecasts with their back-tests computed) and again (kept): wall time (target < 10 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchlib
from corridor import clock
from corridor.db import RowInserter
from corridor.node.service import Node, init_node
from corridor.risk import breakdown, forecast, rollup, service
from corridor.risk.models import Dataset, IndicatorRow
from corridor.risk.series import Filter
from corridor.security.principal import CLI, Principal
from corridor.security.roles import Role

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FILES = {
    "frontex-ibc": DATA / "frontex-ibc-monthly.csv",
    "iom-mmp": DATA / "iom-missing-migrants.csv",
    "iom-mmp-2020": DATA / "iom-missing-migrants-export-2020.csv",
    "eurostat-asylum": DATA / "eurostat-asylum-applications.csv",
}
ANALYST = Principal(kind="session", handle="bench", role=Role.analyst)
INDICATORS = [
    "illegal_border_crossings", "facilitators_detected", "false_document_users",
    "refusals_of_entry", "illegal_stay", "asylum_applications", "returns", "dead_and_missing",
    "online_adverts_detected",
]  # fmt: skip
ROUTES = [f"Route {i:02d}" for i in range(24)]


def _node(tmp: Path, url: str | None) -> Node:
    return init_node(tmp / "node", name="Bench", org="Bench", country="PK", database_url=url).node


def _cpu() -> float:
    return time.process_time()


def bench_import(url: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"files": {}}
    with tempfile.TemporaryDirectory(prefix="corridor-risk-") as tmp:
        node = _node(Path(tmp), url)
        total_wall = total_cpu = 0.0
        figures = 0
        for source, path in FILES.items():
            w, c = time.perf_counter(), _cpu()
            with node.db.transaction() as session:
                run = service.import_file(session, actor=CLI, path=path, source=source)
                stored = run.rows_stored
            wall, cpu = time.perf_counter() - w, _cpu() - c
            total_wall += wall
            total_cpu += cpu
            figures += stored
            out["files"][source] = {"figures": stored, "wall_s": round(wall, 2),
                                    "cpu_s": round(cpu, 2)}  # fmt: skip
            print(f"{source:16} {stored:>7,} figures  {wall:6.2f} s wall  {cpu:6.2f} s CPU"
                  f"  {cpu / stored * 1e6:6.1f} µs CPU/figure")  # fmt: skip
        node.close()
    out.update(figures=figures, wall_s=round(total_wall, 2), cpu_s=round(total_cpu, 2))
    print(f"{'all four':16} {figures:>7,} figures  {total_wall:6.2f} s wall  {total_cpu:6.2f} s "
          f"CPU  (target < 30 s: {benchlib.verdict(30 - total_wall, 0)})")  # fmt: skip
    return out


def _generate(node: Node, rows: int, seed: int = 7) -> None:
    """About `rows` figures of a skewed synthetic network, written in the order an import of
    monthly files writes them (indicator, route, month), in chunks of 50,000: each route has
    the figures of a few nationalities every month and of the others now and then (as in the
    Frontex data, where a handful of nationalities make most of a route)."""
    rng = random.Random(seed)
    cells = len(INDICATORS) * len(ROUTES) * 26 * 12 * 2
    # Nationality i is present in a month with probability p_i, skewed, scaled to `rows`.
    raw = [1 / (i + 1) ** 0.6 for i in range(150)]
    want = min(rows / cells, 150.0)  # nationalities a month has on average
    low, high = 0.0, 1000.0
    for _ in range(60):  # the scale at which the capped probabilities add up to `want`
        scale = (low + high) / 2
        low, high = (scale, high) if sum(min(1.0, r * scale) for r in raw) < want else (low, scale)
    presence = [min(1.0, r * high) for r in raw]
    insert = RowInserter(IndicatorRow.__table__, (
        "dataset", "key", "indicator", "year", "month", "route", "border_type",
        "nationality", "value", "aggregate", "import_id",
    ))  # fmt: skip
    written = 0
    started = time.perf_counter()
    chunk: list[tuple[Any, ...]] = []
    for ind in INDICATORS:
        for route in ROUTES:
            for year in range(2000, 2026):
                for month in range(1, 13):
                    for border in ("land", "sea"):
                        for i, p in enumerate(presence):
                            if rng.random() >= p:
                                continue
                            value = float(int(rng.expovariate(1 / (2000 * raw[i]))) + 1)
                            chunk.append(("synthetic", f"{written + len(chunk):032d}", ind,
                                          year, month, route, border, f"N{i:03d}", value,
                                          False, 1))  # fmt: skip
                    if len(chunk) >= 50_000:
                        with node.db.transaction() as session:
                            insert(session, chunk)
                        written += len(chunk)
                        chunk = []
                        rate = written / (time.perf_counter() - started)
                        print(f"\r  {written:,} rows written ({rate:,.0f}/s)", end="", flush=True)
    if chunk:
        with node.db.transaction() as session:
            insert(session, chunk)
        written += len(chunk)
    print(f"\r  {written:,} rows written in {time.perf_counter() - started:.0f} s")
    lists = {"routes": ROUTES, "nationalities": [f"N{i:03d}" for i in range(150)],
             "countries": []}  # fmt: skip
    coverage = {i: {"first": [2000, 1, 0], "last": [2025, 12, 0], "finest": "month", **lists}
                for i in INDICATORS}  # fmt: skip
    with node.db.transaction() as session:
        session.add(Dataset(id="synthetic", title="Synthetic", coverage=coverage,
                            rows=written, imported_at=clock.now()))  # fmt: skip
    started = time.perf_counter()
    with node.db.transaction() as session:
        rollup.rebuild(session, "synthetic")
    print(f"  rollup rebuilt in {time.perf_counter() - started:.1f} s (as after an import)")
    with node.db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def bench_queries(url: str | None, rows: int, repeats: int) -> dict[str, Any]:
    rng = random.Random(11)
    out: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory(prefix="corridor-risk-") as tmp:
        node = _node(Path(tmp), url)
        started = time.perf_counter()
        _generate(node, rows)
        out["generate_s"] = round(time.perf_counter() - started, 1)
        queries: dict[str, Callable[[Any], Any]] = {
            "route series (month)": lambda s: service.series(
                s, actor=ANALYST, filter=Filter(rng.choice(INDICATORS), route=rng.choice(ROUTES))
            ),
            "nationality series (month)": lambda s: service.series(
                s, actor=ANALYST,
                filter=Filter(rng.choice(INDICATORS), nationality=f"N{rng.randrange(150):03d}"),
            ),
            "indicator total (year)": lambda s: service.series(
                s, actor=ANALYST, filter=Filter(rng.choice(INDICATORS)), period="year"
            ),
            "top nationalities of a route": lambda s: breakdown.breakdown(
                s, Filter(rng.choice(INDICATORS), route=rng.choice(ROUTES))
            ),
            "route anomalies": lambda s: service.anomalies(
                s, actor=ANALYST, filter=Filter(rng.choice(INDICATORS), route=rng.choice(ROUTES))
            ),
            "routes × nationalities": lambda s: service.matrix(
                s, actor=ANALYST, filter=Filter(rng.choice(INDICATORS))
            ),
            "map of flows": lambda s: service.flow_map(
                s, actor=ANALYST, filter=Filter(rng.choice(INDICATORS))
            ),
            "seasonal pattern of a route": lambda s: service.seasonality(
                s, actor=ANALYST, filter=Filter(rng.choice(INDICATORS), route=rng.choice(ROUTES))
            ),
        }  # fmt: skip
        for name, query in queries.items():
            with node.db.reading() as session:
                query(session)  # once unmeasured: imports (statsmodels: a second), caches
            walls, cpus = [], []
            for _ in range(repeats):
                w, c = time.perf_counter(), _cpu()
                with node.db.reading() as session:
                    query(session)
                walls.append((time.perf_counter() - w) * 1000)
                cpus.append((_cpu() - c) * 1000)
            walls.sort()
            p50, p95 = benchlib.percentile(walls, 50), benchlib.percentile(walls, 95)
            cpu = statistics.mean(cpus)
            out[name] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "cpu_ms": round(cpu, 1)}
            print(f"{name:32} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  CPU {cpu:6.1f} ms/query"
                  f"  {benchlib.verdict(300 - p95, 0)}")  # fmt: skip
        node.close()
    return out


def _frontex_routes() -> dict[str, np.ndarray]:
    import csv
    from collections import Counter

    sums: dict[str, Counter[str]] = {}
    with FILES["frontex-ibc"].open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sums.setdefault(row["route"], Counter())[row["month"]] += int(row["detections"])
    months = [
        f"{y}-{m:02d}"
        for y in range(2009, 2026)
        for m in range(1, 13)
        if f"{y}-{m:02d}" <= "2025-04"
    ]
    return {r: np.array([c.get(m, 0) for m in months], float) for r, c in sums.items()}


def bench_forecast(horizon: int = 6) -> dict[str, Any]:
    """MASE per route on the tuning window (origins 2019-05..2022-04) and held out after."""
    season = 12
    routes = _frontex_routes()
    methods: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "ETS(A,N,A) log": lambda t: forecast.predict(t, season, horizon, 0.8)[:, 0],
        "seasonal naive": lambda t: np.array(
            [t[len(t) - season + (i % season)] for i in range(horizon)]
        ),
        "naive": lambda t: np.repeat(t[-1], horizon),
    }  # fmt: skip
    out: dict[str, Any] = {}
    for window in ("tuning", "held out"):
        print(f"\n{window}: MASE, {horizon} months ahead")
        print(f"{'route':40}" + "".join(f"{m:>16}" for m in methods))
        table: dict[str, dict[str, float]] = {}
        for route, v in sorted(routes.items()):
            n = len(v)
            origins = range(n - 72 - horizon + 1, n - 36 - horizon + 1) if window == "tuning" \
                else range(n - 36 - horizon + 1, n - horizon + 1)  # fmt: skip
            errors: dict[str, list[float]] = {m: [] for m in methods}
            for origin in origins:
                train, actual = v[:origin], v[origin : origin + horizon]
                scale = float(np.mean(np.abs(train[season:] - train[:-season])))
                for name, f in methods.items():
                    errors[name].append(float(np.mean(np.abs(f(train) - actual))) / scale)
            table[route] = {m: round(float(np.mean(e)), 4) for m, e in errors.items()}
            print(f"{route:40}" + "".join(f"{table[route][m]:>16.3f}" for m in methods))
        wins = sum(1 for r in table.values() if r["ETS(A,N,A) log"] < r["seasonal naive"])
        print(f"ETS better than seasonal naive on {wins} of {len(table)} routes")
        out[window] = table
    return out


def bench_report(url: str | None) -> dict[str, Any]:
    import re

    from fastapi.testclient import TestClient

    from corridor.security import service as security
    from corridor.security.principal import SYSTEM
    from corridor.web.app import create_app

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="corridor-risk-") as tmp:
        node = _node(Path(tmp), url)
        for source in ("frontex-ibc", "iom-mmp"):
            with node.db.transaction() as session:
                service.import_file(session, actor=CLI, path=FILES[source], source=source)
        password = "bench password long enough"
        with node.db.transaction() as session:
            security.create_user(session, actor=SYSTEM, email="rau@bench.example",
                                 role="analyst", password=password)  # fmt: skip
        with TestClient(create_app(node), base_url="http://127.0.0.1:8080") as c:
            page = c.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            c.post("/login", data={"email": "rau@bench.example", "password": password,
                                   "csrf_token": token.group(1) if token else ""})  # fmt: skip
            for name, path in (("page, first", "/risk/report?month=2025-04"),
                               ("page, again", "/risk/report?month=2025-04"),
                               ("PDF", "/risk/report.pdf?month=2025-04")):  # fmt: skip
                w = time.perf_counter()
                r = c.get(path)
                wall = time.perf_counter() - w
                assert r.status_code == 200, r.text[-500:]
                out[name] = {"wall_s": round(wall, 2), "bytes": len(r.content)}
                print(f"{name:12} {wall:6.2f} s wall  {len(r.content):>9,} bytes  "
                      f"{benchlib.verdict(10 - wall, 0)}")  # fmt: skip
        node.close()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("what", choices=("import", "queries", "forecast", "report"))
    p.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL database")
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--repeats", type=int, default=40)
    p.add_argument("--json", type=Path)
    p.add_argument("--no-machine", action="store_true")
    args = p.parse_args()
    pg_url = os.environ.get("CORRIDOR_BENCH_DATABASE_URL", benchlib.DEFAULT_PG_URL)
    if not args.no_machine:
        benchlib.print_machine(pg_url)
    with benchlib.ScratchPostgres(pg_url) as scratch:
        url = scratch.create("risk") if args.postgres else None
        if args.what == "import":
            result = bench_import(url)
        elif args.what == "queries":
            result = bench_queries(url, args.rows, args.repeats)
        elif args.what == "report":
            result = bench_report(url)
        else:
            result = bench_forecast()
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
