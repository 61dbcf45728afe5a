"""Routes and challenges: record them, share them, and aggregate every member's for the map.

The network view is what this node holds: its own records and those partners addressed to it,
each shown only to the users its labels allow (records.policy.can_see)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import InvalidInput, NotFound, PermissionDenied
from corridor.mapping import geo
from corridor.mapping.models import ChallengeRow, RouteRow
from corridor.mapping.records import CHALLENGE, ROUTE, challenge_summary
from corridor.mapping.schemas import SEVERITY_RANK, ChallengeBody
from corridor.node.keys import NodeKeys
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.labels import Labels, audience_for
from corridor.records.models import StoredRecord
from corridor.records.policy import can_see
from corridor.records.projection import Labelled, label_view, visible
from corridor.security.principal import Principal


def visible_rows(
    session: Session, model: type[Labelled], node_id: str, actor: Principal, *where: Any
) -> list[Any]:
    actor.require("records.read")
    q = select(model).where(model.purpose.in_(sorted(actor.purposes)), *where)
    return [r for r in session.scalars(q) if visible(actor, r, node_id)]


def get_record(
    session: Session, node_id: str, *, actor: Principal, type: str, record_id: uuid.UUID
) -> dict[str, Any]:
    envelope = records.get_visible(session, node_id, actor=actor, record_id=record_id)
    if envelope["type"] != type:
        raise NotFound(f"no {registry.get(type).title.lower()} {record_id}")
    return envelope


def write_own(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    type: str,
    body: dict[str, Any],
    labels: Labels | None,
    to: list[str] | None,
    record_id: uuid.UUID | None,
    sources: list[flow.Source] | None = None,
) -> dict[str, Any]:
    """Create a record of this node, or (with an id) a new version of one it owns. `sources`:
    the records it draws on (records.flow), checked against its labels and audience."""
    actor.require("mapping.write")
    audience = audience_for(to) if to is not None else None
    if record_id is None:
        return records.create(
            session,
            keys,
            actor=actor,
            type=type,
            body=body,
            labels=labels or Labels(tlp="GREEN"),
            audience=audience,
            sources=sources or (),
        )
    existing = get_record(session, keys.node_id, actor=actor, type=type, record_id=record_id)
    if existing["origin"] != keys.node_id:
        raise PermissionDenied("only the node that recorded it may change it")
    return records.update(
        session,
        keys,
        actor=actor,
        record_id=record_id,
        body=body,
        labels=labels,
        audience=audience,
        sources=sources,
    )


def save_route(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    body: dict[str, Any],
    labels: Labels | None = None,
    to: list[str] | None = None,
    route_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    body = registry.validate_body(ROUTE, body)
    known = geo.countries()
    for i, leg in enumerate(body["legs"]):
        for end in ("from", "to"):
            place = leg[end]
            if not place.get("point") and place["country"] not in known:
                raise InvalidInput(
                    f"legs[{i}].{end}: {place['country']} has no outline on the map; "
                    "give the stop's point [longitude, latitude]"
                )
    return write_own(
        session,
        keys,
        actor=actor,
        type=ROUTE,
        body=body,
        labels=labels,
        to=to,
        record_id=route_id,
    )


def _check_route_refs(
    session: Session, node_id: str, actor: Principal, body: ChallengeBody
) -> list[flow.Source]:
    """The routes a challenge cites, as flow sources (their labels bind the challenge's)."""
    sources = []
    for i, ref in enumerate(body.routes):
        row = session.get(RouteRow, ref.route)
        if row is None or not visible(actor, row, node_id):
            raise InvalidInput(f"routes[{i}]: no route {ref.route} on this node")
        bad = [leg for leg in ref.legs if leg >= len(row.legs)]
        if bad:
            raise InvalidInput(
                f"routes[{i}]: route {row.name!r} has {len(row.legs)} legs; no leg {bad[0]}"
            )
        record = session.get(StoredRecord, ref.route)
        if record is not None:
            source = flow.of_record(record.envelope, path="link")
            sources.append(dataclasses.replace(source, name=row.name))
    return sources


def save_challenge(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    body: dict[str, Any],
    labels: Labels | None = None,
    to: list[str] | None = None,
    challenge_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    body = registry.validate_body(CHALLENGE, body)
    sources = _check_route_refs(session, keys.node_id, actor, ChallengeBody.model_validate(body))
    return write_own(
        session,
        keys,
        actor=actor,
        type=CHALLENGE,
        body=body,
        labels=labels,
        to=to,
        record_id=challenge_id,
        sources=sources,
    )


def withdraw(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    type: str,
    record_id: uuid.UUID,
    reason: str,
) -> dict[str, Any]:
    actor.require("mapping.write")
    existing = get_record(session, keys.node_id, actor=actor, type=type, record_id=record_id)
    if existing["origin"] != keys.node_id:
        raise PermissionDenied("only the node that recorded it may withdraw it")
    return records.revoke(session, keys, actor=actor, record_id=record_id, reason=reason)


# --- the network view -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    themes: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    route: uuid.UUID | None = None
    country: str | None = None
    origin: str | None = None
    since: date | None = None
    until: date | None = None

    def echo(self) -> dict[str, Any]:
        return {
            "theme": list(self.themes),
            "severity": list(self.severities),
            "status": list(self.statuses),
            "route": str(self.route) if self.route else None,
            "country": self.country,
            "origin": self.origin,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def challenge_day(row: ChallengeRow) -> date:
    return row.identified or row.updated_at.date()


def list_routes(session: Session, node_id: str, *, actor: Principal) -> list[RouteRow]:
    rows = visible_rows(session, RouteRow, node_id, actor)
    return sorted(rows, key=lambda r: r.name.lower())


def _where(filters: Filters) -> list[Any]:
    where: list[Any] = []
    if filters.themes:
        where.append(ChallengeRow.theme.in_(filters.themes))
    if filters.severities:
        where.append(ChallengeRow.severity.in_(filters.severities))
    if filters.statuses:
        where.append(ChallengeRow.status.in_(filters.statuses))
    if filters.origin:
        where.append(ChallengeRow.origin == filters.origin)
    return where


def _keep(row: Any, filters: Filters) -> bool:
    # Filters on JSON lists and on a date with a fallback are applied here, on both stores alike.
    if filters.country and filters.country not in row.countries:
        return False
    if filters.route and not any(ref["route"] == str(filters.route) for ref in row.routes):
        return False
    day = challenge_day(row)
    return not (filters.since and day < filters.since) and not (
        filters.until and day > filters.until
    )


def _challenges(
    session: Session, node_id: str, actor: Principal, filters: Filters, *columns: Any
) -> list[Any]:
    """Visible challenges matching the filters, most severe first: ORM rows, or rows of the
    given columns (which must include the label columns and those the filters read)."""
    actor.require("records.read")
    q = select(*columns) if columns else select(ChallengeRow)
    q = q.where(ChallengeRow.purpose.in_(sorted(actor.purposes)), *_where(filters))
    rows = session.execute(q).all() if columns else session.scalars(q).all()
    out = [r for r in rows if can_see(actor, label_view(r), node_id) and _keep(r, filters)]
    out.sort(key=lambda r: (-SEVERITY_RANK[r.severity], r.title.lower()))
    return out


def list_challenges(
    session: Session, node_id: str, *, actor: Principal, filters: Filters = Filters()
) -> list[ChallengeRow]:
    return _challenges(session, node_id, actor, filters)


# What the map needs of each challenge: labels, filter fields, tallies and the stored summary.
MAP_COLUMNS = (
    ChallengeRow.origin,
    ChallengeRow.author,
    ChallengeRow.tlp,
    ChallengeRow.purpose,
    ChallengeRow.recipients,
    ChallengeRow.title,
    ChallengeRow.theme,
    ChallengeRow.severity,
    ChallengeRow.countries,
    ChallengeRow.routes,
    ChallengeRow.identified,
    ChallengeRow.updated_at,
    ChallengeRow.summary,
)


def place_point(place: dict[str, Any]) -> list[float]:
    """A stop's own position, else its country's representative point (a route is refused
    when a stop has neither, see `save_route`)."""
    if place.get("point"):
        return list(place["point"])
    return list(geo.countries()[place["country"]].point)


def route_view(row: RouteRow, challenges: int = 0) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "origin": row.origin,
        "countries": row.countries,
        "challenges": challenges,
        "legs": [
            {
                "from": {**leg["from"], "point": place_point(leg["from"])},
                "to": {**leg["to"], "point": place_point(leg["to"])},
                "mode": leg.get("mode", "land"),
                "note": leg.get("note"),
            }
            for leg in row.legs
        ],
    }


@dataclass
class CountryTally:
    count: int = 0
    max_rank: int = 0
    themes: Counter[str] = field(default_factory=Counter)

    def view(self) -> dict[str, Any]:
        severity = next((s for s, r in SEVERITY_RANK.items() if r == self.max_rank), None)
        return {"count": self.count, "max_severity": severity, "themes": dict(self.themes)}


def map_data(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    filters: Filters = Filters(),
    raw: bool = False,
) -> dict[str, Any]:
    """Everything the map draws: per-country tallies (the choropleth), routes, challenges.
    With `raw`, each challenge is its summary's JSON text (see `map_json`)."""
    challenges = _challenges(session, node_id, actor, filters, *MAP_COLUMNS)
    tallies: dict[str, CountryTally] = defaultdict(CountryTally)
    per_route: Counter[str] = Counter()
    for c in challenges:
        rank = SEVERITY_RANK[c.severity]
        for cc in c.countries:
            t = tallies[cc]
            t.count += 1
            t.max_rank = max(t.max_rank, rank)
            t.themes[c.theme] += 1
        for ref in c.routes:
            per_route[ref["route"]] += 1
    routes = list_routes(session, node_id, actor=actor)
    if filters.route:
        routes = [r for r in routes if r.id == filters.route]
    return {
        "generated_at": clock.iso(clock.now()),
        "filters": filters.echo(),
        "countries": {cc: t.view() for cc, t in sorted(tallies.items())},
        "routes": [route_view(r, per_route[str(r.id)]) for r in routes],
        "challenges": [c.summary if raw else json.loads(c.summary) for c in challenges],
    }


def map_json(data: dict[str, Any], key: str = "challenges") -> bytes:
    """The JSON of a dict whose `key` holds JSON texts already (from `raw`), spliced in."""
    rest = {k: v for k, v in data.items() if k != key}
    head = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
    sep = "," if rest else ""
    return f'{head[:-1]}{sep}"{key}":[{",".join(data[key])}]}}'.encode()


# --- exports ----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "title",
    "theme",
    "severity",
    "trend",
    "status",
    "countries",
    "regions",
    "routes",
    "origin",
    "owner",
    "identified",
    "review_date",
    "updated_at",
    "tlp",
    "locations",
)


def _csv_safe(value: str) -> str:
    # A spreadsheet must not execute a title that starts like a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(rows: list[ChallengeRow], route_names: dict[str, str]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for r in rows:
        s = challenge_summary(r)
        w.writerow(
            [
                s["id"],
                _csv_safe(s["title"]),
                s["theme"],
                s["severity"],
                s["trend"],
                s["status"],
                " ".join(s["countries"]),
                _csv_safe("; ".join(s["regions"])),
                _csv_safe(
                    "; ".join(route_names.get(ref["route"], ref["route"]) for ref in r.routes)
                ),
                s["origin"],
                _csv_safe(s["owner"] or ""),
                s["identified"] or "",
                s["review_date"] or "",
                s["updated_at"],
                s["tlp"],
                len(r.locations),
            ]
        )
    return out.getvalue()


def export_geojson(rows: list[ChallengeRow], routes: list[RouteRow]) -> dict[str, Any]:
    """Challenges as features (their drawn locations, else their countries' points) and
    routes as lines, in one FeatureCollection (RFC 7946, WGS 84)."""
    features: list[dict[str, Any]] = []
    for r in rows:
        props = {k: v for k, v in challenge_summary(r).items() if k != "locations"}
        props["kind"] = "challenge"
        geoms = [loc["geometry"] for loc in r.locations]
        if not geoms:
            known = geo.countries()
            geoms = [
                {
                    "type": "MultiPoint",
                    "coordinates": [list(known[cc].point) for cc in r.countries if cc in known],
                }
            ]
        geometry = (
            geoms[0] if len(geoms) == 1 else {"type": "GeometryCollection", "geometries": geoms}
        )
        features.append(
            {"type": "Feature", "id": props["id"], "geometry": geometry, "properties": props}
        )
    for route in routes:
        view = route_view(route)
        features.append(
            {
                "type": "Feature",
                "id": view["id"],
                "geometry": {
                    "type": "MultiLineString",
                    "coordinates": [
                        [leg["from"]["point"], leg["to"]["point"]] for leg in view["legs"]
                    ],
                },
                "properties": {
                    "kind": "route",
                    "name": view["name"],
                    "origin": view["origin"],
                    "countries": view["countries"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
