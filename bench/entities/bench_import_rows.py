"""Rows kept and refused when the public linkage files are imported with a column mapping
(issue 24: an import keeps every row that identifies someone).

    .venv/bin/python bench/entities/bench_import_rows.py

Reads FEBRL 4a, 4b and fake_1000 (../shared/data/linkage) with the import's own reader
(`tabular.read_rows`) and maps every row with `columns.apply_row` and the mappings below, as an
import of these files would: rows refused, rows imported with a note (a value kept as typed,
by its column; a missing name, as ""), entities made."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datasets import DATA_DIR

import benchlib
from corridor.entities.imports.columns import apply_row, parse_mapping
from corridor.tabular.reading import read_rows
from corridor.tabular.rows import RowError

FEBRL = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["rec_id"],
            "properties": {
                "name": {"columns": ["given_name", "surname"], "join": " "},
                "firstName": {"column": "given_name"},
                "lastName": {"column": "surname"},
                "birthDate": {"column": "date_of_birth", "format": "%Y%m%d"},
                "idNumber": {"column": "soc_sec_id"},
                "address": {
                    "columns": ["street_number", "address_1", "suburb", "postcode", "state"],
                    "join": " ",
                },
                "country": {"const": "au"},
            },
        }
    }
}
FAKE_1000 = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["unique_id"],
            "properties": {
                "name": {"columns": ["first_name", "surname"], "join": " "},
                "firstName": {"column": "first_name"},
                "lastName": {"column": "surname"},
                "birthDate": {"column": "dob"},
                "address": {"column": "city"},
                "email": {"column": "email"},
            },
        }
    }
}


def run(filename: str, spec: dict[str, object]) -> None:
    mapping = parse_mapping(spec)
    rows = refused = kept_rows = entities = 0
    columns: Counter[str] = Counter()
    cpu0 = time.process_time()
    for row in read_rows(DATA_DIR / filename):
        rows += 1
        if isinstance(row, RowError):
            refused += 1
            continue
        mapped = apply_row(mapping, row, namespace="bench", default_region="au")
        if isinstance(mapped, RowError):
            refused += 1
            continue
        entities += len(mapped[0])
        kept_rows += bool(mapped[1])
        columns.update(k.column or "" for k in mapped[1])
    cpu = time.process_time() - cpu0
    print(
        f"{filename:<22} {rows:>6,} rows  refused {refused:>3}  imported with a note "
        f"{kept_rows:>3} {dict(columns)}  entities {entities:,}  "
        f"{1e6 * cpu / max(rows, 1):.0f} µs CPU/row"
    )


def main() -> int:
    benchlib.print_machine(None)
    print()
    run("febrl-dataset4a.csv", FEBRL)
    run("febrl-dataset4b.csv", FEBRL)
    run("fake_1000.csv", FAKE_1000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
