"""Exports of the challenges a user may see: CSV for spreadsheets, GeoJSON for GIS tools."""

from __future__ import annotations

import csv
import io
from typing import Any

from corridor.mapping import geo
from corridor.mapping.challenges.models import ChallengeRow
from corridor.mapping.challenges.records import challenge_summary
from corridor.mapping.routes.models import RouteRow
from corridor.mapping.routes.service import route_view

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
