"""Writing imported figures: each replaces the figure of the same key from an earlier import,
two figures of one file with the same key are the second refused (naming both rows), and the
dataset's coverage is kept up to date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.orm import Session

from corridor.db import RowInserter
from corridor.risk.models import Dataset, IndicatorRow
from corridor.risk.sources.common import Figure, Item
from corridor.tabular.rows import RowError

CHUNK = 5_000
# The refused rows an import remembers (all are counted).
KEPT_ERRORS = 1_000
_COLUMNS = (
    "dataset",
    "key",
    "indicator",
    "year",
    "month",
    "day",
    "route",
    "border_type",
    "country",
    "border_section",
    "crossing_point",
    "nationality",
    "sex",
    "age",
    "value",
    "aggregate",
    "lat",
    "lon",
    "detail",
    "import_id",
)
_insert = RowInserter(IndicatorRow.__table__, _COLUMNS)
_table = cast(Table, IndicatorRow.__table__)


@dataclass
class Written:
    stored: int = 0
    refused_rows: set[int] = field(default_factory=set)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    # indicator -> (first period, last period, finest kind)
    coverage: dict[str, list[Any]] = field(default_factory=dict)
    # indicator -> dimension -> the values seen (the workbench's lists)
    values: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def error(self, e: RowError) -> None:
        self.error_count += 1
        if not e.kept:
            self.refused_rows.add(e.row)
        if len(self.errors) < KEPT_ERRORS:
            item: dict[str, Any] = {"row": e.row, "column": e.column, "error": e.reason}
            if e.kept:
                item["kept"] = True
            self.errors.append(item)

    def cover(self, f: Figure) -> None:
        seen_values = self.values.setdefault(f.indicator, {d: set() for d in DIMENSIONS})
        for dimension in DIMENSIONS:
            value = getattr(f, _FIELD[dimension])
            if value is not None:
                seen_values[dimension].add(value)
        when = [f.year, f.month or 0, f.day or 0]
        finest = "day" if f.day else "month" if f.month else "year"
        seen = self.coverage.get(f.indicator)
        if seen is None:
            self.coverage[f.indicator] = [when, when, finest]
            return
        if when < seen[0]:
            seen[0] = when
        if when > seen[1]:
            seen[1] = when
        if _FINER[finest] > _FINER[seen[2]]:
            seen[2] = finest


_FINER = {"year": 0, "month": 1, "day": 2}
# The dimensions whose values the dataset lists per indicator (coverage), at most MAX_VALUES.
DIMENSIONS = ("routes", "nationalities", "countries")
_FIELD = {"routes": "route", "nationalities": "nationality", "countries": "country"}
MAX_VALUES = 2_000


def _chunks(items: Iterable[Item], written: Written) -> Iterator[list[Figure]]:
    chunk: list[Figure] = []
    for item in items:
        if isinstance(item, RowError):
            written.error(item)
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write(session: Session, *, dataset: str, import_id: int, items: Iterable[Item]) -> Written:
    """Store the figures of one import (in the caller's transaction: all or nothing)."""
    written = Written()
    earlier: dict[str, int] = {}  # key -> row, within this chunk
    for chunk in _chunks(items, written):
        keyed = [(f, f.key()) for f in chunk]
        earlier.clear()
        for f, key in keyed:
            if key in earlier:
                written.error(_repeated(f, earlier[key]))
            else:
                earlier[key] = f.row
        # The figures stored already with a key of this chunk: from an earlier import (they
        # are replaced) or from an earlier chunk of this one (repeated rows, refused).
        found = session.execute(
            select(_table.c.key, _table.c.import_id).where(
                _table.c.dataset == dataset,
                _table.c.key.in_(bindparam("keys", expanding=True)),
            ),
            {"keys": list(earlier)},
        )
        stored: dict[str, int] = {key: import_of for key, import_of in found}
        again = {k for k, i in stored.items() if i == import_id}
        rows = []
        for f, key in keyed:
            if earlier.get(key) != f.row:
                continue  # a repeat within the chunk, refused above
            if key in again:
                written.error(_repeated(f, None))
                continue
            earlier[key] = -1  # a second figure of the same row and key is a repeat too
            written.cover(f)
            rows.append(
                (
                    dataset, key, f.indicator, f.year, f.month, f.day, f.route, f.border_type,
                    f.country, f.border_section, f.crossing_point, f.nationality, f.sex, f.age,
                    f.value, f.aggregate, f.lat, f.lon, f.detail, import_id,
                )
            )  # fmt: skip
        replaced = [r[1] for r in rows if r[1] in stored]
        if replaced:
            session.execute(
                delete(_table).where(
                    _table.c.dataset == dataset,
                    _table.c.key.in_(bindparam("keys", expanding=True)),
                ),
                {"keys": replaced},
            )
        _insert(session, rows)
        written.stored += len(rows)
    return written


def _repeated(f: Figure, first: int | None) -> RowError:
    where = f"row {first}" if first else "an earlier row"
    month = f"-{f.month:02d}" if f.month else ""
    return RowError(
        f.row,
        None,
        f"repeats {where}: the same indicator, period, place and people "
        f"({f.indicator}, {f.year}{month}); map the column that "
        "tells them apart",
    )


def record_dataset(session: Session, dataset: Dataset, written: Written) -> None:
    """The dataset's row count and coverage after an import."""
    dataset.rows = (
        session.scalar(
            select(func.count()).select_from(_table).where(_table.c.dataset == dataset.id)
        )
        or 0
    )
    coverage = dict(dataset.coverage or {})
    for indicator, (first, last, finest) in written.coverage.items():
        seen = coverage.get(indicator) or {}
        if seen:
            first = min(first, seen["first"])
            last = max(last, seen["last"])
            finest = max(finest, seen["finest"], key=_FINER.__getitem__)
        lists = {
            d: sorted(set(seen.get(d, [])) | written.values.get(indicator, {}).get(d, set()))[
                :MAX_VALUES
            ]
            for d in DIMENSIONS
        }
        coverage[indicator] = {"first": first, "last": last, "finest": finest, **lists}
    dataset.coverage = coverage
