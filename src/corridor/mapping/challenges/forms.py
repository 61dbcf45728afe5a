"""The challenge form's text formats and the list's filters.

The form takes plain text where the API takes JSON: countries as codes separated by commas or
spaces, locations as `Name | lon,lat; lon,lat`, evidence as `title | https://…`, one per line.
The parsers below turn that text into record bodies and name the line of any mistake; the record
schema then checks the whole body again."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form
from pydantic import BaseModel, ConfigDict, ValidationError

from corridor import countries
from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping import geo
from corridor.mapping.challenges.schemas import (
    SEVERITIES,
    STATUSES,
    ChallengeBody,
    Location,
)
from corridor.mapping.challenges.service import Filters
from corridor.mapping.forms import (
    Description,
    LongText,
    Name,
    Text,
    Title,
    lines,
    parse_position,
    position_text,
    split_codes,
)
from corridor.mapping.schemas import EVIDENCE_KINDS, THEMES, Evidence
from corridor.schemas import field_errors

# What a field of the challenge's body is called on the form, for validation messages.
FIELD_LABELS: dict[str, str] = {
    "title": N_("Title"),
    "name": N_("Name"),
    "description": N_("Description"),
    "theme": N_("Theme"),
    "countries": N_("Countries"),
    "regions": N_("Regions"),
    "routes": N_("Routes"),
    "locations": N_("Locations"),
    "severity": N_("Severity"),
    "trend": N_("Trend"),
    "status": N_("Status"),
    "evidence": N_("Evidence"),
    "owner": N_("Owner"),
    "identified": N_("Identified"),
    "review_date": N_("Review date"),
}
_DETAIL_POSITIONS = 20  # coordinates listed on a detail page before "… n positions"


def parse_countries(text: str) -> list[str]:
    """Alpha-2 or alpha-3 codes separated by commas, semicolons or spaces, as alpha-2."""
    out: list[str] = []
    for code in split_codes(text):
        try:
            cc = countries.normalise(code)
        except InvalidInput as exc:
            raise InvalidInput(_("Countries: %(error)s") % {"error": exc.detail}) from None
        if cc not in out:
            out.append(cc)
    if not out:
        raise InvalidInput(_("Countries: name at least one country code, e.g. PK or PAK"))
    return out


def parse_regions(text: str) -> list[str]:
    return [r.strip() for r in text.split(",") if r.strip()]


def _geometry(where: str, rest: str) -> Any:
    """A location's geometry as typed: GeoJSON, or positions (one a point, several a line)."""
    if rest.startswith("{"):
        try:
            return json.loads(rest)
        except ValueError:
            raise InvalidInput(
                _("%(where)s: the geometry is not valid GeoJSON") % {"where": where}
            ) from None
    positions = []
    for part in (p for p in rest.split(";") if p.strip()):
        position = parse_position(part)
        if position is None:
            raise InvalidInput(
                _("%(where)s: %(value)r is not a position lon,lat (e.g. 61.6,28.96)")
                % {"where": where, "value": part.strip()}
            )
        positions.append(position)
    if len(positions) == 1:
        return {"type": "Point", "coordinates": positions[0]}
    return {"type": "LineString", "coordinates": positions}


def parse_locations(text: str) -> list[dict[str, Any]]:
    """One location per line: `Name | lon,lat` (a point), `Name | lon,lat; lon,lat; …` (a line
    or border section) or `Name | {GeoJSON geometry}` (what the API or the map recorded)."""
    out: list[dict[str, Any]] = []
    for where, line in lines(text, N_("Locations, line %(n)d")):
        name, sep, rest = line.partition("|")
        name, rest = name.strip(), rest.strip()
        if not sep or not name or not rest:
            raise InvalidInput(
                _(
                    "%(where)s: write Name | lon,lat for a point"
                    " or Name | lon,lat; lon,lat; … for a line"
                )
                % {"where": where}
            )
        try:
            geometry = geo.validate_geometry(_geometry(where, rest), where=where)
            loc = Location.model_validate({"name": name, "geometry": geometry})
        except ValidationError as exc:
            raise InvalidInput(f"{where}: {field_errors(exc, FIELD_LABELS)}") from None
        out.append(loc.model_dump(mode="json"))
    return out


def locations_text(locations: list[dict[str, Any]]) -> str:
    written = []
    for loc in locations:
        geom = loc["geometry"]
        if geom["type"] == "Point":
            where = position_text(geom["coordinates"])
        elif geom["type"] == "LineString":
            where = "; ".join(position_text(p) for p in geom["coordinates"])
        else:
            # Points, lines and areas drawn elsewhere stay as they are (GeoJSON).
            where = json.dumps(geom, separators=(",", ":"))
        written.append(f"{loc['name']} | {where}")
    return "\n".join(written)


