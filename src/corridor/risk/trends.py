"""Trends of a series: change on the period before, on the same period a year before, and the
sum of the last twelve months (four quarters), the figures a periodic analysis quotes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corridor.risk.series import Series, number

_YEAR = {"day": 365, "month": 12, "quarter": 4, "year": 1}


@dataclass(frozen=True)
class Trend:
    period: str
    value: float
    previous: float | None  # change on the period before, as a fraction
    year_before: float | None  # change on the same period a year before
    rolling: float | None  # sum of the year up to this period

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "value": number(self.value),
            "change_previous": _round(self.previous),
            "change_year": _round(self.year_before),
            "rolling_year": None if self.rolling is None else number(self.rolling),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _change(now: float, before: float) -> float | None:
    return None if before == 0 else (now - before) / before


def trends(s: Series) -> list[Trend]:
    lag = _YEAR[s.period]
    values = [v for _, v in s.points]
    out = []
    for i, (label, value) in enumerate(s.points):
        out.append(
            Trend(
                label,
                value,
                _change(value, values[i - 1]) if i >= 1 else None,
                _change(value, values[i - lag]) if i >= lag else None,
                sum(values[i - lag + 1 : i + 1]) if i >= lag - 1 and s.period != "year" else None,
            )
        )
    return out
