"""One-click reports: the challenges and the commitment progress of the whole network, of a
country or of a route, with a static map and the provenance of every record included.

Everything is read through the mapping services, which apply the user's visibility (purpose,
TLP:RED recipients), so a report never shows more than the user could see on the map. This
module assembles data (codes, ids, numbers); the page translates and lays it out."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from corridor import clock, countries
from corridor.errors import CorridorError, InvalidInput, NotFound
from corridor.i18n import N_
from corridor.mapping import geo
from corridor.mapping.challenges.models import ChallengeRow
from corridor.mapping.challenges.records import CHALLENGE, challenge_summary
from corridor.mapping.challenges.schemas import SEVERITIES, SEVERITY_RANK
from corridor.mapping.challenges.service import Filters, list_challenges
from corridor.mapping.commitments.models import ActionRow, CommitmentRow, EndorsementRow
from corridor.mapping.commitments.progress import Portfolio
from corridor.mapping.commitments.records import ACTION, COMMITMENT, ENDORSEMENT
from corridor.mapping.reports.svg import svg_map
from corridor.mapping.routes.models import RouteRow
from corridor.mapping.routes.records import ROUTE
from corridor.mapping.routes.service import list_routes, route_view
from corridor.mapping.schemas import THEMATIC_AREAS, THEME_ORDER
from corridor.records.labels import TLP_LEVELS
from corridor.security.principal import Principal

SCOPES: dict[str, str] = {
    "network": N_("The whole network"),
    "country": N_("A country"),
    "route": N_("A route"),
}
# Purple, light to dark: the route lines (red, svg.ROUTE) stay distinct on every fill.
SEVERITY_COLOURS: dict[str, str] = {
    "low": "#e0d6ee",
    "medium": "#b39ddb",
    "high": "#7e57c2",
    "critical": "#4a148c",
}
SOURCE_TYPES: dict[str, str] = {
    CHALLENGE: N_("Challenge"),
    ROUTE: N_("Route"),
    COMMITMENT: N_("Commitment"),
    ENDORSEMENT: N_("Endorsement"),
    ACTION: N_("Commitment action"),
}
# A country report shows the main territory and what lies near it (Crete with Greece, Sicily and
# Lampedusa with Italy), not overseas territories that would shrink it to a dot (Guiana, Réunion).
NEAR_DEGREES = 3.0
MAX_PARAM = 64
# The records a report is computed from, listed as its sources.
Source = ChallengeRow | RouteRow | CommitmentRow | EndorsementRow | ActionRow


class InvalidScope(CorridorError):
    """A report asked for something that is not a scope (400, not a validation error of 422:
    the request is simply not one this page answers)."""

    status = 400
    title = "Invalid report scope"
    type_slug = "invalid-report-scope"


@dataclass(frozen=True)
class Scope:
    kind: str  # network | country | route
    country: str | None = None
    route: uuid.UUID | None = None


def parse_scope(kind: str | None, country: str | None, route: str | None) -> Scope:
    """The scope of /reports/view from its query; InvalidScope explains what is wrong."""
    kind = (kind or "").strip()
    if kind not in SCOPES:
        raise InvalidScope(f"unknown report scope {_show(kind)}: choose network, country or route")
    if kind == "country":
        value = (country or "").strip()
        if not value:
            raise InvalidScope("choose the country of the report")
        if len(value) > MAX_PARAM:
            raise InvalidScope("a country is an ISO 3166-1 code, e.g. PK or PAK")
        try:
            return Scope("country", country=countries.normalise(value))
        except InvalidInput as exc:
            raise InvalidScope(exc.detail) from None
    if kind == "route":
        value = (route or "").strip()
        if not value:
            raise InvalidScope("choose the route of the report")
        try:
            if len(value) > MAX_PARAM:
                raise ValueError(value)
            return Scope("route", route=uuid.UUID(value))
        except ValueError:
            raise InvalidScope(f"{_show(value)} is not a route id") from None
    return Scope("network")


def _show(value: str) -> str:
    # A pasted document in the query string must not flood the error page.
    return repr(value if len(value) <= 40 else value[:37] + "...")


# --- the report -------------------------------------------------------------------------------


@dataclass
class MapSpec:
    """What the static map draws: svg_map's arguments, without the translated texts."""

    fills: dict[str, str] = field(default_factory=dict)
    lines: list[list[tuple[float, float]]] = field(default_factory=list)
    points: list[tuple[float, float]] = field(default_factory=list)
    bbox: geo.BBox | None = None


