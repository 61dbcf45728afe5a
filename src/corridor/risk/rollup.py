"""The rollup of a dataset (models.Rollup): rebuilt after each import, read by the series that
filter by nothing below the route (a route's, a border type's, an indicator's whole series)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from corridor.risk.models import IndicatorRow, Rollup

_t = cast(Table, IndicatorRow.__table__)
_r = cast(Table, Rollup.__table__)
_KEYS = ("indicator", "route", "border_type", "year", "month", "day")


def rebuild(session: Session, dataset: str) -> None:
    """One INSERT … SELECT … GROUP BY in the database (no row passes through Python)."""
    session.execute(delete(_r).where(_r.c.dataset == dataset))
    keys = [_t.c[k] for k in _KEYS]
    sums = (
        select(_t.c.dataset, *keys, func.sum(_t.c.value), func.count())
        .where(_t.c.dataset == dataset, _t.c.aggregate.is_(False))
        .group_by(_t.c.dataset, *keys)
    )
    session.execute(insert(_r).from_select(["dataset", *_KEYS, "value", "figures"], sums))


def covers(nationality: str | None, country: str | None, sex: str | None) -> bool:
    """Whether a series with these filters can be read from the rollup."""
    return nationality is None and country is None and sex is None
