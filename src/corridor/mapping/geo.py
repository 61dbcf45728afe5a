"""Geography for the mapping module (and for alerts, which draw on the same map): the world's
countries from the vendored atlas, user-drawn GeoJSON, and the vendored front-end packages the
maps load. Country codes and names are corridor.countries'; printed maps are reports/svg.py's.

Everything here is a pure function over the vendored Natural Earth boundaries (npm `world-atlas`,
1:50m, de-facto boundaries: every map says that they imply no endorsement). Nothing touches the
store or the network.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import Any

import pycountry

from corridor.assets import VENDOR, VENDOR_DIR
from corridor.countries import USER_ASSIGNED, country_name
from corridor.errors import InvalidInput
from corridor.i18n import N_

WORLD_ATLAS = VENDOR_DIR / VENDOR["world_atlas"] / "countries-50m.json"

# One wording for every map (Leaflet page, PNG export, printed report), translated once.
DISCLAIMER = N_(
    "Boundaries and names shown do not imply official endorsement or acceptance by corridor "
    "or its members. Natural Earth de-facto boundaries."
)

LonLat = tuple[float, float]
Ring = tuple[LonLat, ...]
Polygon = tuple[Ring, ...]  # outer ring first, then holes
BBox = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat

_USER_ASSIGNED_BY_NAME = {u.name: code for code, u in USER_ASSIGNED.items()}
MAX_POSITIONS = 5000
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon")
_OTHER_GEOJSON_TYPES = frozenset({"MultiPolygon", "GeometryCollection"})


def show(value: Any) -> str:
    """A bad value for an error message, short enough that a pasted document cannot flood it."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- the world's countries -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, or XK
    name: str
    polygons: tuple[Polygon, ...]
    bbox: BBox
    point: LonLat  # where a marker or label for the country goes


@dataclass(frozen=True, slots=True)
class Feature:
    code: str | None  # None: drawn in outline maps, but not a country we can name
    atlas_name: str
    polygons: tuple[Polygon, ...]
    bbox: BBox