def location_view(loc: dict[str, Any]) -> dict[str, Any]:
    """A location as its challenge's page lists it: the first positions, and how many."""
    geom = loc["geometry"]
    points = geo.geometry_points(geom)
    shown = "; ".join(position_text(p) for p in points[:_DETAIL_POSITIONS])
    if len(points) > _DETAIL_POSITIONS:
        shown += " … " + _("%(n)d positions in all") % {"n": len(points)}
    return {"name": loc["name"], "type": geom["type"], "coordinates": shown}


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _default_kind(url: str | None, ref: str | None) -> str:
    if url:
        return "link"
    return "record" if ref and is_uuid(ref) else "document"


def _evidence(where: str, line: str) -> dict[str, Any]:
    parts = [p.strip() for p in line.split("|")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise InvalidInput(
            _(
                "%(where)s: give a URL or a reference after the title:"
                " title | https://… or title | reference"
            )
            % {"where": where}
        )
    if len(parts) > 3:
        raise InvalidInput(
            _("%(where)s: write title | URL or reference | kind (at most three parts)")
            % {"where": where}
        )
    title, target = parts[0], parts[1]
    is_url = target.lower().startswith(("http://", "https://"))
    if is_url and re.search(r"\s", target):
        raise InvalidInput(
            _("%(where)s: a URL has no spaces (write %%20 for one)") % {"where": where}
        )
    url, ref = (target, None) if is_url else (None, target)
    kind = parts[2].lower() if len(parts) == 3 and parts[2] else _default_kind(url, ref)
    if kind not in EVIDENCE_KINDS:
        raise InvalidInput(
            _("%(where)s: unknown kind %(kind)r (use %(kinds)s)")
            % {"where": where, "kind": kind, "kinds": ", ".join(EVIDENCE_KINDS)}
        )
    try:
        item = Evidence.model_validate({"kind": kind, "title": title, "url": url, "ref": ref})
    except ValidationError as exc:
        raise InvalidInput(f"{where}: {field_errors(exc, FIELD_LABELS)}") from None
    return item.model_dump(mode="json", exclude_none=True)


def parse_evidence(text: str) -> list[dict[str, Any]]:
    """One item per line: `title | https://url` or `title | reference` (a record id, a file
    number), optionally `| kind` (alert, indicator, document, record, link)."""
    return [_evidence(where, line) for where, line in lines(text, N_("Evidence, line %(n)d"))]


def evidence_text(evidence: list[dict[str, Any]]) -> str:
    written = []
    for e in evidence:
        url, ref = e.get("url"), e.get("ref")
        line = f"{e['title']} | {url or ref}"
        kind = e.get("kind", "link")
        if kind != _default_kind(url, ref) or (url and ref):
            line += f" | {kind}"
        written.append(line)
    return "\n".join(written)


def route_refs(route: list[str], leg: list[str]) -> list[dict[str, Any]]:
    """Checked routes and legs ("<route id>:<index>") as references; a checked leg brings its
    route along."""
    chosen: dict[str, list[int]] = {}
    for rid in route:
        chosen.setdefault(rid.strip(), [])
    for value in leg:
        rid, _sep, index = value.rpartition(":")
        if not rid or not index.isdigit():
            raise InvalidInput(_("Routes: %(value)r is not a leg of a route") % {"value": value})
        chosen.setdefault(rid.strip(), []).append(int(index))
    refs = []
    for rid, legs in chosen.items():
        if not is_uuid(rid):
            raise InvalidInput(_("Routes: %(value)r is not a route id") % {"value": rid})
        refs.append({"route": rid, "legs": sorted(set(legs))})
    return refs


def parse_day(value: str, field: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidInput(
            _("%(field)s: %(value)r is not a date (YYYY-MM-DD)")
            % {"field": _(FIELD_LABELS[field]), "value": value}
        ) from None


class ChallengeForm(BaseModel):
    """The challenge form's own fields (its sharing fields are a web.sharing.SharingForm),
    kept as typed so an error can show them back."""

    model_config = ConfigDict(validate_by_name=True)

    title: Title = ""
    description: Description = ""
    theme: Annotated[str, Form(max_length=40)] = ""
    countries: Text = ""
    regions: Text = ""
    routes: Annotated[set[str], Form(alias="route")] = set()  # checked route ids
    legs: Annotated[set[str], Form(alias="leg")] = set()  # checked legs, "<route id>:<index>"
    locations: LongText = ""
    severity: Annotated[str, Form(max_length=20)] = "medium"
    trend: Annotated[str, Form(max_length=20)] = "unknown"
    status: Annotated[str, Form(max_length=20)] = "open"
    evidence: LongText = ""
    owner: Name = ""
    identified: Annotated[str, Form(max_length=32)] = ""
    review_date: Annotated[str, Form(max_length=32)] = ""

    @classmethod
    def of_body(cls, body: dict[str, Any]) -> ChallengeForm:
        refs = body.get("routes", [])
        return cls(
            title=body["title"],
            description=body.get("description") or "",
            theme=body["theme"],
            countries=", ".join(body["countries"]),
            regions=", ".join(body.get("regions", [])),
            routes={r["route"] for r in refs},
            legs={f"{r['route']}:{i}" for r in refs for i in r.get("legs", [])},
            locations=locations_text(body.get("locations", [])),
            severity=body.get("severity", "medium"),
            trend=body.get("trend", "unknown"),
            status=body.get("status", "open"),
            evidence=evidence_text(body.get("evidence", [])),
            owner=body.get("owner") or "",
            identified=body.get("identified") or "",
            review_date=body.get("review_date") or "",
        )

    def body(self) -> dict[str, Any]:
        """The challenge's body, checked; InvalidInput says what is wrong, as the form names
        it (the line of a location or an item of evidence)."""
        refs = route_refs(sorted(self.routes), sorted(self.legs))
        body: dict[str, Any] = {
            "title": self.title.strip(),
            "description": self.description.strip() or None,
            "theme": self.theme,
            "countries": parse_countries(self.countries),
            "regions": parse_regions(self.regions),
            "routes": refs,
            "locations": parse_locations(self.locations),
            "severity": self.severity,
            "trend": self.trend,
            "status": self.status,
            "evidence": parse_evidence(self.evidence),
            "owner": self.owner.strip() or None,
            "identified": parse_day(self.identified, "identified"),
            "review_date": parse_day(self.review_date, "review_date"),
        }
        body = {k: v for k, v in body.items() if v is not None}
        try:
            return ChallengeBody.model_validate(body).model_dump(mode="json", exclude_none=True)
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc, FIELD_LABELS)) from None


