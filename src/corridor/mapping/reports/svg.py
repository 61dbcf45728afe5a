"""Static SVG maps for printable reports: countries filled by code, routes, points, the
boundary disclaimer; no script and no external file, so a printed or saved report is complete.

Static maps use the Web-Mercator projection: it is what the Leaflet map in the browser shows, so
a printed report looks like the screen the analyst worked on, and it is conformal, so the
Aegean or the Makran coast keep their familiar shapes when a report crops to a route. Its
distortion of areas only matters near the poles, which we clamp at ±80° anyway.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from corridor.countries import normalise
from corridor.mapping import geo
from corridor.mapping.geo import DISCLAIMER, BBox, LonLat

MAX_LAT = 80.0
WORLD_VIEW: BBox = (-180.0, -60.0, 180.0, 80.0)  # Antarctica starts south of 60°S
LAND = "#d6d6d6"
SEA = "#f3f6f9"
ROUTE = "#b03a2e"
_SIMPLIFY = 0.5  # SVG units, i.e. pixels at the map's own width
_MIN_SPAN = math.radians(0.5)
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(?:rgba?|hsla?)\([0-9.,%\s/+-]{1,60}\)")


def _merc(lat: float) -> float:
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


_Y_LIMIT = _merc(MAX_LAT)


@dataclass(frozen=True, slots=True)
class _View:
    scale: float  # SVG units per radian of longitude
    x0: float  # view rectangle in SVG units
    y0: float
    width: float
    height: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        # The world's western edge is x = 0 and 85°N is y = 0; units are pixels of the output.
        return ((math.radians(lon) + math.pi) * self.scale, (math.pi - _merc(lat)) * self.scale)


def _view(bbox: BBox | None, width: int) -> _View:
    lon0, lat0, lon1, lat1 = WORLD_VIEW if bbox is None else bbox
    if not all(math.isfinite(v) for v in (lon0, lat0, lon1, lat1)):
        raise ValueError(f"bbox must hold finite numbers, not {bbox!r}")
    if lon0 > lon1 or lat0 > lat1:
        raise ValueError(f"bbox is (min_lon, min_lat, max_lon, max_lat), not {bbox!r}")
    x0, x1 = math.radians(max(-180.0, lon0)), math.radians(min(180.0, lon1))
    y0, y1 = -_merc(lat1), -_merc(lat0)
    if bbox is not None:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        w = max(x1 - x0, _MIN_SPAN) * 1.1
        h = max(y1 - y0, _MIN_SPAN) * 1.1
        # Printable proportions: never taller than wide, never flatter than 5:2 (a route along a
        # parallel would otherwise become a ribbon).
        w = min(max(w, h), 2 * math.pi)
        h = min(max(h, 0.4 * w), 2 * _Y_LIMIT)
        x0 = min(max(cx - w / 2, -math.pi), math.pi - w)
        y0 = min(max(cy - h / 2, -_Y_LIMIT), _Y_LIMIT - h)
        x1, y1 = x0 + w, y0 + h
    scale = width / (x1 - x0)
    return _View(
        scale=scale,
        x0=(x0 + math.pi) * scale,
        y0=(y0 + math.pi) * scale,
        width=float(width),
        height=(y1 - y0) * scale,
    )


def _tenths(points: Iterable[tuple[float, float]]) -> list[tuple[int, int]]:
    """Drop points within _SIMPLIFY of the last one kept, round to 0.1 unit (as integer tenths,
    so relative path steps add up exactly)."""
    out: list[tuple[int, int]] = []
    last_x = last_y = math.inf
    limit = _SIMPLIFY * _SIMPLIFY
    for x, y in points:
        if (x - last_x) ** 2 + (y - last_y) ** 2 < limit:
            continue
        last_x, last_y = x, y
        p = (round(x * 10), round(y * 10))
        if not out or out[-1] != p:
            out.append(p)
    return out


def _num(tenths: int) -> str:
    whole, frac = divmod(abs(tenths), 10)
    sign = "-" if tenths < 0 else ""
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{frac}"


def _numbers(values: Iterable[int]) -> str:
    out: list[str] = []
    for v in values:
        s = _num(v)
        # SVG path data needs no separator before a minus sign.
        if out and not s.startswith("-"):
            out.append(" ")
        out.append(s)
    return "".join(out)


def _ring_path(pts: list[tuple[int, int]]) -> str:
    steps: list[int] = []
    for (ax, ay), (bx, by) in pairwise(pts):
        steps += (bx - ax, by - ay)
    return f"M{_numbers(pts[0])}l{_numbers(steps)}z"


def _feature_path(feature: geo.Feature, view: _View, clip: BBox) -> str:
    parts: list[str] = []
    for polygon in feature.polygons:
        for ring in polygon:
            projected = [view.project(lon, lat) for lon, lat in ring]
            xs = [p[0] for p in projected]
            ys = [p[1] for p in projected]
            if max(xs) < clip[0] or min(xs) > clip[2] or max(ys) < clip[1] or min(ys) > clip[3]:
                continue
            if min(xs) < clip[0] or max(xs) > clip[2] or min(ys) < clip[1] or max(ys) > clip[3]:
                projected = geo.clip(projected, clip)
            pts = _tenths(projected)
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts.pop()
            if len(pts) >= 3:
                parts.append(_ring_path(pts))
    return "".join(parts)


def _dot(view: _View, point: LonLat) -> str:
    # A state smaller than the simplification step still gets a (1-unit) shape to colour.
    x, y = view.project(*point)
    return f"M{_numbers((round(x * 10) - 5, round(y * 10) - 5))}h1v1h-1z"


def _checked_fills(fills: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for country_code, colour in (fills or {}).items():
        if not isinstance(colour, str) or not _COLOUR.fullmatch(colour.strip()):
            raise ValueError(f"fill for {country_code!r} is not a CSS colour: {geo.show(colour)}")
        out[normalise(country_code)] = colour.strip()
    return out


def _finite(points: Iterable[Sequence[float]]) -> list[LonLat]:
    out = [(float(p[0]), float(p[1])) for p in points]
    if not all(math.isfinite(v) for p in out for v in p):
        raise ValueError("map coordinates must be finite numbers")
    return out


def svg_map(
    *,
    fills: Mapping[str, str] | None = None,
    lines: Sequence[Sequence[LonLat]] = (),
    points: Sequence[LonLat] = (),
    bbox: BBox | None = None,
    width: int = 900,
    title: str = "",
    note: str = DISCLAIMER,
) -> str:
    """A self-contained static SVG map for printable reports (no script, no external file).

    ``fills`` colours countries by code (alpha-2 or alpha-3) with CSS colours; ``lines`` are
    routes as lists of (lon, lat); ``points`` are small circles; ``bbox`` (min_lon, min_lat,
    max_lon, max_lat) crops the view, with a margin and printable proportions; by default the
    whole world from 60°S to 80°N. ``note`` is the boundary disclaimer printed in the corner:
    pass it translated for the reader's language."""
    if not 100 <= width <= 5000:
        raise ValueError(f"width must be 100-5000, not {width!r}")
    colours = _checked_fills(fills)
    routes = [_finite(line) for line in lines]
    dots = _finite(points)
    view = _view(bbox, width)
    pad = 4.0
    clip = (view.x0 - pad, view.y0 - pad, view.x0 + view.width + pad, view.y0 + view.height + pad)
    known = geo.countries()

    shapes: list[tuple[float, str]] = []
    for feature in geo.features():
        if bbox is None and feature.code == "AQ":
            # The default world leaves Antarctica out, though its peninsula nears 60°S.
            continue
        path = _feature_path(feature, view, clip)
        if not path and feature.code is not None:
            px, py = view.project(*known[feature.code].point)
            if clip[0] <= px <= clip[2] and clip[1] <= py <= clip[3]:
                path = _dot(view, known[feature.code].point)
        if not path:
            continue
        attrs = ' class="country"'
        if feature.code is not None:
            attrs += f' data-cc="{feature.code}"'
            if feature.code in colours:
                attrs += f" fill={quoteattr(colours[feature.code])}"
            attrs += f"><title>{escape(known[feature.code].name)}</title></path>"
        else:
            attrs += "/>"
        lon0, lat0, lon1, lat1 = feature.bbox
        # Largest first, so enclaves (Vatican, San Marino, Lesotho) are drawn over their hosts.
        shapes.append(((lon1 - lon0) * (lat1 - lat0), f'<path d="{path}"{attrs}'))
    shapes.sort(key=lambda s: -s[0])

    vb = f"{view.x0:.1f} {view.y0:.1f} {view.width:g} {view.height:.1f}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{vb}" width="{width}"'
        f' height="{round(view.height)}" role="img" class="corridor-map">',
        f"<title>{escape(title)}</title>" if title else "",
        f'<rect class="sea" x="{view.x0:.1f}" y="{view.y0:.1f}" width="{view.width:g}"'
        f' height="{view.height:.1f}" fill="{SEA}"/>',
        f'<g class="countries" fill="{LAND}" fill-rule="evenodd" stroke="#fff"'
        ' stroke-width=".5" stroke-linejoin="round">',
        *(s[1] for s in shapes),
        "</g>",
    ]
    if routes:
        out.append(
            f'<g class="routes" fill="none" stroke="{ROUTE}" stroke-width="2"'
            ' stroke-linecap="round" stroke-linejoin="round">'
        )
        for line in routes:
            pts = _tenths(view.project(lon, lat) for lon, lat in line)
            coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in pts)
            out.append(f'<polyline class="route" points="{coords}"/>')
        out.append("</g>")
    if dots:
        out.append(f'<g class="points" fill="{ROUTE}" stroke="#fff" stroke-width="1">')
        for lon, lat in dots:
            x, y = view.project(lon, lat)
            out.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
        out.append("</g>")
    if note:
        size = min(9.0, (view.width - 8) / (0.55 * len(note)))
        out.append(
            f'<text class="note" x="{view.x0 + view.width - 4:.1f}"'
            f' y="{view.y0 + view.height - 4:.1f}" font-size="{size:.1f}"'
            f' font-family="sans-serif" fill="#555" stroke="#fff" stroke-width="2"'
            # A white halo keeps the note legible where it crosses land or a route.
            f' paint-order="stroke" text-anchor="end">{escape(note)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
