"""The decoded world atlas, user-drawn GeoJSON and the vendored front-end packages."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from corridor import countries
from corridor.errors import InvalidInput
from corridor.mapping import geo

# --- vendored front-end packages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "files"),
    [
        ("leaflet", ["leaflet.js", "leaflet.css", "images/marker-icon.png", "LICENSE"]),
        ("echarts", ["echarts.min.js", "LICENSE", "NOTICE"]),
        ("topojson", ["topojson-client.min.js", "LICENSE"]),
        ("world_atlas", ["countries-50m.json", "LICENSE", "NOTICE"]),
    ],
)
def test_vendored_packages_are_in_the_package(key: str, files: list[str]) -> None:
    folder = geo.VENDOR_DIR / geo.VENDOR[key]
    for name in files:
        assert (folder / name).is_file(), f"{folder.name}/{name} missing"
    assert geo.WORLD_ATLAS.is_file()


# --- the world atlas -------------------------------------------------------------------------


def test_decoding_the_atlas_finds_the_countries() -> None:
    # Decode time is a benchmark figure (bench/mapping/bench_map_data.py), not a test.
    geo.countries.cache_clear()
    geo.features.cache_clear()
    assert len(geo.countries()) > 230


def test_countries_on_the_routes_are_there() -> None:
    world = geo.countries()
    for code in ("PK", "IR", "TR", "GR", "LY", "IT", "MT", "CY", "AE", "AF", "XK"):
        country = world[code]
        assert country.code == code
        assert country.name == countries.country_name(code)
        lon0, lat0, lon1, lat1 = country.bbox
        lon, lat = country.point
        assert lon0 <= lon <= lon1 and lat0 <= lat <= lat1, code
    assert world["XK"].name == "Kosovo"
    assert "Northern Cyprus" not in {c.name for c in world.values()}


@pytest.mark.parametrize(
    ("code", "lon", "lat"),
    [
        ("PK", (60, 78), (23, 37)),
        ("FR", (-5, 9), (41, 51)),  # metropolitan France, not averaged with Guiana
        ("US", (-125, -66), (24, 50)),  # the contiguous states, not Alaska or Hawaii
        ("NO", (4, 31), (57, 71.5)),  # mainland Norway, not Svalbard
        ("RU", (30, 180), (45, 75)),
        ("HR", (13, 20), (42, 47)),
        ("FJ", (176, 180), (-19, -16)),  # Viti Levu, although Fiji straddles 180°
    ],
)
def test_representative_points(
    code: str, lon: tuple[float, float], lat: tuple[float, float]
) -> None:
    x, y = geo.countries()[code].point
    assert lon[0] <= x <= lon[1] and lat[0] <= y <= lat[1], (code, x, y)


def test_every_point_lies_inside_its_country() -> None:
    for code, country in geo.countries().items():
        assert any(geo.in_polygon(country.point, p) for p in country.polygons), code


def test_rings_are_closed_and_stay_within_the_world() -> None:
    for code, country in geo.countries().items():
        for polygon in country.polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], code
                assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring), code
                if code != "AQ":  # only Antarctica runs along the pole
                    steps = itertools.pairwise(ring)
                    assert all(abs(a[0] - b[0]) <= 180 for a, b in steps), code


def test_topojson_ids_map_to_alpha2() -> None:
    mapping = geo.numeric_to_alpha2()
    assert mapping["586"] == "PK"
    assert mapping["300"] == "GR"
    assert mapping["036"] == "AU"
    assert mapping["Kosovo"] == "XK"
    assert set(mapping.values()) == set(geo.countries())
    embedded = geo.alpha2_by_topo_id_json()
    assert " " not in embedded and "<" not in embedded
    assert json.loads(embedded) == mapping
    mapping["586"] = "changed"
    assert geo.numeric_to_alpha2()["586"] == "PK"


# --- user-drawn geometry ---------------------------------------------------------------------


def test_valid_geometries_are_normalised() -> None:
    assert geo.validate_geometry(
        {"type": "Point", "coordinates": [26.0, 41.7, 12.5], "bbox": [0, 0, 1, 1]}
    ) == {"type": "Point", "coordinates": [26.0, 41.7]}
    line = geo.validate_geometry(
        {"type": "LineString", "coordinates": [[26.123456789, 41.1], [-0.0000001, 40]]}
    )
    assert line["coordinates"] == [[26.123457, 41.1], [0.0, 40.0]]
    assert math.copysign(1, line["coordinates"][1][0]) == 1  # no -0.0
    assert isinstance(line["coordinates"][1][1], float)
    assert geo.validate_geometry({"type": "MultiPoint", "coordinates": [[1, 2]]})[
        "coordinates"
    ] == [[1.0, 2.0]]
    multi = geo.validate_geometry(
        {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]], [[5, 6], [7, 8], [9, 9]]]}
    )
    assert len(multi["coordinates"]) == 2
    ring = [[26, 41], [27, 41], [27, 42], [26, 41]]
    hole = [[26.2, 41.2], [26.5, 41.2], [26.5, 41.5], [26.2, 41.2]]
    polygon = geo.validate_geometry({"type": "Polygon", "coordinates": [ring, hole]})
    assert polygon["coordinates"][0][0] == [26.0, 41.0]
    assert geo.validate_geometry({"type": "Point", "coordinates": [180, -90]})


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Circle", "coordinates": [1, 2]}, "unknown geometry type 'Circle'"),
        ({"type": "MultiPolygon", "coordinates": []}, "unsupported geometry type 'MultiPolygon'"),
        ({"type": "Feature", "geometry": {}}, "unknown geometry type 'Feature'"),
        ({"type": ["Point"], "coordinates": [1, 2]}, "unknown geometry type ['Point']"),
        ([1, 2], "must be an object"),
        ({"type": "Point"}, "Point has no coordinates"),
        ({"type": "LineString", "coordinates": [[1, 2]]}, "LineString needs at least 2 positions"),
        ({"type": "Point", "coordinates": [200, 10]}, "longitude 200 out of range"),
        ({"type": "Point", "coordinates": [-180.5, 10]}, "longitude -180.5 out of range"),
        ({"type": "Point", "coordinates": [10, 91]}, "latitude 91 out of range"),
        ({"type": "Point", "coordinates": [10, float("nan")]}, "latitude must be a finite number"),
        ({"type": "Point", "coordinates": [float("inf"), 1]}, "longitude must be a finite number"),
        ({"type": "Point", "coordinates": [True, 1]}, "longitude must be a number"),
        ({"type": "Point", "coordinates": ["26.1", 41]}, "longitude must be a number"),
        ({"type": "Point", "coordinates": [1, 2, "x"]}, "altitude must be a number"),
        ({"type": "Point", "coordinates": [1, 2, 3, 4]}, "a position is [longitude, latitude]"),
        ({"type": "Point", "coordinates": [1]}, "a position is [longitude, latitude]"),
        ({"type": "Point", "coordinates": [10**400, 1]}, "out of range"),
        ({"type": "MultiPoint", "coordinates": []}, "needs at least 1 position"),
        ({"type": "MultiLineString", "coordinates": []}, "must be a non-empty list"),
        (
            {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]], [[1, 2]]]},
            "coordinates[1]: a line needs at least 2 positions",
        ),
        ({"type": "Polygon", "coordinates": []}, "must be a non-empty list"),
        (
            {"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [1, 2]]]},
            "a Polygon ring needs at least 4 positions",
        ),
        (
            {"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [5, 2], [1, 3]]]},
            "coordinates[0]: a Polygon ring must be closed",
        ),
        (
            {"type": "LineString", "coordinates": [[0, 0]] * (geo.MAX_POSITIONS + 1)},
            "too many positions (at most 5,000",
        ),
    ],
)
def test_invalid_geometries_are_refused(geometry: object, message: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        geo.validate_geometry(geometry, where="locations[0]")
    assert exc.value.detail.startswith("locations[0]: ")
    assert message in exc.value.detail


def test_the_position_limit_counts_every_part() -> None:
    lines = [[[0, 0], [1, 1]]] * (geo.MAX_POSITIONS // 2)
    assert geo.validate_geometry({"type": "MultiLineString", "coordinates": lines})
    with pytest.raises(InvalidInput, match="too many positions"):
        geo.validate_geometry(
            {"type": "MultiLineString", "coordinates": [*lines, [[0, 0], [1, 1]]]}
        )


def test_error_messages_stay_short() -> None:
    with pytest.raises(InvalidInput) as exc:
        geo.validate_geometry({"type": "x" * 10_000, "coordinates": []})
    assert len(exc.value.detail) < 200


def test_geometry_points_and_bbox() -> None:
    polygon = geo.validate_geometry(
        {"type": "Polygon", "coordinates": [[[26, 41], [27, 41], [27, 42], [26, 41]]]}
    )
    points = geo.geometry_points(polygon)
    assert points == [(26.0, 41.0), (27.0, 41.0), (27.0, 42.0), (26.0, 41.0)]
    assert geo.geometry_points({"type": "Point", "coordinates": [1.0, 2.0]}) == [(1.0, 2.0)]
    multi = {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]}
    assert len(geo.geometry_points(multi)) == 4
    assert geo.bbox_of(points) == (24.0, 39.0, 29.0, 44.0)
    assert geo.bbox_of(points, margin_deg=0) == (26.0, 41.0, 27.0, 42.0)
    assert geo.bbox_of([(179.5, 89.5)]) == (177.5, 87.5, 180.0, 90.0)
    assert geo.bbox_of([]) is None


def test_a_geometry_field_reports_its_error_to_pydantic() -> None:
    point = {"type": "Point", "coordinates": [12.5, 41.9]}
    assert geo.field_geometry(point, where="area") == point
    with pytest.raises(ValueError, match=r"^area: "):
        geo.field_geometry({"type": "Point"}, where="area")