@dataclass
class Report:
    scope: Scope
    subject: str | None  # the country's or the route's name
    generated_at: datetime
    user: str
    challenges: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    summary: dict[str, Any]
    routes: list[dict[str, Any]]
    map: MapSpec
    commitments: dict[str, Any]
    sources: list[dict[str, Any]]
    highest_tlp: str | None

    @property
    def count(self) -> int:
        return len(self.sources)


def build_report(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    scope: Scope,
    names: dict[str, str],
    country_of: dict[str, str],
) -> Report:
    """Assemble a report. An unknown or invisible route is NotFound (404), never a hint that it
    exists. `names` and `country_of` map node ids to display names and countries."""
    actor.require("records.read")
    today = clock.now().date()
    routes = list_routes(session, node_id, actor=actor)
    subject: str | None = None
    links: dict[uuid.UUID, tuple[str, list[int]]] = {}
    if scope.kind == "route":
        route = next((r for r in routes if r.id == scope.route), None)
        if route is None:
            raise NotFound(f"no route {scope.route} on this node")
        routes, subject = [route], route.name
        rows = _route_challenges(list_challenges(session, node_id, actor=actor), route, links)
    elif scope.kind == "country":
        assert scope.country is not None
        subject = countries.country_name(scope.country)
        rows = list_challenges(
            session, node_id, actor=actor, filters=Filters(country=scope.country)
        )
        routes = [r for r in routes if scope.country in r.countries]
    else:
        rows = list_challenges(session, node_id, actor=actor)

    challenges = [_challenge_item(r, names, today, links.get(r.id)) for r in rows]
    portfolio = Portfolio(session, node_id, actor)
    commitments, progress_rows = _commitments(session, portfolio, scope, routes, country_of)
    sources = _sources(
        [(CHALLENGE, r) for r in rows] + [(ROUTE, r) for r in routes] + progress_rows,
        names,
        {c.id: c.title for c in portfolio.commitments},
    )
    return Report(
        scope=scope,
        subject=subject,
        generated_at=clock.now(),
        user=actor.handle,
        challenges=challenges,
        themes=_by_theme(challenges),
        summary=_summary(challenges),
        routes=[{**route_view(r), "member": names.get(r.origin, r.origin)} for r in routes],
        map=_map_spec(scope, rows, routes),
        commitments=commitments,
        sources=sources,
        highest_tlp=max((s["tlp"] for s in sources), key=TLP_LEVELS.index, default=None),
    )


def _route_challenges(
    rows: list[ChallengeRow],
    route: RouteRow,
    links: dict[uuid.UUID, tuple[str, list[int]]],
) -> list[ChallengeRow]:
    """Challenges that cite the route (with the legs they cite) and challenges in the route's
    countries; `links` records which is which, so the report can say so."""
    rid = str(route.id)
    out = []
    for r in rows:
        refs = [ref for ref in r.routes if ref["route"] == rid]
        if refs:
            legs = sorted({leg for ref in refs for leg in ref.get("legs", [])})
            links[r.id] = ("route", legs)
        elif set(r.countries) & set(route.countries):
            links[r.id] = ("country", [])
        else:
            continue
        out.append(r)
    return out


def _challenge_item(
    row: ChallengeRow,
    names: dict[str, str],
    today: date,
    link: tuple[str, list[int]] | None,
) -> dict[str, Any]:
    # The challenge as the list shows it, with its dates as dates (the report formats them).
    return {
        **challenge_summary(row),
        "member": names.get(row.origin, row.origin),
        "identified": row.identified,
        "review_date": row.review_date,
        # A review date in the past on a challenge that is still open is a reminder for its
        # owner; a resolved challenge needs no review.
        "review_overdue": bool(
            row.review_date and row.review_date < today and row.status != "resolved"
        ),
        "link": link[0] if link else None,
        "legs": [i + 1 for i in link[1]] if link else [],
    }


