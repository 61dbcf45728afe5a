"""A risk profile's body: what front-line officers look for (the indicators of a modus
operandi), where and for whom it holds, what to do on a match, until when."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field, field_validator

from corridor.records.labels import Purpose
from corridor.records.schemas import Shared, record_out
from corridor.risk.sources.common import country_code
from corridor.schemas import StrictModel

Line = Field(min_length=1, max_length=500)


class ProfileBody(StrictModel):
    title: str = Field(min_length=1, max_length=300)
    modus_operandi: str = Field(min_length=1, max_length=20_000)
    route: str | None = Field(default=None, max_length=120)
    # Where it applies (ISO codes) and for whom.
    countries: list[str] = Field(default_factory=list, max_length=30)
    nationalities: list[str] = Field(default_factory=list, max_length=30)
    # The signs an officer looks for, one each.
    indicators: list[str] = Field(min_length=1, max_length=50)
    documents: list[str] = Field(default_factory=list, max_length=20)
    actions: str = Field(default="", max_length=5000, description="what to do on a match")
    valid_until: date | None = None
    # The id of the assessment it draws on.
    assessment: str | None = Field(default=None, max_length=40)

    @field_validator("countries", "nationalities")
    @classmethod
    def _codes(cls, values: list[str], info: Any) -> list[str]:
        out = []
        for value in values:
            try:
                out.append(country_code(value, info.field_name))
            except ValueError as exc:
                raise ValueError(str(exc)) from None
        return sorted(set(out))

    @field_validator("indicators", "documents")
    @classmethod
    def _lines(cls, values: list[str], info: Any) -> list[str]:
        for i, value in enumerate(values):
            if not value.strip() or len(value) > 500:
                raise ValueError(f"{info.field_name}[{i}]: 1 to 500 characters")
        return [v.strip() for v in values]


class ProfileIn(Shared, ProfileBody):
    # A profile is risk analysis unless its author says otherwise.
    purpose: Purpose = "risk-analysis"


ProfileOut = record_out(ProfileBody, "ProfileOut")
