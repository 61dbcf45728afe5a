"""The route record's body (stops and legs) and the API's requests and answers for routes."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from corridor.countries import CountryCode
from corridor.i18n import N_
from corridor.mapping.schemas import ShortText
from corridor.records.schemas import Answer, Shared, record_out
from corridor.schemas import StrictModel

MAX_LEGS = 40  # legs of one route, and leg indexes one challenge cites from a route
MODES: dict[str, str] = {
    "land": N_("Land"),
    "sea": N_("Sea"),
    "air": N_("Air"),
    "mixed": N_("Mixed"),
}
Mode = Literal["land", "sea", "air", "mixed"]


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


# --- the API ----------------------------------------------------------------------------------


class RouteIn(Shared, RouteBody):
    pass


RouteOut = record_out(RouteBody, "RouteOut")


class PlaceView(Answer):
    country: str
    hub: str | None = Field(default=None, description="left out when the stop names none")
    point: tuple[float, float] = Field(
        description="[longitude, latitude]: the stop's own, else its country's"
    )


class LegView(Answer):
    start: PlaceView = Field(alias="from")
    end: PlaceView = Field(alias="to")
    mode: Mode
    note: str | None


class RouteView(Answer):
    """A route as the map draws it: every stop with a position."""

    id: str
    name: str
    origin: str
    countries: list[str]
    challenges: int = Field(description="challenges that cite the route (0 outside the map)")
    legs: list[LegView]


class RouteList(Answer):
    items: list[RouteView]
