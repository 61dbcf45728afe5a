"""The challenge form's text formats: countries, locations and evidence, read and written back."""

from __future__ import annotations

import pytest

from corridor.errors import InvalidInput
from corridor.mapping.challenges.forms import (
    evidence_text,
    locations_text,
    parse_countries,
    parse_evidence,
    parse_locations,
)


def test_locations_and_evidence_round_trip() -> None:
    locations = parse_locations(
        "Taftan | 61.6, 28.96\n\nFence | 61.4 29.0 ; 61.5,29.1\n"
        'Zone | {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}'
    )
    assert [loc["geometry"]["type"] for loc in locations] == ["Point", "LineString", "Polygon"]
    assert parse_locations(locations_text(locations)) == locations
    with pytest.raises(InvalidInput, match="Locations, line 1: unsupported geometry type"):
        parse_locations('Zone | {"type": "GeometryCollection", "geometries": []}')
    with pytest.raises(InvalidInput, match="Locations, line 1: the geometry is not valid GeoJSON"):
        parse_locations("Zone | {not json")

    evidence = parse_evidence(
        "Report | https://example.org/a\nFile | FIA-1\n"
        "Alert | 01a22470-14ca-78c3-8594-8735f80eeabb\nIndicator | IND-7 | indicator"
    )
    assert [e["kind"] for e in evidence] == ["link", "document", "record", "indicator"]
    assert parse_evidence(evidence_text(evidence)) == evidence
    with pytest.raises(InvalidInput, match="unknown kind 'rumour'"):
        parse_evidence("Tip | T-1 | rumour")

    assert parse_countries("pak; IR,TUR  gr pk") == ["PK", "IR", "TR", "GR"]
    with pytest.raises(InvalidInput, match="'Iran'"):
        parse_countries("PK Iran")
