"""Parse + map throughput of the import readers (no database): rows/s and entities/s.

    nice .venv/bin/python bench/entities/bench_parse.py [--rows 200000] [--formats csv,xlsx]
        [--rounds 2] [--profile]

Generates a synthetic person spreadsheet (`--rows` rows: name in Latin or Arabic script, birth
date dd/mm/yyyy, nationality by name, two phones in national or international notation, a
passport number on 60 % of rows, a few bad rows) as a UTF-8 CSV and as an XLSX workbook, then
times, per format:

- parse: `tabular.read_rows` over the whole file (encoding check, delimiter sniffing, limits);
- parse + map: the same with `mapping.apply` for each row (a Person and, when the row has a
  passport number, a Passport held by that person: about 1.6 entities per row);
- parse + map + prepare: all that an import's mapping worker does, chunk by chunk (the above,
  plus the search index terms, statement ids and captions of every entity): the import can
  write no faster than this (bench_import.py).

The whole import pipeline targets >= 10,000 entities/s into SQLite; the reader and mapper must
run well above that so the store has the time. The best of `--rounds` rounds is reported,
with entities per CPU-second of this process (what an idle core would give: on a shared
machine the wall-clock rate drops with other work, the CPU rate much less).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import csv
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import FAMILY, GIVEN

import benchlib
from corridor.entities import store
from corridor.entities.imports import columns as mapping_module
from corridor.entities.imports import runner as imports
from corridor.entities.imports.columns import apply, parse_mapping
from corridor.entities.search import names, skeletons
from corridor.tabular.reading import read_rows
from corridor.tabular.rows import RowError

TARGET = 10_000.0
HEADERS = ["Full Name", "DOB", "Nationality", "Phone 1", "Phone 2", "Passport No", "Remarks"]
NATIONALITIES = ["Pakistan", "Afghanistan", "Iran", "Syria", "Iraq", "Türkiye", "PK", "AFG"]
MAPPING: dict[str, Any] = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["Full Name", "DOB", "Passport No"],
            "properties": {
                "name": {"column": "Full Name"},
                "birthDate": {"column": "DOB", "format": "%d/%m/%Y"},
                "nationality": {"column": "Nationality"},
                "phone": {"columns": ["Phone 1", "Phone 2"]},
                "passportNumber": {"column": "Passport No"},
                "notes": {"column": "Remarks"},
            },
        },
        "passport": {
            "schema": "Passport",
            "keys": ["Passport No"],
            "optional": True,
            "properties": {
                "number": {"column": "Passport No"},
                "holder": {"entity": "person"},
            },
        },
    }
}


def _phone(rng: random.Random, nationality: str) -> str:
    """Pakistani numbers in national notation only for Pakistani nationals (their nationality
    tells the mapper the country), Greek ones (the node's country) for anyone."""
    kind = rng.random()
    mobile = f"3{rng.randint(0, 4)}{rng.randint(0, 9)} {rng.randint(1_000_000, 9_999_999)}"
    if kind < 0.4 and nationality in ("Pakistan", "PK"):
        return "0" + mobile
    if kind < 0.7:
        return "+92 " + mobile
    if kind < 0.9:
        return f"69{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    return ""


def make_rows(n: int, seed: int = 11) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for i in range(n):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        if rng.random() < 0.3:
            name = f"{given[0]} {family[0]}"
        else:
            name = f"{rng.choice(given[1])} {rng.choice(family[1])}"
        dob = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1950, 2008)}"
        if i % 1000 == 999:
            dob = "31/02/1990"  # a bad row every thousand: reported, not imported
        passport = f"{rng.choice('ABCDEFGH')}{rng.randint(1_000_000, 9_999_999)}"
        nationality = rng.choice(NATIONALITIES)
        rows.append(
            [
                name,
                dob,
                nationality,
                _phone(rng, nationality),
                _phone(rng, nationality),
                passport if rng.random() < 0.6 else "",
                "seen at the border crossing" if rng.random() < 0.1 else "",
            ]
        )
    return rows


def write_files(rows: list[list[object]], folder: Path) -> dict[str, Path]:
    csv_path = folder / "people.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    xlsx_path = folder / "people.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("People")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(xlsx_path)
    return {"csv": csv_path, "xlsx": xlsx_path}


def parse_only(path: Path) -> tuple[int, int]:
    rows = 0
    for _ in read_rows(path):
        rows += 1
    return rows, 0


def parse_and_map(path: Path, spec: dict[str, Any] = MAPPING) -> tuple[int, int]:
    mapping = parse_mapping(spec)
    rows = entities = 0
    for row in read_rows(path):
        rows += 1
        if isinstance(row, RowError):
            continue
        result = apply(mapping, row, namespace="bench-case", default_region="gr")
        if not isinstance(result, RowError):
            entities += len(result)
    return rows, entities


