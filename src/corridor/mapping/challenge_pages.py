"""Challenges and routes in the web UI: the network view, detail pages and the forms that record,
change and withdraw them (the same services as the REST API).

The forms take plain text where the API takes JSON: countries as codes separated by commas or
spaces, locations as `Name | lon,lat; lon,lat`, evidence as `title | https://…`, the stops of a
route as `CC | hub | lon,lat | mode`, one per line. The parsers below turn that text into record
bodies and name the line of any mistake; the record schemas then check the whole body again."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from datetime import date
from itertools import pairwise
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from corridor import clock, countries
from corridor.errors import CorridorError, InvalidInput, NotFound, PermissionDenied
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping import geo
from corridor.mapping import service as mapping
from corridor.mapping.models import ChallengeRow, RouteRow
from corridor.mapping.records import CHALLENGE, ROUTE
from corridor.mapping.schemas import (
    EVIDENCE_KINDS,
    MODES,
    SEVERITIES,
    STATUSES,
    THEMES,
    TRENDS,
    ChallengeBody,
    Evidence,
    Location,
    RouteBody,
)
from corridor.records.groups import list_groups
from corridor.records.labels import PURPOSES, TLP_LEVELS
from corridor.web import nav
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.forms import form_labels
from corridor.web.render import activate_locale, own_label, page, redirect

router = APIRouter(include_in_schema=False)
PageAuth = Annotated[Auth, Depends(page_auth)]
# Form fields are capped well above what the record schemas allow, so an over-long title is
# reported on the re-rendered form by the schema rather than refused as a malformed request.
Text = Annotated[str, Form(max_length=1000)]
LongText = Annotated[str, Form(max_length=200_000)]
Checked = Annotated[list[str] | None, Form()]

nav.register(nav.NavEntry("Guidance", N_("Challenges"), "/challenges", "records.read", 20))
nav.register(nav.NavEntry("Guidance", N_("Routes"), "/routes", "records.read", 25))

GEOMETRY_LABELS: dict[str, str] = {
    "Point": N_("Point"),
    "MultiPoint": N_("Points"),
    "LineString": N_("Line"),
    "MultiLineString": N_("Lines"),
    "Polygon": N_("Area"),
}
EVIDENCE_LABELS: dict[str, str] = {
    "alert": N_("Alert"),
    "indicator": N_("Indicator"),
    "document": N_("Document"),
    "record": N_("Record"),
    "link": N_("Link"),
}
# What a field of a record body is called on the form, for validation messages.
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
    "legs": N_("Stops"),
}
GAP = "---"  # a line of its own in the stops: no leg joins the stops around it
_SPLIT_CODES = re.compile(r"[\s,;]+")
_LONLAT = re.compile(r"^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*[,\s]\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$")
_DETAIL_POSITIONS = 20  # coordinates listed on a detail page before "… n positions"


# --- plain-text fields: parse and show back -----------------------------------------------------


def parse_countries(text: str) -> list[str]:
    """Alpha-2 or alpha-3 codes separated by commas, semicolons or spaces, as alpha-2."""
    out: list[str] = []
    for code in (c for c in _SPLIT_CODES.split(text) if c):
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


def _lonlat(text: str) -> list[float] | None:
    m = _LONLAT.match(text)
    return [float(m.group(1)), float(m.group(2))] if m else None


def _fmt(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _position_text(position: list[float] | tuple[float, ...]) -> str:
    return f"{_fmt(position[0])},{_fmt(position[1])}"


def parse_locations(text: str) -> list[dict[str, Any]]:
    """One location per line: `Name | lon,lat` (a point), `Name | lon,lat; lon,lat; …` (a line
    or border section) or `Name | {GeoJSON geometry}` (what the API or the map recorded)."""
    out: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = _("Locations, line %(n)d") % {"n": number}
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
        if rest.startswith("{"):
            try:
                geometry = json.loads(rest)
            except ValueError:
                raise InvalidInput(
                    _("%(where)s: the geometry is not valid GeoJSON") % {"where": where}
                ) from None
        else:
            positions = []
            for part in (p for p in rest.split(";") if p.strip()):
                position = _lonlat(part)
                if position is None:
                    raise InvalidInput(
                        _("%(where)s: %(value)r is not a position lon,lat (e.g. 61.6,28.96)")
                        % {"where": where, "value": part.strip()}
                    )
                positions.append(position)
            geometry = (
                {"type": "Point", "coordinates": positions[0]}
                if len(positions) == 1
                else {"type": "LineString", "coordinates": positions}
            )
        try:
            geometry = geo.validate_geometry(geometry, where=where)
            loc = Location.model_validate({"name": name, "geometry": geometry})
        except InvalidInput as exc:
            raise InvalidInput(exc.detail) from None
        except ValidationError as exc:
            raise InvalidInput(f"{where}: {_messages(exc)}") from None
        out.append(loc.model_dump(mode="json"))
    return out


def locations_text(locations: list[dict[str, Any]]) -> str:
    lines = []
    for loc in locations:
        geom = loc["geometry"]
        if geom["type"] == "Point":
            where = _position_text(geom["coordinates"])
        elif geom["type"] == "LineString":
            where = "; ".join(_position_text(p) for p in geom["coordinates"])
        else:
            # Points, lines and areas drawn elsewhere stay as they are (GeoJSON).
            where = json.dumps(geom, separators=(",", ":"))
        lines.append(f"{loc['name']} | {where}")
    return "\n".join(lines)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _default_kind(url: str | None, ref: str | None) -> str:
    if url:
        return "link"
    return "record" if ref and _is_uuid(ref) else "document"


def parse_evidence(text: str) -> list[dict[str, Any]]:
    """One item per line: `title | https://url` or `title | reference` (a record id, a file
    number), optionally `| kind` (alert, indicator, document, record, link)."""
    out: list[dict[str, Any]] = []
    kinds = ", ".join(EVIDENCE_KINDS)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = _("Evidence, line %(n)d") % {"n": number}
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
                % {"where": where, "kind": kind, "kinds": kinds}
            )
        try:
            item = Evidence.model_validate({"kind": kind, "title": title, "url": url, "ref": ref})
        except ValidationError as exc:
            raise InvalidInput(f"{where}: {_messages(exc)}") from None
        out.append(item.model_dump(mode="json", exclude_none=True))
    return out


def evidence_text(evidence: list[dict[str, Any]]) -> str:
    lines = []
    for e in evidence:
        url, ref = e.get("url"), e.get("ref")
        line = f"{e['title']} | {url or ref}"
        kind = e.get("kind", "link")
        if kind != _default_kind(url, ref) or (url and ref):
            line += f" | {kind}"
        lines.append(line)
    return "\n".join(lines)


def parse_stops(text: str) -> list[dict[str, Any]]:
    """One stop per line, `CC | hub | lon,lat | mode-to-next | note` (all but the country
    optional); consecutive stops make the legs, a line `---` separates stops no leg joins."""
    chains: list[list[tuple[int, dict[str, Any], str, str | None]]] = [[]]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = _("Stops, line %(n)d") % {"n": number}
        if line.strip() == GAP:
            if not chains[-1]:
                raise InvalidInput(
                    _("%(where)s: %(gap)s separates two groups of stops")
                    % {"where": where, "gap": GAP}
                )
            chains.append([])
            continue
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
            point = _lonlat(point_text)
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
                _(
                    "%(where)s: %(country)s has no outline on the map;"
                    " give the stop's position lon,lat"
                )
                % {"where": where, "country": countries.country_name(place["country"])}
            )
        mode = mode.lower() or "land"
        if mode not in MODES:
            raise InvalidInput(
                _("%(where)s: unknown mode %(mode)r (use land, sea, air or mixed)")
                % {"where": where, "mode": mode}
            )
        chains[-1].append((number, place, mode, note or None))
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


def _place_text(place: dict[str, Any]) -> list[str]:
    return [
        place["country"],
        place.get("hub") or "",
        _position_text(place["point"]) if place.get("point") else "",
    ]


def _stop_line(place: dict[str, Any], leg: dict[str, Any] | None) -> str:
    parts = _place_text(place)
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
    return place.get("hub") or countries.country_name(place["country"])


def leg_label(index: int, leg: dict[str, Any]) -> str:
    """ "0: Quetta → Zahedan": the leg's number (what a challenge cites) and its ends."""
    return f"{index}: {place_label(leg['from'])} → {place_label(leg['to'])}"


