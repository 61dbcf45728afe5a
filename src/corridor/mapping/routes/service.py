"""Routes: record them, list the ones a user may see, link a record to one, and draw them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from corridor.errors import InvalidInput
from corridor.mapping import geo
from corridor.mapping.routes.models import RouteRow
from corridor.mapping.routes.records import ROUTE
from corridor.records import flow
from corridor.records.models import StoredRecord
from corridor.records.owned import SaveOwn, visible_row, visible_rows
from corridor.security.principal import Principal


def _stops_on_the_map(
    session: Session, node_id: str, actor: Principal, body: dict[str, Any]
) -> None:
    """Routes are drawn from stop to stop: a stop without a position needs a country the map
    draws (its representative point stands in)."""
    known = geo.countries()
    for i, leg in enumerate(body["legs"]):
        for end in ("from", "to"):
            place = leg[end]
            if not place.get("point") and place["country"] not in known:
                raise InvalidInput(
                    f"legs[{i}].{end}: {place['country']} has no outline on the map; "
                    "give the stop's point [longitude, latitude]"
                )


# Record a route of this node, or (with `record_id`) a new version of one.
save_route = SaveOwn(ROUTE, check=_stops_on_the_map)


def list_routes(session: Session, node_id: str, *, actor: Principal) -> list[RouteRow]:
    rows = visible_rows(session, RouteRow, node_id, actor)
    return sorted(rows, key=lambda r: r.name.lower())


def visible_route(
    session: Session, node_id: str, actor: Principal, route_id: str | uuid.UUID
) -> RouteRow | None:
    return visible_row(session, RouteRow, node_id, actor, route_id)


def link_route(
    session: Session, node_id: str, actor: Principal, route_id: uuid.UUID, *, where: str
) -> tuple[RouteRow, flow.Source]:
    """A route that a record links to (a challenge, an alert): one this actor may see, else
    InvalidInput naming `where`; with the route's record as a flow source (path "link"), so
    its labels bind the linking record's."""
    row = visible_route(session, node_id, actor, route_id)
    record = session.get(StoredRecord, route_id) if row is not None else None
    if row is None or record is None:
        raise InvalidInput(f"{where}: no route {route_id} on this node")
    return row, flow.of_record(record.envelope, path="link")


def place_point(place: dict[str, Any]) -> list[float]:
    """A stop's own position, else its country's representative point (a route is refused
    when a stop has neither, see `save_route`)."""
    if place.get("point"):
        return list(place["point"])
    return list(geo.countries()[place["country"]].point)


def route_view(row: RouteRow, challenges: int = 0) -> dict[str, Any]:
    """The route as the map draws it (schemas.RouteView): every stop with a position."""
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
