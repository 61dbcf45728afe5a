"""The map's answer in the API (/api/v1/map)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from corridor.mapping.challenges.schemas import ChallengeSummary, Severity, Status
from corridor.mapping.routes.schemas import RouteView
from corridor.mapping.schemas import Theme
from corridor.records.schemas import Answer


class MapFilters(Answer):
    """The filters the map applied (null or empty: not filtered)."""

    theme: list[Theme]
    severity: list[Severity]
    status: list[Status]
    route: str | None
    country: str | None
    origin: str | None
    since: date | None
    until: date | None


class MapCountryTally(Answer):
    count: int = Field(description="challenges naming the country")
    max_severity: Severity | None
    themes: dict[str, int] = Field(description="challenges by theme")


class MapData(Answer):
    generated_at: str
    filters: MapFilters
    countries: dict[str, MapCountryTally] = Field(description="by ISO 3166-1 alpha-2 code")
    routes: list[RouteView]
    challenges: list[ChallengeSummary]
