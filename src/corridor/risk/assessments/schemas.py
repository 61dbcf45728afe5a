"""A risk assessment's body (the same model checks what an analyst submits and what a partner
node sends) and the API's answers."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from corridor.records.labels import Purpose
from corridor.records.schemas import Answer, Shared, record_out
from corridor.risk.ciram import VULNERABILITY_ITEMS
from corridor.risk.sources.common import country_code
from corridor.schemas import StrictModel

Level = Field(ge=1, le=5)
Rationale = Field(default="", max_length=5000)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _code(value: str | None, where: str) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return country_code(value, where)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


class Scope(StrictModel):
    """What is assessed: a route, a border section (of a country) or a nationality (on a route,
    optionally)."""

    kind: Literal["route", "border_section", "nationality"]
    route: str | None = Field(default=None, max_length=120)
    border_section: str | None = Field(default=None, max_length=120)
    country: str | None = Field(default=None, max_length=60)
    nationality: str | None = Field(default=None, max_length=60)

    @field_validator("country", "nationality")
    @classmethod
    def _codes(cls, value: str | None, info: Any) -> str | None:
        return _code(value, info.field_name)

    @model_validator(mode="after")
    def _named(self) -> Scope:
        needed = {"route": "route", "border_section": "border_section",
                  "nationality": "nationality"}[self.kind]  # fmt: skip
        if not getattr(self, needed):
            raise ValueError(f"a {self.kind.replace('_', ' ')} assessment names its {needed}")
        return self


class IndicatorRef(StrictModel):
    """A series the threat rests on (the workbench's selection)."""

    indicator: str = Field(min_length=2, max_length=60)
    dataset: str | None = Field(default=None, max_length=60)
    route: str | None = Field(default=None, max_length=120)
    nationality: str | None = Field(default=None, max_length=60)
    country: str | None = Field(default=None, max_length=60)


class Threat(StrictModel):
    magnitude: int = Level
    likelihood: int = Level
    rationale: str = Rationale
    indicators: list[IndicatorRef] = Field(default_factory=list, max_length=20)


class CheckItem(StrictModel):
    item: str
    answer: Literal["yes", "partly", "no", "unknown"]
    note: str = Field(default="", max_length=1000)

    @field_validator("item")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in VULNERABILITY_ITEMS:
            raise ValueError(
                f"unknown item {value!r}; the items are {', '.join(VULNERABILITY_ITEMS)}"
            )
        return value


class Vulnerability(StrictModel):
    checklist: list[CheckItem] = Field(default_factory=list, max_length=len(VULNERABILITY_ITEMS))
    # The analyst's level instead of the checklist's (with a rationale).
    level: int | None = Field(default=None, ge=1, le=5)
    rationale: str = Rationale

    @model_validator(mode="after")
    def _once(self) -> Vulnerability:
        items = [c.item for c in self.checklist]
        if len(items) != len(set(items)):
            raise ValueError("checklist: each item once")
        if self.level is not None and not self.rationale.strip():
            raise ValueError("a level set by hand needs its rationale")
        return self


class Impact(StrictModel):
    humanitarian: int = Level
    security: int = Level
    operational: int = Level
    rationale: str = Rationale


class Weights(StrictModel):
    threat: float = Field(default=1.0, gt=0, le=10)
    vulnerability: float = Field(default=1.0, gt=0, le=10)
    impact: float = Field(default=1.0, gt=0, le=10)


class AssessmentBody(StrictModel):
    title: str = Field(min_length=1, max_length=300)
    scope: Scope
    period_from: str | None = Field(default=None, description="YYYY-MM")
    period_to: str | None = Field(default=None, description="YYYY-MM")
    threat: Threat
    vulnerability: Vulnerability
    impact: Impact
    method: Literal["matrix", "product", "geometric"] = "matrix"
    weights: Weights | None = None
    challenges: list[str] = Field(default_factory=list, max_length=20,
                                  description="ids of the challenges it assesses")  # fmt: skip
    summary: str = Field(default="", max_length=20_000)
    recommendations: str = Field(default="", max_length=20_000)

    @field_validator("period_from", "period_to")
    @classmethod
    def _month(cls, value: str | None) -> str | None:
        if value is not None and not _MONTH.fullmatch(value):
            raise ValueError("a month written YYYY-MM, e.g. 2025-06")
        return value

    @model_validator(mode="after")
    def _order(self) -> AssessmentBody:
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise ValueError("period_from: after period_to")
        if self.weights is not None and self.method != "geometric":
            raise ValueError("weights: only the geometric method weighs the parts")
        return self


class AssessmentIn(Shared, AssessmentBody):
    # An assessment is risk analysis unless its author says otherwise.
    purpose: Purpose = "risk-analysis"


class RiskOut(Answer):
    method: str
    threat: int
    vulnerability: int
    impact: int
    likelihood: int
    value: float | None = None
    score: float
    level: str


class AssessmentOut(record_out(AssessmentBody, "AssessmentRecord")):  # type: ignore[misc]
    risk: RiskOut | None = None


class RankedOut(Answer):
    id: str
    title: str
    origin: str
    version: int
    scope: dict[str, Any]
    tlp: str
    risk: RiskOut


class RankedList(Answer):
    items: list[RankedOut]
