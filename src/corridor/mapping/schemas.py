"""Record bodies of the mapping module: routes, challenges, commitments and their actions.

The same models validate what a user submits and what a partner node sends, so a challenge
with an unknown country code or a broken geometry is refused at both ends."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from corridor.countries import CountryCode, field_values
from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.mapping import geo
from corridor.schemas import StrictModel

MAX_LEGS = 40  # legs of one route, and leg indexes one challenge cites from a route

# The conference's four thematic areas first, then the other recurring kinds of challenge.
THEMES: dict[str, str] = {
    "fraudulent_documents": N_("Fraudulent documentation"),
    "digital_smuggling": N_("Digitally enabled smuggling"),
    "border_vulnerabilities": N_("Border vulnerabilities"),
    "victim_protection": N_("Victim-centred protection"),
    "legal_framework": N_("Legal framework"),
    "capacity": N_("Capacity and resources"),
    "cooperation_gaps": N_("Cooperation gaps"),
    "financial_flows": N_("Financial flows"),
    "other": N_("Other"),
}
THEMATIC_AREAS = (
    "fraudulent_documents",
    "digital_smuggling",
    "border_vulnerabilities",
    "victim_protection",
)
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
MODES: dict[str, str] = {
    "land": N_("Land"),
    "sea": N_("Sea"),
    "air": N_("Air"),
    "mixed": N_("Mixed"),
}
EVIDENCE_KINDS = ("alert", "indicator", "document", "record", "link")

Theme = Literal[
    "fraudulent_documents",
    "digital_smuggling",
    "border_vulnerabilities",
    "victim_protection",
    "legal_framework",
    "capacity",
    "cooperation_gaps",
    "financial_flows",
    "other",
]
Severity = Literal["low", "medium", "high", "critical"]
Trend = Literal["increasing", "stable", "decreasing", "unknown"]
Status = Literal["open", "monitoring", "being_addressed", "resolved"]
Mode = Literal["land", "sea", "air", "mixed"]
ShortText = Field(min_length=1, max_length=300)


class Place(StrictModel):
    """A stop on a route: a country, optionally a named hub and its position."""

    country: CountryCode
    hub: str | None = Field(default=None, min_length=1, max_length=100)
    point: tuple[float, float] | None = Field(default=None, description="[longitude, latitude]")

    @field_validator("point")
    @classmethod
    def _point(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is None:
            return None
        lon, lat = v
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"point [{lon}, {lat}] is not a [longitude, latitude] position")
        return (round(lon, 6), round(lat, 6))


class Leg(StrictModel):
    start: Place = Field(alias="from")
    end: Place = Field(alias="to")
    mode: Mode = "land"
    note: str | None = Field(default=None, max_length=1000)

    # On the wire (API and records) the ends of a leg are "from" and "to".
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, serialize_by_alias=True
    )


class RouteBody(StrictModel):
    name: str = ShortText
    description: str | None = Field(default=None, max_length=20_000)
    legs: list[Leg] = Field(min_length=1, max_length=MAX_LEGS)

    def countries(self) -> list[str]:
        out: list[str] = []
        for leg in self.legs:
            for place in (leg.start, leg.end):
                if place.country not in out:
                    out.append(place.country)
        return out


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


class Evidence(StrictModel):
    kind: Literal["alert", "indicator", "document", "record", "link"] = "link"
    title: str = ShortText
    ref: str | None = Field(default=None, max_length=200, description="record id or reference")
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")

    @model_validator(mode="after")
    def _something(self) -> Evidence:
        if not self.ref and not self.url:
            raise ValueError("evidence needs a ref (record id, file reference) or a url")
        return self


class ChallengeBody(StrictModel):
    title: str = ShortText
    description: str | None = Field(default=None, max_length=20_000)
    theme: Theme
    countries: list[str] = Field(min_length=1, max_length=60, description="ISO 3166-1 alpha-2")
    regions: list[str] = Field(default_factory=list, max_length=20)
    routes: list[RouteRef] = Field(default_factory=list, max_length=20)
    locations: list[Location] = Field(default_factory=list, max_length=50)
    severity: Severity = "medium"
    trend: Trend = "unknown"
    status: Status = "open"
    evidence: list[Evidence] = Field(default_factory=list, max_length=50)
    owner: str | None = Field(default=None, max_length=200, description="unit or person in charge")
    identified: date | None = None
    review_date: date | None = None

    @field_validator("countries")
    @classmethod
    def _ccs(cls, v: list[str]) -> list[str]:
        return field_values(v)

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        out = [r.strip() for r in v]
        if any(not r or len(r) > 100 for r in out):
            raise ValueError("a region is a name of 1-100 characters")
        return out

    @model_validator(mode="after")
    def _dates(self) -> ChallengeBody:
        if self.identified and self.review_date and self.review_date < self.identified:
            raise ValueError("the review date comes before the date the challenge was identified")
        if sum(len(geo.geometry_points(loc.geometry)) for loc in self.locations) > 5000:
            raise ValueError("locations hold at most 5,000 positions in all")
        return self


class CommitmentBody(StrictModel):
    title: str = ShortText
    theme: Theme
    text: str = Field(min_length=1, max_length=20_000)
    adopted: date
    ends: date | None = None
    countries: list[str] = Field(default_factory=list, max_length=250)

    @field_validator("countries")
    @classmethod
    def _ccs(cls, v: list[str]) -> list[str]:
        return field_values(v)

    @model_validator(mode="after")
    def _period(self) -> CommitmentBody:
        if self.ends and self.ends < self.adopted:
            raise ValueError("a commitment cannot end before it is adopted")
        return self


class EndorsementBody(StrictModel):
    commitment: uuid.UUID
    origin: str = Field(pattern=r"^[a-z2-7]{26}$", description="node that holds the commitment")
    on: date
    note: str | None = Field(default=None, max_length=2000)


MILESTONE_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class Milestone(StrictModel):
    id: str = Field(pattern=MILESTONE_ID)
    title: str = ShortText
    due: date
    done_on: date | None = None


class Indicator(StrictModel):
    id: str = Field(pattern=MILESTONE_ID)
    name: str = ShortText
    unit: str | None = Field(default=None, max_length=50)
    baseline: float
    target: float
    current: float | None = None

    @model_validator(mode="after")
    def _moves(self) -> Indicator:
        if self.target == self.baseline:
            raise ValueError(f"indicator {self.id!r}: the target equals the baseline")
        return self

    def attainment(self) -> float | None:
        """Share of the way from baseline to target (0-1); works for falling targets too."""
        if self.current is None:
            return None
        share = (self.current - self.baseline) / (self.target - self.baseline)
        return max(0.0, min(1.0, share))


class Update(StrictModel):
    id: uuid.UUID
    on: date
    text: str = Field(min_length=1, max_length=10_000)
    values: dict[str, float] = Field(default_factory=dict, max_length=50)
    milestones_done: list[str] = Field(default_factory=list, max_length=100)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    author: str = Field(min_length=1, max_length=80)


class ActionBody(StrictModel):
    """A member's own action under a commitment; its updates travel in new versions of it, so
    only the node that owns the action can ever report progress on it."""

    commitment: uuid.UUID
    commitment_origin: str = Field(pattern=r"^[a-z2-7]{26}$")
    title: str = ShortText
    description: str | None = Field(default=None, max_length=20_000)
    owner: str = Field(min_length=1, max_length=200)
    country: CountryCode
    milestones: list[Milestone] = Field(default_factory=list, max_length=100)
    indicators: list[Indicator] = Field(default_factory=list, max_length=50)
    updates: list[Update] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _consistent(self) -> ActionBody:
        for kind, items in (("milestone", self.milestones), ("indicator", self.indicators)):
            ids = [i.id for i in items]
            if len(ids) != len(set(ids)):
                raise ValueError(f"{kind} ids must be unique within an action")
        milestones = {m.id for m in self.milestones}
        indicators = {i.id for i in self.indicators}
        for u in self.updates:
            unknown = set(u.milestones_done) - milestones
            if unknown:
                raise ValueError(f"update {u.id}: unknown milestones {sorted(unknown)}")
            unknown = set(u.values) - indicators
            if unknown:
                raise ValueError(f"update {u.id}: unknown indicators {sorted(unknown)}")
        return self
