"""The map page (/map) as the server renders it: login, filters from the query string, the
vendored scripts, the embedded data for map.js and the disclaimer. What the browser draws is
tested in tests/browser/test_map.py."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fastapi.testclient import TestClient

from corridor.mapping import geo
from corridor.mapping.schemas import THEMATIC_AREAS, THEMES
from tests.web.conftest import web_login

DISCLAIMER = (
    "Boundaries and names shown do not imply official endorsement or acceptance by corridor "
    "or its members. Natural Earth de-facto boundaries."
)


class Tags(HTMLParser):
    """Every start tag with its attributes, in document order (values unescaped)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script = False
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script = True

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def one(self, tag: str, **attrs: str) -> dict[str, str | None]:
        (found,) = self.find(tag, **attrs)
        return found


def signed_in(client: TestClient, make_user: Any, role: str) -> None:
    email = f"{role}-map@test.example"
    make_user(role, email=email)
    r = web_login(client, email)
    assert r.status_code == 303, r.text


def ticked(tags: Tags, name: str) -> list[str]:
    return [
        str(a["value"]) for a in tags.find("input", type="checkbox", name=name) if "checked" in a
    ]


def test_the_map_needs_a_login(client: TestClient) -> None:
    r = client.get("/map?theme=capacity", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fmap%3Ftheme%3Dcapacity"


def test_a_viewer_gets_the_map_with_its_filters_data_and_disclaimer(  # type: ignore[no-untyped-def]
    client, make_user, route, node
) -> None:
    signed_in(client, make_user, "viewer")
    r = client.get("/map")
    assert r.status_code == 200, r.text
    html = r.text
    tags = Tags(html)

    # In the navigation, under Guidance.
    assert [a.get("aria-current") for a in tags.find("a", href="/map")] == ["page", None]
    assert DISCLAIMER in html

    # Only the node's own, vendored scripts; nothing inline (the CSP would block it).
    scripts = [str(a.get("src")) for a in tags.find("script")]
    assert all(s.startswith("/static/") for s in scripts), scripts
    assert f"/static/vendor/{geo.VENDOR['leaflet']}/leaflet.js" in scripts
    assert f"/static/vendor/{geo.VENDOR['topojson']}/topojson-client.min.js" in scripts
    assert any(s.startswith("/static/js/map.js") for s in scripts)
    assert not tags.inline_script
    assert "<style" not in html and not [t for t, a in tags.tags if "style" in a]
    assert not [t for t, a in tags.tags if any(k.startswith("on") for k in a)]
    sheets = [a.get("href") for a in tags.find("link", rel="stylesheet")]
    assert f"/static/vendor/{geo.VENDOR['leaflet']}/leaflet.css" in sheets

    # What map.js reads: the outlines' URL, the API, the TopoJSON id -> alpha-2 table.
    m = tags.one("div", id="map")
    assert m["data-topo"] == f"/static/vendor/{geo.VENDOR['world_atlas']}/countries-50m.json"
    assert m["data-api"] == "/api/v1/map"
    ids = json.loads(str(m["data-topo-ids"]))
    assert ids == geo.numeric_to_alpha2()
    assert ids["586"] == "PK" and ids["364"] == "IR" and ids["Kosovo"] == "XK"
    labels = json.loads(str(m["data-labels"]))
    assert labels["origins"][node.id] == "Test node (PK)"
    assert labels["countries"]["PK"] == "Pakistan"
    assert labels["themes"]["victim_protection"] == "Victim-centred protection"
    messages = json.loads(str(m["data-i18n"]))
    assert messages["count_other"] == "{n} challenges" and messages["count_one"] == "{n} challenge"

    # Filters: the four thematic areas first; with no query, everything ticked.
    themes = [a["value"] for a in tags.find("input", type="checkbox", name="theme")]
    assert themes[:4] == list(THEMATIC_AREAS) and sorted(themes) == sorted(THEMES)
    assert ticked(tags, "theme") == themes
    assert ticked(tags, "severity") == ["low", "medium", "high", "critical"]
    assert len(ticked(tags, "status")) == 4
    assert tags.one("select", name="route")
    assert route["name"] in html and tags.find("option", value=route["id"])
    assert tags.find("option", value=node.id)  # the member filter lists this node
    assert tags.one("input", type="date", name="since")["value"] == ""
    assert "checked" in tags.one("input", type="radio", name="scale", value="count")

    # Exports carry no filter yet; the table and the side panel are there for map.js.
    assert tags.one("a", **{"data-export": "csv"})["href"] == "/api/v1/challenges/export.csv"
    assert tags.one("aside", id="map-details")["aria-live"] == "polite"
    assert tags.find("table", id="map-table") and tags.find("caption", id="map-count")
    assert tags.find("button", **{"data-map-action": "png"})


def test_filters_in_the_query_string_fill_the_form_and_the_exports(  # type: ignore[no-untyped-def]
    client, make_user, route, node
) -> None:
    signed_in(client, make_user, "analyst")
    r = client.get(
        "/map",
        params=[
            ("theme", "capacity"),
            ("theme", "victim_protection"),
            ("theme", "retired_theme"),
            ("severity", "high"),
            ("status", ""),
            ("route", route["id"]),
            ("origin", node.id),
            ("since", "2026-01-01"),
            ("until", "not a date"),
            ("scale", "severity"),
        ],
    )
    assert r.status_code == 200, r.text
    tags = Tags(r.text)
    assert ticked(tags, "theme") == ["victim_protection", "capacity"]
    assert ticked(tags, "severity") == ["high"]
    assert ticked(tags, "status") == []  # "status=" alone: the user unticked them all
    assert "selected" in tags.one("option", value=route["id"])
    assert "selected" in tags.one("option", value=node.id)
    assert tags.one("input", name="since")["value"] == "2026-01-01"
    assert tags.one("input", name="until")["value"] == ""
    assert "checked" in tags.one("input", type="radio", name="scale", value="severity")
    assert "checked" not in tags.one("input", type="radio", name="scale", value="count")

    csv = urlsplit(str(tags.one("a", **{"data-export": "csv"})["href"]))
    assert csv.path == "/api/v1/challenges/export.csv"
    assert parse_qsl(csv.query) == [
        ("theme", "victim_protection"),
        ("theme", "capacity"),
        ("severity", "high"),
        ("route", route["id"]),
        ("origin", node.id),
        ("since", "2026-01-01"),
    ]
    geojson = str(tags.one("a", **{"data-export": "geojson"})["href"])
    assert geojson.startswith("/api/v1/challenges/export.geojson?") and csv.query in geojson


def test_an_unknown_route_or_member_in_the_query_is_ignored(client, make_user) -> None:  # type: ignore[no-untyped-def]
    signed_in(client, make_user, "viewer")
    r = client.get("/map?route=not-a-uuid&origin=zzzz&scale=rainbow")
    assert r.status_code == 200
    tags = Tags(r.text)
    assert not [a for a in tags.find("option") if "selected" in a and a.get("lang") is None]
    assert "checked" in tags.one("input", type="radio", name="scale", value="count")
    r = client.get("/map?route=0190d2a8-0000-7000-8000-000000000000")
    chosen = [a for a in Tags(r.text).find("option") if "selected" in a]
    assert not [a for a in chosen if a.get("lang") is None]  # but the header's language