def parse_map_prepare(path: Path) -> tuple[int, int]:
    source = store.Source("import", "0" * 64, path.name)
    job = imports._Job(path, path.suffix[1:], MAPPING, "bench-case", "gr", source)
    rows = entities = 0
    for raw in imports._raw_chunks(job):
        for _, item in imports._prepare_chunk(job, raw):
            rows += 1
            if isinstance(item, list):
                entities += len(item)
    return rows, entities


def parse_and_map_without_phones(path: Path) -> tuple[int, int]:
    """The same without the phone columns: phonenumbers' parser (pure Python, about 20 µs a
    parse, two parses for a number in another country's national notation) is most of the
    mapping time when rows carry phones."""
    spec = copy.deepcopy(MAPPING)
    del spec["entities"]["person"]["properties"]["phone"]
    return parse_and_map(path, spec)


def _cold() -> None:
    """Empty the cleaning and name caches: each round sees the values for the first time, as
    an import of new data does (warm, a second round ran up to twice as fast)."""
    for cached in (
        mapping_module._clean_value,
        mapping_module._clean_phone,
        names.name_parts,
        names._part,
        names._latin_tokens,
        skeletons.latin_skeleton,
        skeletons.arabic_skeleton,
    ):
        cached.cache_clear()


def best_of(rounds: int, run: Callable[[Path], tuple[int, int]], path: Path) -> dict[str, float]:
    times = []
    cpu = []
    counts = (0, 0)
    for _ in range(rounds):
        _cold()
        start, start_cpu = time.perf_counter(), time.process_time()
        counts = run(path)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    best = min(times)
    return {
        "rows": counts[0],
        "entities": counts[1],
        "seconds": best,
        "rows_s": counts[0] / best,
        "entities_s": counts[1] / best,
        "entities_cpu_s": counts[1] / min(cpu),
        "all": times,  # type: ignore[dict-item]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="profile parse + map of the CSV")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]

    benchlib.print_machine(pg_url=None)
    print(f"== parse + map, {args.rows:,} rows, best of {args.rounds} round(s)")
    with tempfile.TemporaryDirectory(prefix="corridor-bench-parse-") as tmp:
        start = time.perf_counter()
        paths = write_files(make_rows(args.rows), Path(tmp))
        sizes = ", ".join(f"{f} {p.stat().st_size / 2**20:.1f} MiB" for f, p in paths.items())
        print(f"  generated in {time.perf_counter() - start:.1f} s ({sizes})")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(parse_and_map, paths["csv"])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        summary = []
        for fmt in formats:
            parsed = best_of(args.rounds, parse_only, paths[fmt])
            mapped = best_of(args.rounds, parse_and_map, paths[fmt])
            print(
                f"  {fmt:4}  parse        {parsed['rows_s']:>9,.0f} rows/s"
                f"   ({parsed['rows']:,} rows in {parsed['seconds']:.2f} s)"
            )
            print(
                f"  {fmt:4}  parse + map  {mapped['rows_s']:>9,.0f} rows/s"
                f"  {mapped['entities_s']:>9,.0f} entities/s"
                f"  {mapped['entities_cpu_s']:>9,.0f} entities/CPU-s"
                f"   ({mapped['entities']:,} entities in {mapped['seconds']:.2f} s;"
                f" rounds {', '.join(f'{t:.2f}' for t in mapped['all'])} s)"  # type: ignore[attr-defined]
            )
            prepared = best_of(args.rounds, parse_map_prepare, paths[fmt])
            print(
                f"  {fmt:4}  … + prepare  {prepared['rows_s']:>9,.0f} rows/s"
                f"  {prepared['entities_s']:>9,.0f} entities/s"
                f"  {prepared['entities_cpu_s']:>9,.0f} entities/CPU-s"
                "   (all the import worker does)"
            )
            summary.append((fmt, mapped["entities_s"], mapped["entities_cpu_s"]))
            if fmt == "csv":
                bare = best_of(args.rounds, parse_and_map_without_phones, paths[fmt])
                print(
                    f"  {fmt:4}  … no phones  {bare['rows_s']:>9,.0f} rows/s"
                    f"  {bare['entities_s']:>9,.0f} entities/s"
                    f"  {bare['entities_cpu_s']:>9,.0f} entities/CPU-s"
                )
    print()
    print("== summary (target: well above the pipeline's 10,000 entities/s)")
    for fmt, rate, cpu_rate in summary:
        print(
            f"  {fmt:4}  parse + map {rate:>9,.0f} entities/s ({cpu_rate:,.0f} per CPU-second,"
            f" what an idle core gives)  {benchlib.verdict(rate, TARGET)}"
        )


if __name__ == "__main__":
    main()