def _by_theme(challenges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every thematic area (an empty one says so: absence is a finding too), then the other
    themes that have challenges."""
    out = []
    for theme in THEME_ORDER:
        items = [c for c in challenges if c["theme"] == theme]
        if items or theme in THEMATIC_AREAS:
            out.append({"theme": theme, "thematic": theme in THEMATIC_AREAS, "items": items})
    return out


def _summary(challenges: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by theme (rows) and severity (columns), with totals."""
    severities = list(SEVERITIES)
    rows: list[dict[str, Any]] = []
    for theme in THEME_ORDER:
        counts = [
            sum(1 for c in challenges if c["theme"] == theme and c["severity"] == s)
            for s in severities
        ]
        if sum(counts) or theme in THEMATIC_AREAS:
            rows.append({"theme": theme, "counts": counts, "total": sum(counts)})
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(severities))]
    return {"severities": severities, "rows": rows, "totals": totals, "total": sum(totals)}


# --- the map ----------------------------------------------------------------------------------


def _map_spec(scope: Scope, rows: list[ChallengeRow], routes: list[RouteRow]) -> MapSpec:
    spec = MapSpec()
    rank: dict[str, int] = {}
    for r in rows:
        for cc in r.countries:
            rank[cc] = max(rank.get(cc, 0), SEVERITY_RANK[r.severity])
    by_rank = {v: k for k, v in SEVERITY_RANK.items()}
    known = geo.countries()
    # Only countries the atlas draws can be filled (a code like "TV" has no outline at 1:50m).
    spec.fills = {cc: SEVERITY_COLOURS[by_rank[v]] for cc, v in rank.items() if cc in known}
    hubs: list[tuple[float, float]] = []
    for route in routes:
        for leg in route_view(route)["legs"]:
            start = (leg["from"]["point"][0], leg["from"]["point"][1])
            end = (leg["to"]["point"][0], leg["to"]["point"][1])
            spec.lines.append([start, end])
            hubs += [p for p in (start, end) if p not in hubs]
    places: list[tuple[float, float]] = []
    for r in rows:
        for loc in r.locations:
            # Crossing points and areas' markers; drawn lines would read as routes.
            if loc["geometry"]["type"] in ("Point", "MultiPoint"):
                places += geo.geometry_points(loc["geometry"])
    spec.points = hubs + [p for p in places if p not in hubs]
    if scope.kind == "country" and scope.country:
        spec.bbox = country_box(scope.country, near=places)
    elif scope.kind == "route":
        spec.bbox = geo.bbox_of(hubs, margin_deg=2.0)
    return spec


def country_box(cc: str, near: Iterable[tuple[float, float]] = ()) -> geo.BBox | None:
    """The country's main territory and the land near it, with a margin, widened to the
    `near` points close to it (an island too small for the atlas, such as Lampedusa); None
    (the world) for a country the atlas does not draw."""
    country = geo.countries().get(cc)
    if country is None:
        return None
    main = next((p for p in country.polygons if geo.in_polygon(country.point, p)), None)
    boxes = [_ring_box(p[0]) for p in country.polygons]
    if main is not None:
        lon0, lat0, lon1, lat1 = _ring_box(main[0])
        boxes = [
            b
            for b in boxes
            if b[0] <= lon1 + NEAR_DEGREES
            and b[2] >= lon0 - NEAR_DEGREES
            and b[1] <= lat1 + NEAR_DEGREES
            and b[3] >= lat0 - NEAR_DEGREES
        ]
    lon0, lat0, lon1, lat1 = _ring_box(
        [(b[0], b[1]) for b in boxes] + [(b[2], b[3]) for b in boxes]
    )
    boxes += [
        (lon, lat, lon, lat)
        for lon, lat in near
        if lon0 - NEAR_DEGREES <= lon <= lon1 + NEAR_DEGREES
        and lat0 - NEAR_DEGREES <= lat <= lat1 + NEAR_DEGREES
    ]
    corners = [(b[0], b[1]) for b in boxes] + [(b[2], b[3]) for b in boxes]
    span = max(max(p[0] for p in corners) - min(p[0] for p in corners), 1.0)
    return geo.bbox_of(corners, margin_deg=min(3.0, max(0.5, span * 0.08)))


def _ring_box(ring: Iterable[tuple[float, float]]) -> geo.BBox:
    pts = list(ring)
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    return (min(lons), min(lats), max(lons), max(lats))


