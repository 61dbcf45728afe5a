"""Frontex monthly detections of illegal border crossings (the Migratory Map's data).

Two layouts of the same figures: the long table (`frontex-ibc`: route, border type,
nationality code, month, detections; as compiled by IOM GMDAC's gdidata) and Frontex's own
workbook (`frontex-ibc-wide`: sheet `Detections_of_IBC`, a title above the header, one column
per month such as JAN2009, nationalities as English names). Both give each figure the same key,
so importing one after the other changes nothing. Months without detections are not rows: the
long table leaves them out and the workbook's empty or zero cells are skipped."""

from __future__ import annotations

from pathlib import Path

from corridor.errors import InvalidInput
from corridor.risk.sources.columns import find, optional, position
from corridor.risk.sources.common import Figure, Items, count, country_code, month_of
from corridor.tabular import reading
from corridor.tabular.rows import RowError
from corridor.tabular.xlsx import sheets

INDICATOR = "illegal_border_crossings"
SHEET = "Detections_of_IBC"


def _border_type(value: str) -> str | None:
    text = value.strip().casefold()
    return text or None


def read_long(path: Path) -> Items:
    rows = reading.read_rows(path)
    headers = reading.headers(path)
    route_c = find(headers, "route")
    border_c = optional(headers, "border_type", "type", "border location")
    nat_c = find(headers, "nationality_iso3", "nat", "nationality")
    month_c = find(headers, "month", "t")
    value_c = find(headers, "detections", "n", "value")
    for row in rows:
        if isinstance(row, RowError):
            yield row
            continue
        v = row.values
        column = month_c
        try:
            year, month = month_of(v[month_c], month_c)
            column = nat_c
            nationality = country_code(v[nat_c], nat_c) if v[nat_c] else "OOO"
            column = value_c
            value = count(v[value_c], value_c, blank_is_zero=True)
        except ValueError as exc:
            yield RowError(row.number, column, str(exc))
            continue
        route = " ".join(v[route_c].split())
        if not route:
            yield RowError(row.number, route_c, f"{route_c}: a route is required")
            continue
        yield Figure(
            INDICATOR,
            year,
            value or 0.0,
            month=month,
            route=route[:120],
            border_type=_border_type(v[border_c]) if border_c else None,
            nationality=nationality,
            row=row.number,
        )


def _header_row(path: Path, sheet: str | None) -> tuple[int, list[str]]:
    for number, cells in reading.records(path, sheet=sheet):
        if isinstance(cells, str):
            continue
        if any(c.strip().casefold() == "route" for c in cells):
            return number, [c.strip() for c in cells]
        if number >= 20:
            break
    raise InvalidInput(
        "no header row with a 'Route' column in the first 20 rows: "
        "is this Frontex's 'Monthly detections of IBC' workbook?"
    )


def read_wide(path: Path) -> Items:
    sheet = None
    if reading.detect_format(path.name, _head(path)) == "xlsx":
        names = sheets(path)
        sheet = SHEET if SHEET in names else None
    header_at, header = _header_row(path, sheet)
    route_i = position(header, "route")
    border_c = optional(header, "border type or inland", "border location", "borderlocation")
    border_i = header.index(border_c) if border_c else None
    nat_i = position(header, "nationality", "nationalitylong")
    months: list[tuple[int, int, int]] = []
    for i, name in enumerate(header):
        if i in (route_i, border_i, nat_i) or not name:
            continue
        try:
            year, month = month_of(name, name)
        except ValueError:
            continue
        months.append((i, year, month))
    if not months:
        raise InvalidInput(f"the header (row {header_at}) has no month columns such as JAN2009")
    for number, cells in reading.records(path, sheet=sheet):
        if number <= header_at:
            continue
        if isinstance(cells, str):
            yield RowError(number, None, cells)
            continue
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        route = " ".join(cells[route_i].split())
        if not route or route.casefold() in ("total", "grand total"):
            continue
        try:
            nationality = country_code(cells[nat_i], header[nat_i]) if cells[nat_i] else "OOO"
        except ValueError as exc:
            yield RowError(number, header[nat_i], str(exc))
            continue
        border = _border_type(cells[border_i]) if border_i is not None else None
        for i, year, month in months:
            try:
                value = count(cells[i], header[i], blank_is_zero=True)
            except ValueError as exc:
                yield RowError(number, header[i], str(exc))
                continue
            if value:
                yield Figure(
                    INDICATOR,
                    year,
                    value,
                    month=month,
                    route=route[:120],
                    border_type=border,
                    nationality=nationality,
                    row=number,
                )


def _head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(64 * 1024)
