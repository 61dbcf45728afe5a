"""The route form's text format: the stops of a route as `CC | hub | lon,lat | mode | note`, one
per line in travel order (the API takes the legs as JSON). The parser names the line of any
mistake; the record schema then checks the whole body again."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ValidationError

from corridor import countries
from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping import geo
from corridor.mapping.forms import (
    Description,
    LongText,
    Title,
    parse_position,
    position_text,
)
from corridor.mapping.routes.schemas import MODES, RouteBody
from corridor.schemas import field_errors

GAP = "---"  # a line of its own in the stops: no leg joins the stops around it
# What a field of the route's body is called on the form, for validation messages.
FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "description": N_("Description"),
    "legs": N_("Stops"),
}


def _stop(number: int, line: str) -> tuple[dict[str, Any], str, str | None]:
    """One line of the stops: the place, the mode to the next stop and the note."""
    where = _("Stops, line %(n)d") % {"n": number}
    parts = [p.strip() for p in line.split("|")]
    if len(parts) > 5:
        raise InvalidInput(
            _("%(where)s: write CC | hub | lon,lat | mode | note (at most five parts)")
            % {"where": where}
        )
    parts += [""] * (5 - len(parts))
    code, hub, point_text, mode, note = parts
    # `CC | hub | sea` is read as the mode: a mode is never a position.
    if point_text.lower() in MODES and not mode:
        point_text, mode = "", point_text
    try:
        place: dict[str, Any] = {"country": countries.normalise(code)}
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.detail}") from None
    if hub:
        if len(hub) > 100:
            raise InvalidInput(
                _("%(where)s: a hub name has at most 100 characters") % {"where": where}
            )
        place["hub"] = hub
    if point_text:
        point = parse_position(point_text)
        if point is None or not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            raise InvalidInput(
                _("%(where)s: %(value)r is not a position lon,lat (e.g. 66.99,30.18)")
                % {"where": where, "value": point_text}
            )
        place["point"] = point
    elif place["country"] not in geo.countries():
        # Routes are drawn from stop to stop: a country too small for the 1:50m outlines
        # (Gibraltar, Guadeloupe…) has no point to fall back on.
        raise InvalidInput(
            _("%(where)s: %(country)s has no outline on the map; give the stop's position lon,lat")
            % {"where": where, "country": countries.country_name(place["country"])}
        )
    mode = mode.lower() or "land"
    if mode not in MODES:
        raise InvalidInput(
            _("%(where)s: unknown mode %(mode)r (use land, sea, air or mixed)")
            % {"where": where, "mode": mode}
        )
    return place, mode, note or None


def parse_stops(text: str) -> list[dict[str, Any]]:
    """One stop per line, `CC | hub | lon,lat | mode-to-next | note` (all but the country
    optional); consecutive stops make the legs, a line `---` separates stops no leg joins."""
    chains: list[list[tuple[int, dict[str, Any], str, str | None]]] = [[]]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.strip() == GAP:
            if not chains[-1]:
                raise InvalidInput(
                    _("%(where)s: %(gap)s separates two groups of stops")
                    % {"where": _("Stops, line %(n)d") % {"n": number}, "gap": GAP}
                )
            chains.append([])
            continue
        chains[-1].append((number, *_stop(number, line)))
    legs: list[dict[str, Any]] = []
    for chain in chains:
        if len(chain) == 1:
            raise InvalidInput(
                _("Stops, line %(n)d: a stop needs a next stop to make a leg") % {"n": chain[0][0]}
            )
        for (_n, start, mode, note), (_m, end, _mode, _note) in pairwise(chain):
            leg: dict[str, Any] = {"from": start, "to": end, "mode": mode}
            if note:
                leg["note"] = note
            legs.append(leg)
    if not legs:
        raise InvalidInput(_("Stops: a route needs at least two stops, one per line"))
    return legs


def _stop_line(place: dict[str, Any], leg: dict[str, Any] | None) -> str:
    parts = [
        place["country"],
        place.get("hub") or "",
        position_text(place["point"]) if place.get("point") else "",
    ]
    if leg is not None:
        parts.append(leg.get("mode", "land"))
        if leg.get("note"):
            parts.append(leg["note"])
    while parts and not parts[-1]:
        parts.pop()
    # An empty part reads "| |", so the columns stay easy to count.
    return "|".join(f" {p} " if p else " " for p in parts).strip()


def stops_text(legs: list[dict[str, Any]]) -> str:
    """The stops of a route as the form writes them (parse_stops(stops_text(x)) == x)."""
    lines: list[str] = []
    for i, leg in enumerate(legs):
        if i > 0 and leg["from"] != legs[i - 1]["to"]:
            lines.append(_stop_line(legs[i - 1]["to"], None))
            lines.append(GAP)
        lines.append(_stop_line(leg["from"], leg))
    if legs:
        lines.append(_stop_line(legs[-1]["to"], None))
    return "\n".join(lines)


def place_label(place: dict[str, Any]) -> str:
    return str(place.get("hub") or countries.country_name(place["country"]))


def leg_label(index: int, leg: dict[str, Any]) -> str:
    """ "0: Quetta → Zahedan": the leg's number (what a challenge cites) and its ends."""
    return f"{index}: {place_label(leg['from'])} → {place_label(leg['to'])}"


class RouteForm(BaseModel):
    """The route form's own fields (its sharing fields are a web.sharing.SharingForm), kept as
    typed so an error can show them back."""

    name: Title = ""
    description: Description = ""
    stops: LongText = ""

    @classmethod
    def of_body(cls, body: dict[str, Any]) -> RouteForm:
        return cls(
            name=body["name"],
            description=body.get("description") or "",
            stops=stops_text(body["legs"]),
        )

    def body(self) -> dict[str, Any]:
        """The route's body, checked; InvalidInput says what is wrong, as the form names it."""
        body: dict[str, Any] = {"name": self.name.strip(), "legs": parse_stops(self.stops)}
        if self.description.strip():
            body["description"] = self.description.strip()
        try:
            return RouteBody.model_validate(body).model_dump(mode="json", exclude_none=True)
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc, FIELD_LABELS)) from None
