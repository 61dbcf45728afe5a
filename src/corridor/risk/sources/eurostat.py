"""Eurostat first-time asylum applications (migr_asyappctza and its monthly sibling).

Two layouts: the plain table (destination_iso3, year, nationality_iso3, sex, applications) and
Eurostat's own SDMX-CSV download (geo, citizen, sex, TIME_PERIOD, OBS_VALUE, with applicant,
age and unit columns; alpha-2 codes, EU aggregates such as EU27_2020). Totals over countries
(EU27, TOTAL, EXT_EU27_2020) are kept as aggregate figures, left out of sums unless asked for,
so that a sum over destinations does not count every application twice."""

from __future__ import annotations

from pathlib import Path

from corridor.risk.sources.columns import find, optional
from corridor.risk.sources.common import Figure, Items, count, country_code, month_of, year_of
from corridor.tabular import reading
from corridor.tabular.rows import Row, RowError

INDICATOR = "asylum_applications"
_SEX = {"f": "female", "m": "male", "t": None, "total": None, "unk": "unknown", "u": "unknown"}
# Eurostat's codes of groups of countries (and totals): aggregates, not a country.
_GROUPS = ("EU", "EA", "EFTA", "TOTAL", "EXT_")


def _place(code: str, column: str) -> tuple[str, bool]:
    """A country's alpha-3 code, or a group's own code marked as an aggregate."""
    text = code.strip().upper()
    if text.startswith(_GROUPS):
        return ("EU27" if text.startswith("EU27") else text[:8]), True
    if text == "STLS":
        return "STL", False
    if text == "EL":  # Eurostat writes Greece EL, ISO GR
        text = "GR"
    if text == "UK":
        text = "GB"
    return country_code(text, column), False


def read(path: Path) -> Items:
    headers = reading.headers(path)
    sdmx = optional(headers, "OBS_VALUE") is not None
    geo = find(headers, "destination_iso3", "geo", "destination", "country")
    citizen = find(headers, "nationality_iso3", "citizen", "nationality")
    sex = optional(headers, "sex")
    period = find(headers, "year", "TIME_PERIOD", "time")
    value = find(headers, "applications", "OBS_VALUE", "value")
    applicant = optional(headers, "applicant") if sdmx else None
    age = optional(headers, "age") if sdmx else None
    for row in reading.read_rows(path):
        if isinstance(row, RowError):
            yield row
            continue
        if applicant and row.values[applicant].strip().upper() not in ("FRST", ""):
            continue  # first-time applicants only, like the plain table
        if age and row.values[age].strip().upper() not in ("TOTAL", ""):
            continue
        yield from _figure(row, geo, citizen, sex, period, value)


def _figure(row: Row, geo: str, citizen: str, sex: str | None, period: str, value_c: str) -> Items:
    v = row.values
    column = period
    try:
        text = v[period].strip()
        month = None
        if len(text) > 4:
            year, month = month_of(text.replace("M", "-"), period)
        else:
            year = year_of(text, period)
        column = geo
        country, aggregate = _place(v[geo], geo)
        column = citizen
        nationality, group = _place(v[citizen], citizen)
        column = value_c
        value = count(v[value_c], value_c)
    except ValueError as exc:
        yield RowError(row.number, column, str(exc))
        return
    if value is None:
        return  # ":" not available: no figure
    sex_value = None
    if sex:
        raw = v[sex].strip().lower()
        sex_value = _SEX.get(raw, raw[:10] or None)
        if raw in ("t", "total"):
            # Both sexes: a total of the other rows when the table has them.
            group = True
    yield Figure(
        INDICATOR,
        year,
        value,
        month=month,
        country=country,
        nationality=nationality,
        sex=sex_value,
        aggregate=aggregate or group,
        row=row.number,
    )