def _messages(exc: ValidationError) -> str:
    out = []
    for e in exc.errors(include_url=False, include_context=False, include_input=False):
        msg = str(e["msg"]).removeprefix("Value error, ")
        loc = [str(p) for p in e["loc"]]
        if loc and loc[0] in FIELD_LABELS:
            field = _(FIELD_LABELS[loc[0]])
            rest = ".".join(loc[1:])
            out.append(f"{field}{' ' + rest if rest else ''}: {msg}")
        elif loc:
            out.append(f"{'.'.join(loc)}: {msg}")
        else:
            out.append(msg)
    return "; ".join(out)


def _day(value: str, field: str) -> str | None:
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


# --- sharing: audience and labels ---------------------------------------------------------------


def _sharing(session: Session, auth: Auth) -> dict[str, Any]:
    peers = approved_peers(session)
    return {
        "peers": peers,
        "groups": list_groups(session),
        "purposes": [p for p in PURPOSES if p in auth.principal.purposes],
        "tlps": TLP_LEVELS,
    }


def _sharing_form(envelope: dict[str, Any], groups: list[Any]) -> dict[str, Any]:
    """The sharing fields of the form as the record has them: a group's members are checked
    through the group, not one by one, so unchecking the group removes them."""
    labels = envelope["labels"]
    audience = envelope.get("audience") or {}
    chosen_groups = set(audience.get("groups", []))
    via_groups = {
        m
        for g in groups
        if str(g.id) in chosen_groups
        for m in (g.envelope.get("body") or {}).get("members", [])
    }
    nodes = {n for n in audience.get("nodes", []) if n not in via_groups}
    return {
        "to": nodes | chosen_groups,
        "tlp": labels.get("tlp", "GREEN"),
        "handling": labels.get("handling", "H0"),
        "handling_note": labels.get("handling_note") or "",
        "purpose": labels.get("purpose", "cooperation"),
        "recipients": " ".join(labels.get("recipients", [])),
    }


