"""Any CSV or XLSX table of indicator figures, its columns named by a mapping.

A mapping says, per field of a figure, which column holds it or which value it has for every
row: `{"indicator": "refusals_of_entry", "period": "Month", "value": "Refused",
"country": {"value": "PAK"}, "nationality": "Citizenship"}`. A plain string is a column when
the file has one by that name, else (for `indicator` only) the value itself. Without a mapping
the columns are found by the fields' own names. `period` takes a year (2015), a month (2015-09,
SEP2015), a day (2015-09-02) or an ISO week (2015-W37, kept as its Monday).

A row whose indicator, period or value cannot be read is refused, naming the column; a value
that cannot be read in another column (an unknown nationality) is set aside and the row kept."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from corridor.errors import InvalidInput
from corridor.risk.sources.columns import optional
from corridor.risk.sources.common import (
    Figure,
    Items,
    coordinate,
    count,
    country_code,
    day_of,
    month_of,
    text_or_none,
    year_of,
)
from corridor.tabular import reading
from corridor.tabular.rows import Row, RowError

FIELDS = (
    "indicator",
    "period",
    "value",
    "route",
    "border_type",
    "country",
    "border_section",
    "crossing_point",
    "nationality",
    "sex",
    "age",
    "lat",
    "lon",
)
_REQUIRED = ("indicator", "period", "value")
_INDICATOR = re.compile(r"[a-z][a-z0-9_]{1,59}")
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})")


def indicator_name(text: str, column: str) -> str:
    """An indicator's name as stored: lower case, words joined by "_" ("Refusals of entry"
    → refusals_of_entry)."""
    name = re.sub(r"[^0-9a-z]+", "_", text.strip().casefold()).strip("_")
    if not _INDICATOR.fullmatch(name):
        raise ValueError(
            f"{column}: {text[:40]!r} is not an indicator name "
            "(letters, digits and _, e.g. refusals_of_entry)"
        )
    return name


class Mapping:
    """A checked mapping: per field, a column of the file or one value for every row."""

    def __init__(self, spec: dict[str, Any] | None, headers: list[str]) -> None:
        if spec is not None and not isinstance(spec, dict):
            raise InvalidInput("mapping: a JSON object of field → column is expected")
        spec = dict(spec or {})
        unknown = sorted(set(spec) - set(FIELDS) - {"dataset", "title", "source", "licence"})
        if unknown:
            raise InvalidInput(
                f"mapping: unknown field(s) {', '.join(unknown)}; the fields are "
                + ", ".join(FIELDS)
            )
        self.columns: dict[str, str] = {}
        self.values: dict[str, str] = {}
        for name in FIELDS:
            given = spec.get(name)
            if given is None:
                found = optional(headers, name, *(_ALSO.get(name, ())))
                if found:
                    self.columns[name] = found
                continue
            if isinstance(given, dict) and set(given) == {"value"}:
                self.values[name] = str(given["value"])
                continue
            if isinstance(given, dict) and set(given) == {"column"}:
                given = given["column"]
            if not isinstance(given, str) or not given.strip():
                raise InvalidInput(
                    f'mapping.{name}: give a column name or {{"value": …}}, not {given!r}'
                )
            if given in headers:
                self.columns[name] = given
            elif name == "indicator":
                self.values[name] = given
            else:
                raise InvalidInput(
                    f"mapping.{name}: the file has no column {given!r}; its columns are "
                    + ", ".join(map(repr, headers[:30]))
                )
        missing = [f for f in _REQUIRED if f not in self.columns and f not in self.values]
        if missing:
            raise InvalidInput(
                f"mapping: no column for {', '.join(missing)} (name the column in --mapping, "
                f"or give the file columns named so); its columns are "
                + ", ".join(map(repr, headers[:30]))
            )
        if "indicator" in self.values:
            indicator_name(self.values["indicator"], "mapping.indicator")

    def get(self, row: Row, name: str) -> tuple[str, str]:
        """The field's raw value in `row` and where it comes from (for error messages)."""
        if name in self.values:
            return self.values[name], f"mapping.{name}"
        column = self.columns.get(name)
        return (row.values.get(column, ""), column) if column else ("", name)


_ALSO = {
    "period": ("month", "date", "year", "week", "time", "time_period"),
    "value": ("count", "number", "total", "obs_value"),
    "nationality": ("citizenship", "nationality_iso3", "citizen"),
    "country": ("country_iso3", "geo"),
}


def _period(text: str, column: str) -> tuple[int, int | None, int | None]:
    value = text.strip()
    week = _WEEK.fullmatch(value)
    if week:
        try:
            monday = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        except ValueError:
            raise ValueError(f"{column}: {value[:40]!r} is not an ISO week") from None
        return monday.year, monday.month, monday.day
    if re.fullmatch(r"\d{4}(\.0)?", value):
        return year_of(value, column), None, None
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}([T ].*)?", value) or "," in value:
        day = day_of(value, column)
        return day.year, day.month, day.day
    year, month = month_of(value, column)
    return year, month, None


def read(path: Path, spec: dict[str, Any] | None) -> Items:
    mapping = Mapping(spec, reading.headers(path))
    for row in reading.read_rows(path):
        if isinstance(row, RowError):
            yield row
            continue
        yield from _figure(row, mapping)


def _figure(row: Row, mapping: Mapping) -> Items:
    column = ""
    try:
        raw, column = mapping.get(row, "indicator")
        indicator = indicator_name(raw, column)
        raw, column = mapping.get(row, "period")
        year, month, day = _period(raw, column)
        raw, column = mapping.get(row, "value")
        value = count(raw, column)
    except ValueError as exc:
        yield RowError(row.number, column, str(exc))
        return
    if value is None:
        yield RowError(row.number, column, f"{column}: a value is required")
        return
    fields: dict[str, Any] = {}
    for name in ("country", "nationality"):
        raw, column = mapping.get(row, name)
        if raw.strip():
            try:
                fields[name] = country_code(raw, column)
            except ValueError as exc:
                yield RowError(row.number, column, str(exc), kept=True)
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        raw, column = mapping.get(row, name)
        try:
            fields[name] = coordinate(raw, column, limit)
        except ValueError as exc:
            yield RowError(row.number, column, str(exc), kept=True)
    for name in ("route", "border_section", "crossing_point"):
        fields[name] = text_or_none(mapping.get(row, name)[0])
    for name, limit in (("border_type", 20), ("sex", 10), ("age", 20)):
        text = text_or_none(mapping.get(row, name)[0], limit)
        fields[name] = text.casefold() if text and name != "age" else text
    yield Figure(indicator, year, value, month=month, day=day, row=row.number, **fields)
