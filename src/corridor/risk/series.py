"""Time series of an indicator: sums per period over the figures a filter selects.

One series comes from one dataset (two datasets of the same indicator, such as IOM's two
exports, would count an incident twice): the dataset named, else the one with the most figures
of the indicator. A series runs from the first period with a figure of the selection to the
last period the dataset covers; periods in between without a figure count zero (the sources
leave out months without detections). Totals of
other figures (`aggregate`: Eurostat's EU27) are left out, unless the filter names such a
total (country=EU27), which then is the only figure used."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, and_, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from corridor.errors import InvalidInput, NotFound
from corridor.risk import rollup
from corridor.risk.models import Dataset, IndicatorRow, Rollup
from corridor.risk.sources.common import country_code
from corridor.risk.sources.mapped import indicator_name

PERIODS = ("day", "month", "quarter", "year")
_FINER = {"year": 0, "quarter": 1, "month": 1, "day": 2}
_AGGREGATE_CODES = ("EU27", "TOTAL")
_t = IndicatorRow.__table__.c
_r = Rollup.__table__.c


@dataclass(frozen=True)
class Filter:
    """What a series counts: an indicator in one dataset, optionally one route, border type,
    country (where), nationality and sex."""

    indicator: str
    dataset: str | None = None
    route: str | None = None
    border_type: str | None = None
    country: str | None = None
    nationality: str | None = None
    sex: str | None = None
    # The purposes of the reader: a dataset labelled for another purpose is not there for them
    # (None: every dataset, for the node's own work such as the rollup).
    purposes: frozenset[str] | None = None

    def read_by(self, purposes: frozenset[str]) -> Filter:
        return dataclasses.replace(self, purposes=purposes)

    @classmethod
    def parse(cls, **given: str | None) -> Filter:
        """From query parameters as typed: codes or English names of countries, any case of a
        route; InvalidInput naming the parameter otherwise."""
        indicator = given.get("indicator") or ""
        try:
            name = indicator_name(indicator, "indicator")
        except ValueError as exc:
            raise InvalidInput(str(exc), field="indicator") from None
        codes: dict[str, str | None] = {}
        for key in ("country", "nationality"):
            value = (given.get(key) or "").strip()
            if not value:
                codes[key] = None
                continue
            try:
                codes[key] = country_code(value, key)
            except ValueError as exc:
                raise InvalidInput(str(exc), field=key) from None
        text = {
            k: " ".join((given.get(k) or "").split()) or None
            for k in ("route", "border_type", "sex", "dataset")
        }
        return cls(
            indicator=name,
            dataset=text["dataset"],
            route=text["route"],
            border_type=text["border_type"].casefold() if text["border_type"] else None,
            country=codes["country"],
            nationality=codes["nationality"],
            sex=text["sex"].casefold() if text["sex"] else None,
        )


@dataclass(frozen=True)
class Series:
    filter: Filter
    dataset: Dataset
    period: str
    # (period label, value), every period of the coverage in order.
    points: list[tuple[str, float]]

    def items(self) -> list[dict[str, Any]]:
        return [{"period": p, "value": number(v)} for p, v in self.points]


def number(value: float) -> int | float:
    """A count as it is written: 885386, not 885386.0."""
    return int(value) if float(value).is_integer() else round(value, 3)


def readable(dataset: Dataset, purposes: frozenset[str] | None) -> bool:
    """Whether a reader of these purposes sees the dataset (its purpose label)."""
    return purposes is None or dataset.purpose in purposes


def choose_dataset(session: Session, f: Filter) -> Dataset:
    datasets = [
        d
        for d in session.scalars(select(Dataset))
        if f.indicator in (d.coverage or {}) and readable(d, f.purposes)
    ]
    if f.dataset:
        for d in datasets:
            if d.id == f.dataset:
                return d
        known = session.get(Dataset, f.dataset)
        if known is None or not readable(known, f.purposes):
            raise InvalidInput(f"dataset: no dataset {f.dataset!r} on this node", field="dataset")
        raise InvalidInput(
            f"indicator: dataset {f.dataset!r} has no figures of {f.indicator}; it has "
            + ", ".join(sorted(known.coverage or {})),
            field="indicator",
        )
    if not datasets:
        raise NotFound(
            f"no figures of {f.indicator} on this node: import a source first "
            "(corridor indicators import FILE --source …)"
        )
    return max(datasets, key=lambda d: (d.rows, d.id))


def _canonical_route(session: Session, dataset: Dataset, f: Filter) -> str | None:
    """The route as the source writes it, whatever the case the user typed (from the routes
    the dataset lists, else from its rollup: never a scan of the figures)."""
    if f.route is None:
        return None
    routes = dataset.coverage.get(f.indicator, {}).get("routes")
    if routes is None:
        routes = session.scalars(
            select(_r.route).where(_r.dataset == dataset.id, _r.indicator == f.indicator).distinct()
        ).all()
    for route in routes:
        if route and route.casefold() == f.route.casefold():
            return str(route)
    return f.route


def resolve(session: Session, f: Filter) -> tuple[Dataset, Filter]:
    """The dataset a filter reads and the filter with the route as the source writes it."""
    dataset = choose_dataset(session, f)
    return dataset, dataclasses.replace(f, route=_canonical_route(session, dataset, f))


def conditions(dataset: Dataset, f: Filter) -> list[ColumnElement[bool]]:
    """The WHERE of a resolved filter (`resolve`)."""
    where: list[ColumnElement[bool]] = [_t.dataset == dataset.id, _t.indicator == f.indicator]
    for column, value in (
        (_t.route, f.route),
        (_t.border_type, f.border_type),
        (_t.country, f.country),
        (_t.nationality, f.nationality),
        (_t.sex, f.sex),
    ):
        if value is not None:
            where.append(column == value)
    names_total = f.country in _AGGREGATE_CODES or f.nationality in _AGGREGATE_CODES
    where.append(_t.aggregate.is_(names_total))
    return where


def series(session: Session, f: Filter, period: str = "month") -> Series:
    if period not in PERIODS:
        raise InvalidInput(f"period: {period!r} is not one of {', '.join(PERIODS)}", field="period")
    dataset, f = resolve(session, f)
    cover = dataset.coverage[f.indicator]
    if _FINER[period] > _FINER[cover["finest"]]:
        raise InvalidInput(
            f"period: {f.indicator} in {dataset.id} is counted per {cover['finest']}; "
            f"ask for period=year" + ("" if cover["finest"] == "year" else " or coarser"),
            field="period",
        )
    # A selection by nothing below the route reads the rollup (rollup.py): the same sums.
    if rollup.covers(f.nationality, f.country, f.sex):
        c: Any = _r
        where: list[ColumnElement[bool]] = [_r.dataset == dataset.id, _r.indicator == f.indicator]
        where += [col == v for col, v in ((_r.route, f.route), (_r.border_type, f.border_type))
                  if v is not None]  # fmt: skip
    else:
        c, where = _t, conditions(dataset, f)
    keys: list[Any] = [c.year]
    if period in ("month", "day"):
        keys.append(c.month)
    if period == "quarter":
        keys.append(cast((c.month - 1) / 3, Integer))
    if period == "day":
        keys.append(c.day)
    query = select(*keys, func.sum(c.value)).where(and_(*where)).group_by(*keys)
    sums = {tuple(row[:-1]): float(row[-1] or 0) for row in session.execute(query)}
    if not sums:
        return Series(f, dataset, period, [])
    first = min(sums)
    start = [first[0], 1, 1]
    if period == "quarter":
        start[1] = first[1] * 3 + 1
    elif period in ("month", "day"):
        start[1] = first[1]
        if period == "day":
            start[2] = first[2]
    return Series(f, dataset, period, _fill(sums, period, start, cover["last"]))


def _fill(
    sums: dict[tuple[Any, ...], float], period: str, first: Sequence[int], last: Sequence[int]
) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    if period == "year":
        for year in range(first[0], last[0] + 1):
            out.append((str(year), sums.get((year,), 0.0)))
    elif period == "quarter":
        start = first[0] * 4 + (max(first[1], 1) - 1) // 3
        end = last[0] * 4 + (max(last[1], 1) - 1) // 3
        for q in range(start, end + 1):
            year, quarter = divmod(q, 4)
            out.append((f"{year}-Q{quarter + 1}", sums.get((year, quarter), 0.0)))
    elif period == "month":
        start = first[0] * 12 + first[1] - 1
        end = last[0] * 12 + last[1] - 1
        for m in range(start, end + 1):
            year, month = divmod(m, 12)
            out.append((f"{year}-{month + 1:02d}", sums.get((year, month + 1), 0.0)))
    else:
        day = date(*first)
        while day <= date(*last):
            out.append((day.isoformat(), sums.get((day.year, day.month, day.day), 0.0)))
            day += timedelta(days=1)
    return out
