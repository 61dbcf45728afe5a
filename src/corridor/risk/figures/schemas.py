"""Shared indicator figures: what the analyst chooses (`selection`) and what the node computes
from its indicator store for it (`source`, `items`, `breakdown`). Only sums leave the node:
per month, quarter or year (never a day: a day's figure can be one incident), and a breakdown
of the top parts with the rest summed."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from corridor.records.labels import Purpose
from corridor.records.schemas import Shared, record_out
from corridor.schemas import StrictModel

SharedPeriod = Literal["month", "quarter", "year"]
By = Literal["nationality", "route", "country", "border_type", "sex"]
# The largest series a record carries: 100 years of months.
MAX_POINTS = 1_200
PERIOD_FORMS = {
    "month": (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), "2024-07"),
    "quarter": (re.compile(r"\d{4}-Q[1-4]"), "2024-Q3"),
    "year": (re.compile(r"\d{4}"), "2024"),
}
_Text = Field(default=None, max_length=200)


class Selection(StrictModel):
    """What to share: the indicator, the dataset (the fullest if none), the filters of a
    series as the workbench takes them, the period and the span (from, to: inclusive)."""

    indicator: str = Field(min_length=1, max_length=60)
    dataset: str | None = Field(default=None, max_length=60)
    route: str | None = _Text
    nationality: str | None = _Text
    country: str | None = _Text
    border_type: str | None = Field(default=None, max_length=20)
    sex: str | None = Field(default=None, max_length=10)
    period: SharedPeriod = "month"
    since: str | None = Field(default=None, max_length=7)
    until: str | None = Field(default=None, max_length=7)
    # A breakdown of the last twelve months (to `until`) by this dimension, top ten and the rest.
    by: By | None = None

    @model_validator(mode="after")
    def _span(self) -> Selection:
        pattern, example = PERIOD_FORMS[self.period]
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and not pattern.fullmatch(value):
                raise ValueError(f"{name}: a {self.period} as {example}")
        if self.since and self.until and self.since > self.until:
            raise ValueError("until: before since")
        return self


class Point(StrictModel):
    period: str = Field(max_length=10)
    value: float


class Part(StrictModel):
    key: str | None = Field(default=None, max_length=120)  # None: not recorded, or the rest
    value: float
    share: float | None = None
    previous: float | None = None
    others: int | None = None  # the rest, summed: how many parts


class Breakdown(StrictModel):
    by: By
    window: dict[str, str]
    total: float
    items: list[Part] = Field(max_length=101)


class Cited(StrictModel):
    """The dataset the figures come from, as a chart cites it."""

    dataset: str = Field(max_length=60)
    title: str = Field(max_length=300)
    citation: str = Field(default="", max_length=2000)
    licence: str = Field(default="", max_length=300)
    url: str = Field(default="", max_length=500)


class FiguresBody(StrictModel):
    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)
    selection: Selection
    # Computed by the sharing node from its store (anything a client sends is replaced).
    source: Cited | None = None
    items: list[Point] = Field(default_factory=list, max_length=MAX_POINTS)
    breakdown: Breakdown | None = None


class FiguresIn(Shared, StrictModel):
    """POST /api/v1/risk/figures: a title, a note, the selection, and the labels and audience."""

    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)
    selection: Selection
    # Figures of the risk-analysis store are risk analysis unless the dataset says otherwise.
    purpose: Purpose = "risk-analysis"


FiguresOut = record_out(FiguresBody, "FiguresOut")
