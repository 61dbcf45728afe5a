"""The challenge record's body and the API's requests and answers for challenges."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.mapping import geo
from corridor.mapping.routes.schemas import MAX_LEGS
from corridor.mapping.schemas import Evidence, ShortText, Theme
from corridor.records.schemas import Answer, Shared, record_out
from corridor.schemas import CountryCodes, StrictModel, trimmed_texts

SEVERITIES: dict[str, str] = {
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "critical": N_("Critical"),
}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES, start=1)}
TRENDS: dict[str, str] = {
    "increasing": N_("Increasing"),
    "stable": N_("Stable"),
    "decreasing": N_("Decreasing"),
    "unknown": N_("Unknown"),
}
STATUSES: dict[str, str] = {
    "open": N_("Open"),
    "monitoring": N_("Monitoring"),
    "being_addressed": N_("Being addressed"),
    "resolved": N_("Resolved"),
}
Regions = Annotated[list[str], trimmed_texts(100, "a region is a name of 1-100 characters")]
Severity = Literal["low", "medium", "high", "critical"]
Trend = Literal["increasing", "stable", "decreasing", "unknown"]
Status = Literal["open", "monitoring", "being_addressed", "resolved"]


class RouteRef(StrictModel):
    route: uuid.UUID
    # Bounded: a record body is signed as canonical JSON, whose integers stop at 2^53.
    legs: list[Annotated[int, Field(ge=0, lt=MAX_LEGS)]] = Field(
        default_factory=list, max_length=MAX_LEGS, description="leg indexes, 0-based"
    )

    @field_validator("legs")
    @classmethod
    def _legs(cls, v: list[int]) -> list[int]:
        return sorted(set(v))


class Location(StrictModel):
    """A border section, crossing point or area: a GeoJSON geometry with a name."""

    name: str = Field(min_length=1, max_length=200)
    geometry: dict[str, Any]

    @field_validator("geometry")
    @classmethod
    def _geometry(cls, v: dict[str, Any]) -> dict[str, Any]:
        try:
            return geo.validate_geometry(v, where="geometry")
        except InvalidInput as exc:
            raise ValueError(exc.detail) from None


class ChallengeBody(StrictModel):
    title: str = ShortText
    description: str | None = Field(default=None, max_length=20_000)
    theme: Theme
    countries: CountryCodes = Field(min_length=1, max_length=60, description="ISO 3166-1 alpha-2")
    regions: Regions = Field(default_factory=list, max_length=20)
    routes: list[RouteRef] = Field(default_factory=list, max_length=20)
    locations: list[Location] = Field(default_factory=list, max_length=50)
    severity: Severity = "medium"
    trend: Trend = "unknown"
    status: Status = "open"
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)
    owner: str | None = Field(default=None, max_length=200, description="unit or person in charge")
    identified: date | None = None
    review_date: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> ChallengeBody:
        if self.identified and self.review_date and self.review_date < self.identified:
            raise ValueError("the review date comes before the date the challenge was identified")
        if sum(len(geo.geometry_points(loc.geometry)) for loc in self.locations) > 5000:
            raise ValueError("locations hold at most 5,000 positions in all")
        return self


# --- the API ----------------------------------------------------------------------------------


class ChallengeIn(Shared, ChallengeBody):
    pass


ChallengeOut = record_out(ChallengeBody, "ChallengeOut")


class ChallengeSummary(Answer):
    """A challenge as the map and the list show it (records.challenge_summary)."""

    id: str
    title: str
    theme: Theme
    severity: Severity
    trend: Trend
    status: Status
    countries: list[str]
    regions: list[str]
    routes: list[RouteRef]
    origin: str
    owner: str | None
    identified: date | None
    review_date: date | None
    updated_at: str
    tlp: str
    evidence: int = Field(description="how many items of evidence it cites")
    locations: list[Location]


class ChallengeList(Answer):
    items: list[ChallengeSummary]
