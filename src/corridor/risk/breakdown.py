"""Breakdowns: which nationalities (routes, countries) make up an indicator over a window,
their shares, and how each changed on the window before: the "top nationalities per route" of
a periodic analysis, and route × nationality tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput
from corridor.risk import rollup
from corridor.risk.models import IndicatorRow, Rollup
from corridor.risk.series import Filter, conditions, number, resolve
from corridor.risk.sources.common import code_name

BY = ("nationality", "route", "country", "border_type", "sex")
_t = IndicatorRow.__table__.c
_r = Rollup.__table__.c


@dataclass(frozen=True)
class Part:
    key: str | None
    value: float
    previous: float

    def to_dict(self, total: float) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": _name(self.key),
            "value": number(self.value),
            "share": round(self.value / total, 4) if total else None,
            "previous": number(self.previous),
            "change": round((self.value - self.previous) / self.previous, 4)
            if self.previous
            else None,
        }


def _rolled(dataset: Any, f: Filter) -> list[Any]:
    where = [_r.dataset == dataset.id, _r.indicator == f.indicator]
    if f.route is not None:
        where.append(_r.route == f.route)
    if f.border_type is not None:
        where.append(_r.border_type == f.border_type)
    return where


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def breakdown(
    session: Session,
    f: Filter,
    *,
    by: str = "nationality",
    months: int = 12,
    top: int = 10,
    until: str | None = None,
) -> dict[str, Any]:
    """The `top` parts over the last `months` months the dataset covers, or those up to the
    month `until` ("2025-04"; whole years for a yearly dataset), with the same window before
    for comparison; the rest summed as one."""
    if by not in BY:
        raise InvalidInput(f"by: one of {', '.join(BY)}", field="by")
    if not 1 <= months <= 120:
        raise InvalidInput("months: 1 to 120", field="months")
    if not 1 <= top <= 100:
        raise InvalidInput("top: 1 to 100", field="top")
    dataset, f = resolve(session, f)
    cover = dataset.coverage[f.indicator]
    yearly = cover["finest"] == "year"
    last_year, last_month = cover["last"][0], cover["last"][1] or 12
    if until is not None:
        last_year, last_month = int(until[:4]), int(until[5:7])
    if yearly:
        span = max(1, months // 12)
        end = _month_index(last_year, 12)
        start = end - 12 * span + 1
    else:
        end = _month_index(last_year, last_month)
        start = end - months + 1
    before = start - (end - start + 1)
    # Routes and border types of a selection by nothing below the route: from the rollup
    # (a few hundred sums instead of every figure of the window).
    rolled = by in ("route", "border_type") and rollup.covers(f.nationality, f.country, f.sex)
    c: Any = _r if rolled else _t
    where = _rolled(dataset, f) if rolled else conditions(dataset, f)
    column = getattr(c, by)
    index = c.year * 12 + func.coalesce(c.month, 1) - 1
    query = (
        select(
            column,
            func.sum(c.value).filter(index >= start),
            func.sum(c.value).filter(index < start),
        )
        .where(and_(*where), index >= before, index <= end)
        .group_by(column)
    )
    rows = [Part(k, float(now or 0), float(prev or 0)) for k, now, prev in session.execute(query)]
    rows.sort(key=lambda p: (-p.value, -p.previous, p.key or ""))
    total = sum(p.value for p in rows)
    shown, rest = rows[:top], rows[top:]
    items = [p.to_dict(total) for p in shown if p.value or p.previous]
    if rest:
        other = Part(None, sum(p.value for p in rest), sum(p.previous for p in rest))
        items.append({**other.to_dict(total), "key": None, "name": None, "others": len(rest)})
    return {
        "dataset": dataset,
        "by": by,
        "window": {"from": _label(start), "to": _label(end)},
        "before": {"from": _label(before), "to": _label(start - 1)},
        "total": number(total),
        "items": items,
    }


def matrix(
    session: Session,
    f: Filter,
    *,
    rows: str = "route",
    columns: str = "nationality",
    months: int = 12,
    top_rows: int = 10,
    top_columns: int = 8,
) -> dict[str, Any]:
    """A two-way breakdown over the last `months` months the dataset covers (route ×
    nationality): the largest rows and columns, each cell's value, the rest of each summed as
    one ("others", key None with `others` the count)."""
    if rows not in BY or columns not in BY or rows == columns:
        raise InvalidInput(
            f"columns: two different ones of {', '.join(BY)}",
            field="columns" if rows in BY else "rows",
        )
    if not 1 <= months <= 120:
        raise InvalidInput("months: 1 to 120", field="months")
    dataset, f = resolve(session, f)
    cover = dataset.coverage[f.indicator]
    last_year, last_month = cover["last"][0], cover["last"][1] or 12
    end = _month_index(last_year, last_month if cover["finest"] != "year" else 12)
    start = end - months + 1
    row_col, col_col = getattr(_t, rows), getattr(_t, columns)
    index = _t.year * 12 + func.coalesce(_t.month, 1) - 1
    query = (
        select(row_col, col_col, func.sum(_t.value))
        .where(and_(*conditions(dataset, f)), index >= start, index <= end)
        .group_by(row_col, col_col)
    )
    cells: dict[tuple[str | None, str | None], float] = {
        (r, c): float(v or 0) for r, c, v in session.execute(query)
    }
    row_totals: dict[str | None, float] = {}
    col_totals: dict[str | None, float] = {}
    for (r, c), v in cells.items():
        row_totals[r] = row_totals.get(r, 0.0) + v
        col_totals[c] = col_totals.get(c, 0.0) + v
    kept_rows = _largest(row_totals, top_rows)
    kept_cols = _largest(col_totals, top_columns)
    rest_rows = len(row_totals) - len(kept_rows)
    rest_cols = len(col_totals) - len(kept_cols)

    def slot(key: str | None, kept: list[str | None]) -> int:
        return kept.index(key) if key in kept else len(kept)

    width = len(kept_cols) + (1 if rest_cols else 0)
    grid = [[0.0] * width for _ in range(len(kept_rows) + (1 if rest_rows else 0))]
    for (r, c), v in cells.items():
        grid[slot(r, kept_rows)][slot(c, kept_cols)] += v

    def heads(kept: list[str | None], totals: dict[str | None, float], rest: int) -> list[Any]:
        out = [_head(k, totals[k]) for k in kept]
        if rest:
            others = sum(v for k, v in totals.items() if k not in kept)
            out.append({"key": None, "name": None, "total": number(others), "others": rest})
        return out

    return {
        "dataset": dataset,
        "rows_by": rows,
        "columns_by": columns,
        "window": {"from": _label(start), "to": _label(end)},
        "total": number(sum(cells.values())),
        "columns": heads(kept_cols, col_totals, rest_cols),
        "rows": [
            {**head, "cells": [number(v) for v in grid[i]]}
            for i, head in enumerate(heads(kept_rows, row_totals, rest_rows))
        ],
    }


def _largest(totals: dict[str | None, float], n: int) -> list[str | None]:
    ranked = sorted(totals, key=lambda k: (-totals[k], k or ""))
    return [k for k in ranked[:n] if totals[k]]


def _head(key: str | None, total: float) -> dict[str, Any]:
    return {"key": key, "name": _name(key), "total": number(total)}


def _name(key: str | None) -> str | None:
    """A part as people read it: a country code by its name, a route as the source writes it."""
    return code_name(key) if key and key.isupper() else key