def static_map(spec: MapSpec, *, title: str, note: str) -> str:
    """The report's SVG map. svg_map escapes the title and the note and checks every fill, so
    the markup is safe to embed as it is."""
    return svg_map(
        fills=spec.fills,
        lines=spec.lines,
        points=spec.points,
        bbox=spec.bbox,
        width=900,
        title=title,
        note=note,
    )


# --- commitments ------------------------------------------------------------------------------


def _commitments(
    session: Session,
    portfolio: Portfolio,
    scope: Scope,
    routes: list[RouteRow],
    country_of: dict[str, str],
) -> tuple[dict[str, Any], list[tuple[str, Source]]]:
    """The progress section for the scope and the records it is computed from."""
    if scope.kind == "network":
        dashboard = portfolio.dashboard(country_of)
        used: list[tuple[str, Source]] = [(COMMITMENT, c) for c in portfolio.commitments]
        used += [(ENDORSEMENT, e) for es in portfolio.endorsements.values() for e in es]
        used += _action_rows(session, [a for acts in portfolio.actions.values() for a in acts])
        return {
            "kind": "dashboard",
            "dashboard": dashboard,
            "summaries": portfolio.summaries(),
        }, used
    codes = [scope.country] if scope.kind == "country" else routes[0].countries
    cards = [portfolio.scorecard(cc) for cc in codes if cc]
    by_id = {str(c.id): c for c in portfolio.commitments}
    used = []
    for card in cards:
        for entry in card["commitments"]:
            used.append((COMMITMENT, by_id[entry["commitment"]["id"]]))
            used += _action_rows(session, entry["actions"])
    return {
        "kind": "scorecards",
        "scorecards": cards,
        # The countries of a route with no action at all are named, not silently left out.
        "without_actions": [c["country"] for c in cards if not c["actions"]],
    }, used


def _action_rows(session: Session, actions: list[dict[str, Any]]) -> list[tuple[str, Source]]:
    # Portfolio already checked the user may see each action; its rows carry the version and
    # labels the sources list needs (already in the session's identity map).
    out: list[tuple[str, Source]] = []
    for a in actions:
        row = session.get(ActionRow, uuid.UUID(a["id"]))
        if row is not None:
            out.append((ACTION, row))
    return out


def _title(row: Source, commitment_titles: dict[uuid.UUID, str]) -> str | None:
    if isinstance(row, RouteRow):
        return row.name
    if isinstance(row, EndorsementRow):
        return commitment_titles.get(row.commitment_id)
    return row.title


def _sources(
    used: list[tuple[str, Source]],
    names: dict[str, str],
    commitment_titles: dict[uuid.UUID, str],
) -> list[dict[str, Any]]:
    """The provenance of the report: one line per record, newest change first within a type.
    An endorsement has no title of its own: it is named by its commitment's."""
    seen: set[Any] = set()
    out: list[dict[str, Any]] = []
    for kind, row in used:
        rid = row.id
        if rid in seen:
            continue
        seen.add(rid)
        out.append(
            {
                "type": kind,
                "id": str(rid),
                "version": row.version,
                "origin": row.origin,
                "member": names.get(row.origin, row.origin),
                "updated_at": clock.as_utc(row.updated_at),
                "tlp": row.tlp,
                "title": _title(row, commitment_titles),
            }
        )
    order = list(SOURCE_TYPES)
    out.sort(key=lambda s: (order.index(s["type"]), -s["updated_at"].timestamp()))
    return out


# --- choosing a scope -------------------------------------------------------------------------


def scope_choices(session: Session, node_id: str, *, actor: Principal) -> dict[str, Any]:
    """What /reports offers: the countries that have challenges or actions this user may see,
    and the routes, each by name."""
    found: set[str] = set()
    for r in list_challenges(session, node_id, actor=actor):
        found.update(r.countries)
    portfolio = Portfolio(session, node_id, actor)
    for acts in portfolio.actions.values():
        found.update(a["country"] for a in acts)
    named = sorted(((cc, countries.country_name(cc)) for cc in found), key=lambda c: c[1])
    routes = [(str(r.id), r.name) for r in list_routes(session, node_id, actor=actor)]
    return {"countries": named, "routes": routes}