def _error_text(exc: CorridorError) -> str:
    errors = exc.extra.get("errors")
    if isinstance(errors, list) and errors:
        return "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in errors
        )
    return exc.detail


def _visible_route(session: Session, node_id: str, auth: Auth, rid: str) -> RouteRow | None:
    try:
        row = session.get(RouteRow, uuid.UUID(rid))
    except ValueError:
        return None
    return row if row is not None and mapping.visible(auth.principal, row, node_id) else None


def _visible_challenge(session: Session, node_id: str, auth: Auth, cid: str) -> ChallengeRow | None:
    try:
        row = session.get(ChallengeRow, uuid.UUID(cid))
    except ValueError:
        return None
    return row if row is not None and mapping.visible(auth.principal, row, node_id) else None


def _active(envelope: dict[str, Any]) -> dict[str, Any]:
    body = envelope.get("body")
    if body is None:
        raise NotFound(_("it was withdrawn by the node that recorded it"))
    return body


# --- the network view of challenges -------------------------------------------------------------


def _filters(
    theme: list[str],
    severity: list[str],
    status: list[str],
    route: str,
    country: str,
    origin: str,
    since: str,
    until: str,
) -> tuple[mapping.Filters, list[str], dict[str, Any]]:
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
    f = mapping.Filters(
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


@router.get("/challenges", response_class=HTMLResponse)
def challenge_list(
    request: Request,
    auth: PageAuth,
    theme: Annotated[list[str] | None, Query(max_length=20)] = None,
    severity: Annotated[list[str] | None, Query(max_length=10)] = None,
    status: Annotated[list[str] | None, Query(max_length=10)] = None,
    route: Annotated[str, Query(max_length=64)] = "",
    country: Annotated[str, Query(max_length=64)] = "",
    origin: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=32)] = "",
    until: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    activate_locale(request, auth)
    f, errors, chosen = _filters(
        theme or [], severity or [], status or [], route, country, origin, since, until
    )
    node = node_of(request)
    with node.db.reading() as session:
        rows = mapping.list_challenges(session, node.id, actor=auth.principal, filters=f)
        routes = mapping.list_routes(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    members = sorted(
        {node.id, *(r.origin for r in rows), *names}, key=lambda n: (n != node.id, names.get(n, n))
    )
    return page(
        request,
        "mapping/challenges/list.html",
        {
            "items": rows,
            "routes": routes,
            "route_names": {str(r.id): r.name for r in routes},
            "names": names,
            "members": members,
            "chosen": chosen,
            "errors": errors,
            "today": clock.now().date(),
            **_vocabularies(),
        },
    )


def _vocabularies() -> dict[str, Any]:
    return {
        "themes": THEMES,
        "severities": SEVERITIES,
        "trends": TRENDS,
        "statuses": STATUSES,
        "modes": MODES,
        "geometry_labels": GEOMETRY_LABELS,
        "evidence_labels": EVIDENCE_LABELS,
        "country_name": countries.country_name,
        "leg_label": leg_label,
    }


# --- the challenge form -------------------------------------------------------------------------


def _empty_challenge_form() -> dict[str, Any]:
    return {
        "title": "",
        "description": "",
        "theme": "",
        "countries": "",
        "regions": "",
        "routes": set(),
        "legs": set(),
        "locations": "",
        "severity": "medium",
        "trend": "unknown",
        "status": "open",
        "evidence": "",
        "owner": "",
        "identified": "",
        "review_date": "",
        "to": set(),
        "tlp": "GREEN",
        "handling": "H0",
        "handling_note": "",
        "purpose": "cooperation",
        "recipients": "",
    }


def _challenge_form_of(envelope: dict[str, Any], groups: list[Any]) -> dict[str, Any]:
    body = envelope["body"]
    refs = body.get("routes", [])
    return {
        **_empty_challenge_form(),
        "title": body["title"],
        "description": body.get("description") or "",
        "theme": body["theme"],
        "countries": ", ".join(body["countries"]),
        "regions": ", ".join(body.get("regions", [])),
        "routes": {r["route"] for r in refs},
        "legs": {f"{r['route']}:{i}" for r in refs for i in r.get("legs", [])},
        "locations": locations_text(body.get("locations", [])),
        "severity": body.get("severity", "medium"),
        "trend": body.get("trend", "unknown"),
        "status": body.get("status", "open"),
        "evidence": evidence_text(body.get("evidence", [])),
        "owner": body.get("owner") or "",
        "identified": body.get("identified") or "",
        "review_date": body.get("review_date") or "",
        **_sharing_form(envelope, groups),
    }


def _challenge_page(
    request: Request,
    auth: Auth,
    *,
    envelope: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        sharing = _sharing(session, auth)
        routes = mapping.list_routes(session, node.id, actor=auth.principal)
    if form is None:
        form = (
            _challenge_form_of(envelope, sharing["groups"]) if envelope else _empty_challenge_form()
        )
    return page(
        request,
        "mapping/challenges/form.html",
        {
            "record": envelope,
            "form": form,
            "error": error,
            "routes": routes,
            "action": f"/challenges/{envelope['id']}/edit" if envelope else "/challenges/new",
            **sharing,
            **_vocabularies(),
        },
        status=status,
    )


def _route_refs(route: list[str], leg: list[str]) -> list[dict[str, Any]]:
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
        if not _is_uuid(rid):
            raise InvalidInput(_("Routes: %(value)r is not a route id") % {"value": rid})
        refs.append({"route": rid, "legs": sorted(set(legs))})
    return refs


def _challenge_body(form: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": form["title"].strip(),
        "description": form["description"].strip() or None,
        "theme": form["theme"],
        "countries": parse_countries(form["countries"]),
        "regions": parse_regions(form["regions"]),
        "routes": form["route_refs"],
        "locations": parse_locations(form["locations"]),
        "severity": form["severity"],
        "trend": form["trend"],
        "status": form["status"],
        "evidence": parse_evidence(form["evidence"]),
        "owner": form["owner"].strip() or None,
        "identified": _day(form["identified"], "identified"),
        "review_date": _day(form["review_date"], "review_date"),
    }
    body = {k: v for k, v in body.items() if v is not None}
    try:
        return ChallengeBody.model_validate(body).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise InvalidInput(_messages(exc)) from None


def _save_challenge(
    request: Request,
    auth: Auth,
    challenge_id: uuid.UUID | None,
    form: dict[str, Any],
) -> Response:
    activate_locale(request, auth)
    auth.principal.require("mapping.write")
    node = node_of(request)
    envelope = None
    try:
        with node.db.transaction() as session:
            if challenge_id is not None:
                envelope = mapping.get_record(
                    session, node.id, actor=auth.principal, type=CHALLENGE, record_id=challenge_id
                )
                # A partner's record is refused before its form is even read.
                _owned(envelope, node.id)
            form["route_refs"] = _route_refs(sorted(form["routes"]), sorted(form["legs"]))
            body = _challenge_body(form)
            labels = form_labels(
                tlp=form["tlp"],
                handling=form["handling"],
                handling_note=form["handling_note"],
                purpose=form["purpose"],
                recipients=form["recipients"],
                before=envelope["labels"] if envelope else None,
            )
            saved = mapping.save_challenge(
                session,
                node.keys,
                actor=auth.principal,
                body=body,
                labels=labels,
                to=sorted(form["to"]),
                challenge_id=challenge_id,
            )
    except InvalidInput as exc:
        return _challenge_page(
            request, auth, envelope=envelope, form=form, error=_error_text(exc), status=422
        )
    message = (
        _("Challenge recorded.")
        if challenge_id is None
        else _("Challenge updated (version %(v)d).") % {"v": saved["version"]}
    )
    return redirect(request, f"/challenges/{saved['id']}", message)


def challenge_form(
    title: Text = "",
    description: LongText = "",
    theme: Annotated[str, Form(max_length=40)] = "",
    countries: Text = "",
    regions: Text = "",
    route: Checked = None,
    leg: Checked = None,
    locations: LongText = "",
    severity: Annotated[str, Form(max_length=20)] = "medium",
    trend: Annotated[str, Form(max_length=20)] = "unknown",
    status: Annotated[str, Form(max_length=20)] = "open",
    evidence: LongText = "",
    owner: Text = "",
    identified: Annotated[str, Form(max_length=32)] = "",
    review_date: Annotated[str, Form(max_length=32)] = "",
    to: Checked = None,
    tlp: Annotated[str, Form(max_length=16)] = "GREEN",
    handling: Annotated[str, Form(max_length=4)] = "H0",
    handling_note: Text = "",
    purpose: Annotated[str, Form(max_length=32)] = "cooperation",
    recipients: Annotated[str, Form(max_length=4000)] = "",
) -> dict[str, Any]:
    """The posted challenge form, kept as typed so an error can show it back."""
    return {
        "title": title,
        "description": description,
        "theme": theme,
        "countries": countries,
        "regions": regions,
        "routes": set(route or []),
        "legs": set(leg or []),
        "locations": locations,
        "severity": severity,
        "trend": trend,
        "status": status,
        "evidence": evidence,
        "owner": owner,
        "identified": identified,
        "review_date": review_date,
        "to": set(to or []),
        "tlp": tlp,
        "handling": handling,
        "handling_note": handling_note,
        "purpose": purpose,
        "recipients": recipients,
    }


ChallengeForm = Annotated[dict[str, Any], Depends(challenge_form)]


@router.get("/challenges/new", response_class=HTMLResponse)
def challenge_new(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("mapping.write")
    return _challenge_page(request, auth)


@router.post("/challenges/new", response_class=HTMLResponse)
def challenge_create(request: Request, auth: PageAuth, form: ChallengeForm) -> Response:
    return _save_challenge(request, auth, None, form)


@router.get("/challenges/{challenge_id}", response_class=HTMLResponse)
def challenge_detail(request: Request, auth: PageAuth, challenge_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.get_record(
            session, node.id, actor=auth.principal, type=CHALLENGE, record_id=challenge_id
        )
        body = env.get("body") or {}
        routes = []
        for ref in body.get("routes", []):
            row = _visible_route(session, node.id, auth, ref["route"])
            routes.append(
                {
                    "id": ref["route"],
                    "name": row.name if row else None,
                    "legs": [
                        leg_label(i, row.legs[i]) if row and i < len(row.legs) else str(i)
                        for i in ref.get("legs", [])
                    ],
                }
            )
        evidence = []
        for e in body.get("evidence", []):
            href = None
            ref = e.get("ref")
            if ref and _is_uuid(ref):
                if _visible_challenge(session, node.id, auth, ref):
                    href = f"/challenges/{ref}"
                elif _visible_route(session, node.id, auth, ref):
                    href = f"/routes/{ref}"
            evidence.append({**e, "href": href})
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "mapping/challenges/detail.html",
        {
            "e": env,
            "b": body,
            "routes": routes,
            "evidence": evidence,
            "locations": [_location_view(loc) for loc in body.get("locations", [])],
            "names": names,
            "own": env["origin"] == node.id,
            "can_edit": env["origin"] == node.id
            and bool(body)
            and auth.principal.has("mapping.write"),
            "map_query": urlencode({"country": body["countries"][0]}) if body else "",
            "today": clock.now().date().isoformat(),
            **_vocabularies(),
        },
    )


def _location_view(loc: dict[str, Any]) -> dict[str, Any]:
    geom = loc["geometry"]
    points = geo.geometry_points(geom)
    shown = "; ".join(_position_text(p) for p in points[:_DETAIL_POSITIONS])
    if len(points) > _DETAIL_POSITIONS:
        shown += " … " + _("%(n)d positions in all") % {"n": len(points)}
    return {"name": loc["name"], "type": geom["type"], "coordinates": shown}


@router.get("/challenges/{challenge_id}/edit", response_class=HTMLResponse)
def challenge_edit(request: Request, auth: PageAuth, challenge_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require("mapping.write")
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.get_record(
            session, node.id, actor=auth.principal, type=CHALLENGE, record_id=challenge_id
        )
    _owned(env, node.id)
    return _challenge_page(request, auth, envelope=env)


def _owned(envelope: dict[str, Any], node_id: str) -> None:
    _active(envelope)
    if envelope["origin"] != node_id:
        raise PermissionDenied(_("only the node that recorded it may change it"))


@router.post("/challenges/{challenge_id}/edit", response_class=HTMLResponse)
def challenge_update(
    request: Request, auth: PageAuth, challenge_id: uuid.UUID, form: ChallengeForm
) -> Response:
    return _save_challenge(request, auth, challenge_id, form)


def _withdraw(
    request: Request, auth: Auth, *, type: str, record_id: uuid.UUID, reason: str, back: str
) -> Response:
    activate_locale(request, auth)
    auth.principal.require("mapping.write")
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            mapping.withdraw(
                session,
                node.keys,
                actor=auth.principal,
                type=type,
                record_id=record_id,
                reason=reason,
            )
    except CorridorError as exc:
        return redirect(request, back, exc.detail)
    return redirect(request, back, _("Withdrawn: every partner node that holds it purges it."))


@router.post("/challenges/{challenge_id}/withdraw")
def challenge_withdraw(
    request: Request,
    auth: PageAuth,
    challenge_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _withdraw(
        request,
        auth,
        type=CHALLENGE,
        record_id=challenge_id,
        reason=reason,
        back=f"/challenges/{challenge_id}",
    )


# --- routes -------------------------------------------------------------------------------------


@router.get("/routes", response_class=HTMLResponse)
def route_list(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        routes = mapping.list_routes(session, node.id, actor=auth.principal)
        challenges = mapping.list_challenges(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    counts: Counter[str] = Counter(ref["route"] for c in challenges for ref in c.routes)
    return page(
        request,
        "mapping/routes/list.html",
        {"items": routes, "counts": counts, "names": names, **_vocabularies()},
    )


def _empty_route_form() -> dict[str, Any]:
    return {
        "name": "",
        "description": "",
        "stops": "",
        "to": set(),
        "tlp": "GREEN",
        "handling": "H0",
        "handling_note": "",
        "purpose": "cooperation",
        "recipients": "",
    }


def _route_page(
    request: Request,
    auth: Auth,
    *,
    envelope: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        sharing = _sharing(session, auth)
    if form is None:
        form = _empty_route_form()
        if envelope:
            body = envelope["body"]
            form.update(
                name=body["name"],
                description=body.get("description") or "",
                stops=stops_text(body["legs"]),
                **_sharing_form(envelope, sharing["groups"]),
            )
    return page(
        request,
        "mapping/routes/form.html",
        {
            "record": envelope,
            "form": form,
            "error": error,
            "gap": GAP,
            "action": f"/routes/{envelope['id']}/edit" if envelope else "/routes/new",
            **sharing,
            **_vocabularies(),
        },
        status=status,
    )


def _save_route(
    request: Request, auth: Auth, route_id: uuid.UUID | None, form: dict[str, Any]
) -> Response:
    activate_locale(request, auth)
    auth.principal.require("mapping.write")
    node = node_of(request)
    envelope = None
    try:
        with node.db.transaction() as session:
            if route_id is not None:
                envelope = mapping.get_record(
                    session, node.id, actor=auth.principal, type=ROUTE, record_id=route_id
                )
                # A partner's record is refused before its form is even read.
                _owned(envelope, node.id)
            body: dict[str, Any] = {
                "name": form["name"].strip(),
                "legs": parse_stops(form["stops"]),
            }
            if form["description"].strip():
                body["description"] = form["description"].strip()
            try:
                body = RouteBody.model_validate(body).model_dump(mode="json", exclude_none=True)
            except ValidationError as exc:
                raise InvalidInput(_messages(exc)) from None
            labels = form_labels(
                tlp=form["tlp"],
                handling=form["handling"],
                handling_note=form["handling_note"],
                purpose=form["purpose"],
                recipients=form["recipients"],
                before=envelope["labels"] if envelope else None,
            )
            saved = mapping.save_route(
                session,
                node.keys,
                actor=auth.principal,
                body=body,
                labels=labels,
                to=sorted(form["to"]),
                route_id=route_id,
            )
    except InvalidInput as exc:
        return _route_page(
            request, auth, envelope=envelope, form=form, error=_error_text(exc), status=422
        )
    message = (
        _("Route recorded.")
        if route_id is None
        else _("Route updated (version %(v)d).") % {"v": saved["version"]}
    )
    return redirect(request, f"/routes/{saved['id']}", message)


def route_form(
    name: Text = "",
    description: LongText = "",
    stops: LongText = "",
    to: Checked = None,
    tlp: Annotated[str, Form(max_length=16)] = "GREEN",
    handling: Annotated[str, Form(max_length=4)] = "H0",
    handling_note: Text = "",
    purpose: Annotated[str, Form(max_length=32)] = "cooperation",
    recipients: Annotated[str, Form(max_length=4000)] = "",
) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "stops": stops,
        "to": set(to or []),
        "tlp": tlp,
        "handling": handling,
        "handling_note": handling_note,
        "purpose": purpose,
        "recipients": recipients,
    }


RouteForm = Annotated[dict[str, Any], Depends(route_form)]


@router.get("/routes/new", response_class=HTMLResponse)
def route_new(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("mapping.write")
    return _route_page(request, auth)


@router.post("/routes/new", response_class=HTMLResponse)
def route_create(request: Request, auth: PageAuth, form: RouteForm) -> Response:
    return _save_route(request, auth, None, form)


@router.get("/routes/{route_id}", response_class=HTMLResponse)
def route_detail(request: Request, auth: PageAuth, route_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.get_record(
            session, node.id, actor=auth.principal, type=ROUTE, record_id=route_id
        )
        body = env.get("body") or {}
        challenges = (
            mapping.list_challenges(
                session, node.id, actor=auth.principal, filters=mapping.Filters(route=route_id)
            )
            if body
            else []
        )
        names = node_names(session, node.id, own_label(request))
    legs = body.get("legs", [])
    cited = []
    for c in challenges:
        ref = next(r for r in c.routes if r["route"] == str(route_id))
        cited.append(
            {
                "row": c,
                "legs": [leg_label(i, legs[i]) for i in ref.get("legs", []) if i < len(legs)],
            }
        )
    return page(
        request,
        "mapping/routes/detail.html",
        {
            "e": env,
            "b": body,
            "legs": legs,
            "countries": RouteBody.model_validate(body).countries() if body else [],
            "challenges": cited,
            "names": names,
            "own": env["origin"] == node.id,
            "can_edit": env["origin"] == node.id
            and bool(body)
            and auth.principal.has("mapping.write"),
            **_vocabularies(),
        },
    )


@router.get("/routes/{route_id}/edit", response_class=HTMLResponse)
def route_edit(request: Request, auth: PageAuth, route_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require("mapping.write")
    node = node_of(request)
    with node.db.transaction() as session:
        env = mapping.get_record(
            session, node.id, actor=auth.principal, type=ROUTE, record_id=route_id
        )
    _owned(env, node.id)
    return _route_page(request, auth, envelope=env)


@router.post("/routes/{route_id}/edit", response_class=HTMLResponse)
def route_update(
    request: Request, auth: PageAuth, route_id: uuid.UUID, form: RouteForm
) -> Response:
    return _save_route(request, auth, route_id, form)


@router.post("/routes/{route_id}/withdraw")
def route_withdraw(
    request: Request,
    auth: PageAuth,
    route_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _withdraw(
        request, auth, type=ROUTE, record_id=route_id, reason=reason, back=f"/routes/{route_id}"
    )