def list_filters(
    theme: list[str],
    severity: list[str],
    status: list[str],
    route: str,
    country: str,
    origin: str,
    since: str,
    until: str,
) -> tuple[Filters, list[str], dict[str, Any]]:
    """The list's filters from its query (the API's names, so the same query opens the map
    and the exports); a bad value is reported and left out, the rest still applies."""
    errors: list[str] = []

    def known(values: list[str], vocabulary: dict[str, str], field: str) -> tuple[str, ...]:
        bad = [v for v in values if v not in vocabulary]
        if bad:
            errors.append(
                _("%(field)s: unknown value %(value)r") % {"field": _(field), "value": bad[0]}
            )
        return tuple(v for v in values if v in vocabulary)

    themes = known(theme, THEMES, FIELD_LABELS["theme"])
    severities = known(severity, SEVERITIES, FIELD_LABELS["severity"])
    statuses = known(status, STATUSES, FIELD_LABELS["status"])
    route_id = None
    if route.strip():
        try:
            route_id = uuid.UUID(route.strip())
        except ValueError:
            errors.append(_("Route: %(value)r is not a route id") % {"value": route})
    cc = None
    if country.strip():
        try:
            cc = countries.normalise(country)
        except InvalidInput as exc:
            errors.append(_("Country: %(error)s") % {"error": exc.detail})
    member = origin.strip() or None
    if member and not re.fullmatch(r"[a-z2-7]{26}", member):
        errors.append(_("Member: %(value)r is not a node id") % {"value": member})
        member = None
    days: dict[str, date | None] = {"since": None, "until": None}
    for name, value, label in (("since", since, N_("From")), ("until", until, N_("Until"))):
        if value.strip():
            try:
                days[name] = date.fromisoformat(value.strip())
            except ValueError:
                errors.append(
                    _("%(field)s: %(value)r is not a date (YYYY-MM-DD)")
                    % {"field": _(label), "value": value}
                )
    f = Filters(
        themes=themes,
        severities=severities,
        statuses=statuses,
        route=route_id,
        country=cc,
        origin=member,
        since=days["since"],
        until=days["until"],
    )
    echo = f.echo()
    query = urlencode({k: v for k, v in echo.items() if v}, doseq=True)
    return f, errors, {**echo, "query": query}
