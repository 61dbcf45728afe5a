"""Breakdowns: which nationalities (routes, countries) make up an indicator over a window,
their shares, and how each changed on the window before: the "top nationalities per route" of
a periodic analysis, and route × nationality tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput
from corridor.risk.models import IndicatorRow
from corridor.risk.series import Filter, conditions, number, resolve
from corridor.risk.sources.common import code_name

BY = ("nationality", "route", "country", "border_type", "sex")
_t = IndicatorRow.__table__.c


@dataclass(frozen=True)
class Part:
    key: str | None
    value: float
    previous: float

    def to_dict(self, total: float) -> dict[str, Any]:
        coded = self.key is not None and self.key.isupper()
        return {
            "key": self.key,
            "name": code_name(self.key) if coded and self.key else self.key,
            "value": number(self.value),
            "share": round(self.value / total, 4) if total else None,
            "previous": number(self.previous),
            "change": round((self.value - self.previous) / self.previous, 4)
            if self.previous
            else None,
        }


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
    column = getattr(_t, by)
    month = func.coalesce(_t.month, 1)
    index = _t.year * 12 + month - 1
    query = (
        select(
            column,
            func.sum(_t.value).filter(index >= start),
            func.sum(_t.value).filter(index < start),
        )
        .where(and_(*conditions(dataset, f)), index >= before, index <= end)
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
