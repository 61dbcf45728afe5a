"""Static SVG maps for printable reports."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from corridor.errors import InvalidInput
from corridor.mapping import geo
from corridor.mapping.reports.svg import svg_map

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, no entities)


def _view_box(svg: str) -> tuple[float, ...]:
    return tuple(float(v) for v in _parse(svg).get("viewBox", "").split())


def test_world_map() -> None:
    svg = svg_map(fills={"PK": "#c0392b", "GRC": "rgb(10, 20, 30)"}, title="Routes <& co>")
    assert len(svg.encode()) < 400_000
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.findtext(f"{SVG}title") == "Routes <& co>"
    paths = root.findall(f".//{SVG}path[@class='country']")
    assert len(paths) >= 170
    by_code = {p.get("data-cc"): p for p in paths if p.get("data-cc")}
    assert by_code["PK"].get("fill") == "#c0392b"
    assert by_code["GR"].get("fill") == "rgb(10, 20, 30)"
    assert by_code["IR"].get("fill") is None  # the group's neutral grey
    assert by_code["PK"].findtext(f"{SVG}title") == "Pakistan"
    # Small states are still there to colour, Kosovo too; Antarctica is out of the view.
    for code in ("MT", "VA", "SM", "XK", "CY", "FJ"):
        assert code in by_code, code
    assert "AQ" not in by_code
    assert any(p.get("data-cc") is None for p in paths)  # e.g. Somaliland, drawn uncoloured
    x, _, w, h = _view_box(svg)
    assert (x, w) == (0, 900)
    assert 1.5 < w / h < 1.8  # 180° of longitude by 60°S-80°N in Mercator
    note = root.find(f"{SVG}text")
    assert note is not None and note.text == geo.DISCLAIMER


def test_cropped_map_with_a_route() -> None:
    world = geo.countries()
    pk, gr = world["PK"].bbox, world["GR"].bbox
    bbox = geo.bbox_of([pk[:2], pk[2:], gr[:2], gr[2:]])
    route = [world[c].point for c in ("PK", "IR", "TR", "GR")]
    svg = svg_map(
        bbox=bbox, fills={"PK": "red"}, lines=[route], points=[route[0], route[-1]], width=600
    )
    assert len(svg.encode()) < 150_000
    root = _parse(svg)
    x, _, w, h = _view_box(svg)
    assert _view_box(svg) != _view_box(svg_map(width=600))
    assert w == 600 and 0.4 * w <= h <= w
    codes = {p.get("data-cc") for p in root.iter(f"{SVG}path")}
    assert {"PK", "IR", "TR", "GR", "AF", "IQ", "SY"} <= codes
    assert not codes & {"US", "BR", "AU", "ZA"}  # culled, nothing of them is in view
    polylines = root.findall(f".//{SVG}polyline[@class='route']")
    assert len(polylines) == 1
    xs = [float(pair.split(",")[0]) for pair in polylines[0].get("points", "").split()]
    assert all(x <= v <= x + w for v in xs)
    assert len(root.findall(f".//{SVG}circle[@class='point']")) == 2


def test_a_single_point_gets_a_sensible_view() -> None:
    svg = svg_map(bbox=(14.5, 35.9, 14.5, 35.9), points=[(14.5, 35.9)])
    *_, w, h = _view_box(svg)
    assert w == h == 900  # never taller than wide
    assert 'data-cc="MT"' in svg


def test_svg_map_options() -> None:
    svg = svg_map(note="Les frontières <ne> valent pas approbation.", width=300)
    assert "Les frontières &lt;ne&gt; valent" in svg
    assert _parse(svg).get("width") == "300"
    assert "<text" not in svg_map(note="")
    with pytest.raises(ValueError, match="CSS colour"):
        svg_map(fills={"PK": 'red" onload="alert(1)'})
    with pytest.raises(InvalidInput):
        svg_map(fills={"ZZ": "red"})
    with pytest.raises(ValueError, match="bbox"):
        svg_map(bbox=(30, 10, 20, 20))
    with pytest.raises(ValueError, match="finite"):
        svg_map(points=[(float("nan"), 1)])
