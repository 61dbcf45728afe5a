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


@dataclass(frozen=True)
class Seasonality:
    """The seasonal pattern of a monthly series: per calendar month, its mean share of an
    average month of the same year (1.0: an average month; 1.6: sixty per cent above), over the
    last full years; the spread says how steady the pattern is (the lowest and highest ratio)."""

    years: list[int]
    index: list[float]  # January first
    low: list[float]
    high: list[float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "items": [
                {"month": m + 1, "index": round(i, 3), "low": round(lo, 3), "high": round(hi, 3)}
                for m, (i, lo, hi) in enumerate(zip(self.index, self.low, self.high, strict=True))
            ],
        }


# Full years the pattern is drawn from (the latest ones): recent enough to hold now.
SEASON_YEARS = 5


def seasonality(s: Series, years: int = SEASON_YEARS) -> Seasonality | None:
    """The pattern over the last `years` full calendar years with figures (None for a series
    that is not monthly or has no full year with a figure)."""
    if s.period != "month":
        return None
    by_year: dict[int, list[float]] = {}
    for label, value in s.points:
        by_year.setdefault(int(label[:4]), []).append(value)
    full = [y for y, values in sorted(by_year.items()) if len(values) == 12 and sum(values) > 0]
    full = full[-years:]
    if not full:
        return None
    ratios = [[v / (sum(by_year[y]) / 12) for v in by_year[y]] for y in full]
    columns = list(zip(*ratios, strict=True))
    return Seasonality(
        years=full,
        index=[sum(c) / len(c) for c in columns],
        low=[min(c) for c in columns],
        high=[max(c) for c in columns],
    )
