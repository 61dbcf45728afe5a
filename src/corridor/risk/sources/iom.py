"""IOM Missing Migrants Project: deaths and disappearances during migration, one row per
incident.

Three layouts: the compiled long table (date, incident_type, route, country_iso3,
dead_and_missing, cause, survivors, origin_iso3, location, lon, lat), the project's current
export (25 columns: "Incident ID", "Incident Date", "Total Number of Dead and Missing",
"Country of Incident", "Coordinates", …) and its export of January 2020 (20 columns: "Web ID",
"Reported Date" such as "January 25, 2020", "Location Coordinates", …). Each incident is one
figure of `dead_and_missing` on its day, with its place (coordinates as given: some are whole
degrees), route, country and, when one nationality is known, the nationality; its cause,
survivors and description are kept as detail. A value that cannot be read in an optional column
(an unknown country name, coordinates out of range) is set aside and the incident kept."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
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
    text_or_none,
)
from corridor.tabular import reading
from corridor.tabular.rows import Row, RowError

INDICATOR = "dead_and_missing"


class _Layout:
    def __init__(self, headers: list[str]) -> None:
        def col(*names: str) -> str | None:
            return optional(headers, *names)

        self.id = col("Incident ID", "Web ID", "Main ID")
        self.date = col("date", "Incident Date", "Reported Date")
        self.total = col(
            "dead_and_missing", "Total Number of Dead and Missing", "Total Dead and Missing"
        )
        self.dead = col("Number of Dead", "Number Dead")
        self.missing = col("Minimum Estimated Number of Missing")
        self.route = col("route", "Migration Route")
        self.country = col("country_iso3", "Country of Incident")
        self.origin = col("origin_iso3", "Country of Origin")
        self.region = col("Region of Incident")
        self.cause = col("cause", "Cause of Death")
        self.survivors = col("survivors", "Number of Survivors")
        self.location = col("location", "Location of Incident", "Location Description")
        self.kind = col("incident_type", "Incident Type")
        self.lon = col("lon", "longitude")
        self.lat = col("lat", "latitude")
        self.point = col("Coordinates", "Location Coordinates")
        missing = [n for n, c in (("date", self.date), ("dead and missing", self.total)) if not c]
        if missing and not (self.date and self.dead):
            raise InvalidInput(
                "this is not an IOM Missing Migrants file: no column for the "
                + " and ".join(missing)
                + f"; its columns are {', '.join(map(repr, headers[:25]))}"
            )


_POINT = re.compile(
    r"\s*(?:POINT\s*\(\s*(?P<plon>-?[\d.]+)\s+(?P<plat>-?[\d.]+)\s*\)"
    r"|(?P<lat>-?[\d.]+)\s*,\s*(?P<lon>-?[\d.]+))\s*",
    re.I,
)


def _point(text: str, column: str) -> tuple[float | None, float | None]:
    """ "lat, lon" as IOM's exports write it, or WKT "POINT (lon lat)"."""
    if not text.strip():
        return None, None
    m = _POINT.fullmatch(text)
    if not m:
        raise ValueError(f"{column}: {text[:40]!r} is not 'latitude, longitude'")
    lat = m.group("lat") or m.group("plat")
    lon = m.group("lon") or m.group("plon")
    return coordinate(lat, column, 90), coordinate(lon, column, 180)


def read(path: Path) -> Items:
    layout = _Layout(reading.headers(path))
    seen: Counter[tuple[str, ...]] = Counter()
    for row in reading.read_rows(path):
        if isinstance(row, RowError):
            yield row
            continue
        yield from _incident(row, layout, seen)


def _incident(row: Row, layout: _Layout, seen: Counter[tuple[str, ...]]) -> Items:
    v = row.values

    def get(column: str | None) -> str:
        return v.get(column, "") if column else ""

    assert layout.date is not None
    try:
        day = day_of(get(layout.date), layout.date)
        if layout.total and get(layout.total).strip():
            value = count(get(layout.total), layout.total)
        else:
            dead = count(get(layout.dead), layout.dead or "dead", blank_is_zero=True) or 0.0
            missing = count(get(layout.missing), layout.missing or "missing", blank_is_zero=True)
            value = dead + (missing or 0.0)
    except ValueError as exc:
        yield RowError(row.number, str(exc).split(":")[0], str(exc))
        return
    set_aside: list[RowError] = []

    def kept(column: str | None, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except ValueError as exc:
            set_aside.append(RowError(row.number, column, str(exc), kept=True))
            return None

    country = None
    country_c, origin_c = layout.country or "country", layout.origin or "origin"
    if get(layout.country).strip():
        country = kept(country_c, lambda: country_code(get(layout.country), country_c))
    origins = [o.strip() for o in re.split(r"[,;]", get(layout.origin)) if o.strip()]
    codes: list[str | None] = [
        kept(origin_c, lambda o=o: country_code(o, origin_c))  # type: ignore[misc]
        for o in origins
    ]
    known = sorted({c for c in codes if c and c != "UNK"})
    lat = lon = None
    if layout.lat and layout.lon:
        lat_c, lon_c = layout.lat, layout.lon
        lat = kept(lat_c, lambda: coordinate(get(lat_c), lat_c, 90))
        lon = kept(lon_c, lambda: coordinate(get(lon_c), lon_c, 180))
    elif layout.point:
        point_c = layout.point
        lat, lon = kept(point_c, lambda: _point(get(point_c), point_c)) or (None, None)
    survivors = kept(layout.survivors, lambda: count(get(layout.survivors), "survivors"))
    detail = {
        k: x
        for k, x in (
            ("id", text_or_none(get(layout.id), 40)),
            ("incident_type", text_or_none(get(layout.kind), 60)),
            ("cause", text_or_none(get(layout.cause), 300)),
            ("survivors", survivors),
            ("location", text_or_none(get(layout.location), 500)),
            ("region", text_or_none(get(layout.region), 120)),
            ("origins", [c for c in codes if c] if len(origins) > 1 else None),
        )
        if x is not None
    }
    if layout.id and get(layout.id).strip():
        identity: tuple[str, ...] = ("id", get(layout.id).strip())
    else:
        # No identifier in the compiled table: the incident is what it says, and the n-th of
        # identical rows stays the n-th when the file is imported again.
        identity = tuple(
            get(c)
            for c in (
                layout.kind,
                layout.cause,
                layout.location,
                layout.origin,
                layout.lon,
                layout.lat,
                layout.survivors,
                layout.total,
            )
        )
        seen[identity] += 1
        identity = (*identity, str(seen[identity]))
    yield from set_aside
    yield Figure(
        INDICATOR,
        day.year,
        value or 0.0,
        month=day.month,
        day=day.day,
        route=text_or_none(get(layout.route)),
        country=country,
        nationality=known[0] if len(known) == 1 and len(origins) == 1 else None,
        lat=lat,
        lon=lon,
        detail=detail or None,
        identity=identity,
        row=row.number,
    )