def _decode_arcs(topology: dict[str, Any]) -> list[list[LonLat]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[list[LonLat]] = []
    for arc in topology["arcs"]:
        # Quantized TopoJSON stores each position as the delta from the previous one.
        xs = accumulate(p[0] for p in arc)
        ys = accumulate(p[1] for p in arc)
        arcs.append([(x * sx + tx, y * sy + ty) for x, y in zip(xs, ys, strict=True)])
    return arcs


def _ring(indexes: list[int], arcs: list[list[LonLat]]) -> Ring:
    out: list[LonLat] = []
    for i in indexes:
        # A negative index ~i means arc i walked backwards.
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        # Consecutive arcs share their joining position: keep it once.
        out.extend(arc[1:] if out else arc)
    return tuple(out)


def _split_antimeridian(polygon: Polygon) -> list[Polygon]:
    """Cut a polygon that Natural Earth runs across 180° (eastern Chukotka, Fiji's Vanua Levu) into
    one part per side, so every ring stays within -180..180 and no map draws it as a band around
    the world. Antarctica's outer ring circles the pole: it is closed along the pole first."""
    outer = polygon[0]
    if all(abs(a[0] - b[0]) <= 180 for a, b in pairwise(outer)):
        return [polygon]
    unwrapped: list[LonLat] = [outer[0]]
    shift = 0.0
    for (lon0, _), (lon1, lat1) in pairwise(outer):
        if lon1 - lon0 > 180:
            shift -= 360
        elif lon0 - lon1 > 180:
            shift += 360
        unwrapped.append((lon1 + shift, lat1))
    if shift:
        pole = -90.0 if sum(p[1] for p in outer) < 0 else 90.0
        unwrapped += [(unwrapped[-1][0], pole), (outer[0][0], pole), outer[0]]
    lo = min(p[0] for p in unwrapped)
    hi = max(p[0] for p in unwrapped)
    parts: list[Polygon] = []
    start = -180.0 + 360 * math.floor((lo + 180) / 360)
    while start < hi:
        piece = clip(list(unwrapped), (start, -math.inf, start + 360, math.inf))
        if len(piece) >= 3:
            offset = -start - 180
            ring = [(lon + offset, lat) for lon, lat in piece]
            ring.append(ring[0])
            parts.append((tuple(ring),))
        start += 360
    for hole in polygon[1:]:
        for i, part in enumerate(parts):
            if _in_ring(hole[0], part[0]):
                parts[i] = (*part, hole)
                break
    return parts


def _bbox(polygons: Iterable[Polygon]) -> BBox:
    lons = [p[0] for poly in polygons for p in poly[0]]
    lats = [p[1] for poly in polygons for p in poly[0]]
    return (min(lons), min(lats), max(lons), max(lats))


@lru_cache(maxsize=1)
def features() -> tuple[Feature, ...]:
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    by_key: dict[str, list[Polygon]] = {}
    names: dict[str, tuple[str | None, str]] = {}
    for geom in topology["objects"]["countries"]["geometries"]:
        if geom["type"] == "Polygon":
            parts = [geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            parts = geom["arcs"]
        else:
            continue
        atlas_name = geom.get("properties", {}).get("name", "")
        code = _topo_code(geom.get("id"), atlas_name)
        # Several features can carry one country's id (Australia and its Ashmore and Cartier
        # Islands): they become one country.
        key = code or f"?{atlas_name}"
        polygons = [tuple(_ring(r, arcs) for r in rings) for rings in parts]
        kept = by_key.setdefault(key, [])
        for polygon in polygons:
            if polygon and len(polygon[0]) >= 4:
                kept.extend(_split_antimeridian(polygon))
        names.setdefault(key, (code, atlas_name))
    return tuple(
        Feature(names[key][0], names[key][1], tuple(polys), _bbox(polys))
        for key, polys in by_key.items()
        if polys
    )


def _topo_code(topo_id: Any, atlas_name: str) -> str | None:
    if topo_id is None:
        # Natural Earth gives Kosovo, Northern Cyprus, Somaliland and a few disputed or
        # uninhabited areas no ISO number; of those only Kosovo has a code our users exchange
        # (a user-assigned one), found by its name.
        return _USER_ASSIGNED_BY_NAME.get(atlas_name)
    record = pycountry.countries.get(numeric=str(topo_id))
    return str(record.alpha_2) if record is not None else None


def _equal_area(ring: Ring) -> float:
    # Shoelace over (lon, sin lat), a cylindrical equal-area projection: proportional to the
    # true area, so Svalbard does not outweigh mainland Norway as it would in plain degrees.
    total = 0.0
    prev_x, prev_y = ring[-1][0], math.sin(math.radians(ring[-1][1]))
    for x, lat in ring:
        y = math.sin(math.radians(lat))
        total += prev_x * y - x * prev_y
        prev_x, prev_y = x, y
    return abs(total) / 2


def _centroid(ring: Ring) -> LonLat:
    area = cx = cy = 0.0
    x0, y0 = ring[-1]
    for x1, y1 in ring:
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
        x0, y0 = x1, y1
    if abs(area) < 1e-12:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    return (cx / (3 * area), cy / (3 * area))


def _in_ring(point: LonLat, ring: Ring) -> bool:
    x, y = point
    inside = False
    x0, y0 = ring[-1]
    for x1, y1 in ring:
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
        x0, y0 = x1, y1
    return inside


def in_polygon(point: LonLat, polygon: Polygon) -> bool:
    """Whether (lon, lat) lies inside the polygon's outer ring and outside its holes."""
    return _in_ring(point, polygon[0]) and not any(_in_ring(point, h) for h in polygon[1:])


def _representative_point(polygon: Polygon) -> LonLat:
    point = _centroid(polygon[0])
    if in_polygon(point, polygon):
        return point
    # A crescent's centroid lies outside it (Croatia's falls in Bosnia, Norway's can fall in
    # Sweden): use the middle of the widest stretch of the country along the centroid's parallel.
    y = point[1]
    xs: list[float] = []
    for ring in polygon:
        x0, y0 = ring[-1]
        for x1, y1 in ring:
            if (y0 > y) != (y1 > y):
                xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
            x0, y0 = x1, y1
    xs.sort()
    spans = [(xs[i + 1] - xs[i], xs[i]) for i in range(0, len(xs) - 1, 2)]
    if not spans:
        return point
    width, start = max(spans)
    return (start + width / 2, y)


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """Every country of the atlas by alpha-2 code (Kosovo as XK), decoded once per process.

    The result is shared between callers: read it, never change it. A country's ``point`` is the
    centroid of its largest polygon's outer ring (metropolitan France, not France averaged with
    Guiana and Réunion), moved inside the polygon when the centroid falls outside it."""
    out: dict[str, Country] = {}
    for feature in features():
        if feature.code is None:
            continue
        largest = max(feature.polygons, key=lambda p: _equal_area(p[0]))
        out[feature.code] = Country(
            code=feature.code,
            name=country_name(feature.code),
            polygons=feature.polygons,
            bbox=feature.bbox,
            point=_representative_point(largest),
        )
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def _topo_ids() -> dict[str, str]:
    topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for geom in topology["objects"]["countries"]["geometries"]:
        name = geom.get("properties", {}).get("name", "")
        code = _topo_code(geom.get("id"), name)
        if code is not None:
            out[str(geom["id"]) if geom.get("id") is not None else name] = code
    return out


def numeric_to_alpha2() -> dict[str, str]:
    """TopoJSON feature id (ISO 3166-1 numeric, e.g. "586") → alpha-2 ("PK").

    Kosovo's feature has no id: it is keyed by its name, "Kosovo" → "XK", so the browser finds
    every country with ``mapping[feature.id ?? feature.properties.name]``. Features missing from
    the mapping (Northern Cyprus, Somaliland, ...) are drawn but never coloured."""
    return dict(_topo_ids())


def alpha2_by_topo_id_json() -> str:
    """:func:`numeric_to_alpha2` as compact JSON, safe to embed in a page's
    ``<script type="application/json">`` (digits, letters and "Kosovo" only)."""
    return json.dumps(_topo_ids(), separators=(",", ":"), sort_keys=True)


# --- user-drawn geometry ---------------------------------------------------------------------


class _Budget:
    """Positions still allowed in one geometry, counted before each list is walked so a huge
    list fails at once."""

    def __init__(self, where: str, limit: int) -> None:
        self.where = where
        self.left = limit
        self.limit = limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise InvalidInput(
                f"{self.where}: too many positions (at most {self.limit:,} in a geometry)"
            )


def _number(value: Any, where: str, what: str, bound: float | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{where}: {what} must be a number, not {show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{where}: {what} must be a finite number, not {value}")
    if bound is None:
        return 0.0  # an altitude: checked, then dropped
    # Compared before float(): an absurdly large integer would overflow the conversion.
    if not -bound <= value <= bound:
        raise InvalidInput(f"{where}: {what} {show(value)} out of range (-{bound:g} to {bound:g})")
    return float(value)


def _position(value: Any, where: str) -> list[float]:
    if not isinstance(value, list | tuple) or not 2 <= len(value) <= 3:
        raise InvalidInput(
            f"{where}: a position is [longitude, latitude] with an optional altitude,"
            f" not {show(value)}"
        )
    lon = _number(value[0], where, "longitude", 180)
    lat = _number(value[1], where, "latitude", 90)
    if len(value) == 3:
        _number(value[2], where, "altitude", None)
    # 6 decimals is about 10 cm: more is noise from the drawing tool. Adding 0.0 turns -0.0
    # into 0.0, so equal geometries serialise equally.
    return [round(lon, 6) + 0.0, round(lat, 6) + 0.0]


def _positions(value: Any, where: str, budget: _Budget, least: int, kind: str) -> list[list[float]]:
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{where}: {kind} must be a list of positions, not {show(value)}")
    if len(value) < least:
        plural = "position" if least == 1 else "positions"
        raise InvalidInput(f"{where}: {kind} needs at least {least} {plural}")
    budget.take(len(value))
    return [_position(p, f"{where}[{i}]") for i, p in enumerate(value)]


def _list(value: Any, where: str, what: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput(f"{where}: {what} must be a non-empty list, not {show(value)}")
    return value


def field_geometry(obj: Any, where: str = "geometry") -> dict[str, Any]:
    """`validate_geometry` for a Pydantic validator: what is wrong is a ValueError, which
    Pydantic reports as an error of the field it validates."""
    try:
        return validate_geometry(obj, where=where)
    except InvalidInput as exc:
        raise ValueError(exc.detail) from None


def validate_geometry(obj: Any, where: str = "geometry") -> dict[str, Any]:
    """Check a GeoJSON geometry a user drew (a border section, a crossing point, an area) and
    return a normalised copy: only ``type`` and ``coordinates``, 2-D positions rounded to 6
    decimals. Anything else raises InvalidInput, its message starting with ``where``."""
    if not isinstance(obj, Mapping):
        raise InvalidInput(f"{where}: a geometry must be an object with type and coordinates")
    kind = obj.get("type")
    allowed = ", ".join(GEOMETRY_TYPES)
    if not isinstance(kind, str) or kind not in GEOMETRY_TYPES:
        known = isinstance(kind, str) and kind in _OTHER_GEOJSON_TYPES
        adjective = "unsupported" if known else "unknown"
        raise InvalidInput(f"{where}: {adjective} geometry type {show(kind)} (use {allowed})")
    if "coordinates" not in obj:
        raise InvalidInput(f"{where}: {kind} has no coordinates")
    coords = obj["coordinates"]
    at = f"{where}: coordinates"
    budget = _Budget(where, MAX_POSITIONS)
    out: Any
    if kind == "Point":
        budget.take(1)
        out = _position(coords, at)
    elif kind == "MultiPoint":
        out = _positions(coords, at, budget, 1, "MultiPoint")
    elif kind == "LineString":
        if isinstance(coords, list | tuple) and len(coords) < 2:
            raise InvalidInput(f"{where}: LineString needs at least 2 positions")
        out = _positions(coords, at, budget, 2, "LineString")
    elif kind == "MultiLineString":
        lines = _list(coords, at, "MultiLineString coordinates")
        out = [_positions(line, f"{at}[{i}]", budget, 2, "a line") for i, line in enumerate(lines)]
    else:
        rings = _list(coords, at, "Polygon coordinates (a list of rings)")
        out = []
        for i, ring in enumerate(rings):
            positions = _positions(ring, f"{at}[{i}]", budget, 4, "a Polygon ring")
            if positions[0] != positions[-1]:
                raise InvalidInput(
                    f"{at}[{i}]: a Polygon ring must be closed"
                    " (its last position repeats the first)"
                )
            out.append(positions)
    return {"type": kind, "coordinates": out}


def geometry_points(geom: Mapping[str, Any]) -> list[LonLat]:
    """Every position of a validated geometry, e.g. for its bounding box (a Polygon's closing
    position included, as validate_geometry counts it)."""
    kind, coords = geom["type"], geom["coordinates"]
    if kind == "Point":
        return [(coords[0], coords[1])]
    if kind in ("MultiPoint", "LineString"):
        return [(p[0], p[1]) for p in coords]
    if kind in ("MultiLineString", "Polygon"):
        return [(p[0], p[1]) for part in coords for p in part]
    raise InvalidInput(f"unknown geometry type {show(kind)}")


def bbox_of(points: Iterable[LonLat], margin_deg: float = 2.0) -> BBox | None:
    """The box around the points plus a margin, kept within the world; None without points (so
    ``svg_map(bbox=bbox_of(points))`` shows the whole world)."""
    pts = list(points)
    if not pts:
        return None
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    return (
        max(-180.0, min(lons) - margin_deg),
        max(-90.0, min(lats) - margin_deg),
        min(180.0, max(lons) + margin_deg),
        min(90.0, max(lats) + margin_deg),
    )


def clip(ring: list[tuple[float, float]], box: BBox) -> list[tuple[float, float]]:
    """The part of a ring inside the box (min x, min y, max x, max y): Sutherland-Hodgman."""
    xmin, ymin, xmax, ymax = box
    edges = ((0, xmin, True), (0, xmax, False), (1, ymin, True), (1, ymax, False))
    for axis, bound, keep_above in edges:
        if not ring:
            break
        out: list[tuple[float, float]] = []
        prev = ring[-1]
        prev_in = (prev[axis] >= bound) == keep_above
        for cur in ring:
            cur_in = (cur[axis] >= bound) == keep_above
            if cur_in != prev_in:
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            if cur_in:
                out.append(cur)
            prev, prev_in = cur, cur_in
        ring = out
    return ring
