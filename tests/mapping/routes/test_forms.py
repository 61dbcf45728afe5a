"""The route form's text format: stops one per line, read and written back."""

from __future__ import annotations

from corridor.mapping.routes.forms import parse_stops, stops_text
from tests.mapping.conftest import EASTERN_ROUTE


def test_stops_round_trip_including_gaps_and_notes() -> None:
    legs = EASTERN_ROUTE["legs"]
    text = stops_text(legs)
    assert text.splitlines()[3] == "---"
    assert parse_stops(text) == legs
    noted = parse_stops("PK | Gwadar | | sea | by dhow\nOM | | 58.4,23.6 | air\nLY\nIT | Lampedusa")
    assert noted[0] == {
        "from": {"country": "PK", "hub": "Gwadar"},
        "to": {"country": "OM", "point": [58.4, 23.6]},
        "mode": "sea",
        "note": "by dhow",
    }
    assert [leg["mode"] for leg in noted] == ["sea", "air", "land"]
    assert parse_stops(stops_text(noted)) == noted
    # `CC | hub | mode` reads the mode where the position would be.
    assert parse_stops("LY | Zuwara | sea\nIT | Lampedusa")[0]["mode"] == "sea"
