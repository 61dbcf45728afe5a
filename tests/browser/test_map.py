"""The map page in Chromium: countries drawn from the vendored TopoJSON as SVG paths, the
choropleth, routes and locations, filters that restyle the map without a reload (and stay in
the URL), click-through to a country's challenges, a partner's challenge on the map, and the PNG
export, all under the page's Content-Security-Policy.

Two real `corridor serve` processes on loopback, peered the operator's way (as in
test_realtime.py): A is the node whose map we open, B a partner that shares a challenge with A.
The session's live_node is left alone, so other tests never see these peers and records."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from corridor.mapping import geo
from tests.browser.conftest import Session
from tests.browser.pages import no_horizontal_scroll, sign_in
from tests.mapping.conftest import EASTERN_ROUTE
from tests.network.nodeproc import (
    LIAISON,
    PASSWORD,
    FedNode,
    add_users,
    create_token,
    free_port,
    init_node,
    stop_all,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEUTRAL = "#e2dfd6"  # map.js: a country without challenges
CENTRAL_ROUTE = {
    "name": "Pakistan – Libya – Italy",
    "legs": [
        {
            "from": {"country": "PK", "hub": "Karachi", "point": [67.01, 24.86]},
            "to": {"country": "LY", "hub": "Benghazi", "point": [20.07, 32.12]},
            "mode": "air",
        },
        {
            "from": {"country": "LY", "hub": "Zuwara", "point": [12.08, 32.93]},
            "to": {"country": "IT", "hub": "Lampedusa", "point": [12.6, 35.5]},
            "mode": "sea",
        },
    ],
}
VISAS = "Forged Schengen visas sold in Quetta"
ADVERTS = "Crossings advertised on messaging apps"
EVROS = "Pushbacks and drownings on the Evros"
PARTNER = "Overcrowded boats leaving Zuwara"
PARTNER_LATER = "Fake job offers for Italian farms"


def _post(node: FedNode, path: str, body: dict[str, Any]) -> dict[str, Any]:
    with node.client() as api:
        r = api.post(path, json=body)
    assert r.status_code == 201, f"POST {path} at {node.label}: {r.status_code} {r.text}"
    return dict(r.json())


def _challenge(title: str, **over: Any) -> dict[str, Any]:
    body = {
        "title": title,
        "description": "Fictional, for the browser test.",
        "theme": "fraudulent_documents",
        "countries": ["PK"],
        "severity": "medium",
        "trend": "increasing",
        "status": "open",
        "identified": "2026-05-01",
        "tlp": "GREEN",
    }
    body.update(over)
    return body


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FedNode, FedNode]]:
    """A (PK) and B (TR), set up before their first start: init with their URLs, cards
    exchanged and approved both ways, a liaison officer (PASSWORD) with a read+write token on
    each. Then A's route and challenges, and B's challenge shared with A."""
    root = tmp_path_factory.mktemp("map")
    a, b = (FedNode(label, root / f"node-{label}", free_port()) for label in "AB")
    nodes = (a, b)

    def init(node: FedNode, country: str) -> None:
        init_node(
            node.data_dir,
            url=node.url,
            name=f"Node {node.label}",
            org=f"Agency {node.label}",
            country=country,
        )

    def card(node: FedNode) -> None:
        node.card_path = root / f"card-{node.label}.json"
        node.cli("node", "card", "-o", node.card_path)
        node.node_id = (node.data_dir / "keys" / "node_id").read_text(encoding="ascii").strip()

    def peer(node: FedNode, other: FedNode) -> None:
        node.cli("peer", "add", other.card_path, "--approve")

    def officer(node: FedNode) -> None:
        add_users(node.data_dir, [(LIAISON, "liaison_officer")])
        node.token = create_token(node.data_dir, LIAISON, ["read", "write"])

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(init, nodes, ("PK", "TR")))
            officers = [pool.submit(officer, n) for n in nodes]
            list(pool.map(card, nodes))
            list(pool.map(peer, nodes, reversed(nodes)))
            for f in officers:
                f.result()
            list(pool.map(FedNode.start, nodes))
        eastern = _post(a, "/api/v1/routes", {**EASTERN_ROUTE, "tlp": "GREEN"})
        _post(a, "/api/v1/routes", {**CENTRAL_ROUTE, "tlp": "GREEN"})
        _post(
            a,
            "/api/v1/challenges",
            _challenge(
                VISAS,
                countries=["PK", "IR"],
                severity="high",
                routes=[{"route": eastern["id"], "legs": [0]}],
                locations=[
                    {
                        "name": "Taftan crossing",
                        "geometry": {"type": "Point", "coordinates": [61.6, 28.96]},
                    }
                ],
            ),
        )
        _post(a, "/api/v1/challenges", _challenge(ADVERTS, theme="digital_smuggling"))
        _post(
            a,
            "/api/v1/challenges",
            _challenge(
                EVROS,
                theme="border_vulnerabilities",
                countries=["GR", "TR"],
                severity="critical",
                status="monitoring",
                locations=[
                    {
                        "name": "Evros river",
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[26.03, 40.73], [26.35, 41.2], [26.6, 41.7]],
                        },
                    }
                ],
            ),
        )
        _post(
            b,
            "/api/v1/challenges",
            _challenge(
                PARTNER,
                theme="victim_protection",
                countries=["LY"],
                severity="critical",
                to=[a.node_id],
            ),
        )
        wait_for(
            lambda: _titles(a) >= {VISAS, ADVERTS, EVROS, PARTNER},
            timeout=15,
            what="B's challenge to reach A",
            context=lambda: a.log_tail() + "\n" + b.log_tail(),
        )
        yield a, b
    finally:
        stop_all(nodes)


def _titles(node: FedNode) -> set[str]:
    with node.client() as api:
        r = api.get("/api/v1/challenges")
    assert r.status_code == 200, r.text
    return {c["title"] for c in r.json()["items"]}


def _open_map(open_session_at: Callable[..., Session], a: FedNode, path: str = "/map") -> Page:
    page = open_session_at(a.url, viewport={"width": 1400, "height": 900}).page
    sign_in(page, LIAISON, PASSWORD)
    page.goto(path)
    expect(page.locator("#map")).to_have_attribute("data-state", "ready")
    return page


def _map_fetches(page: Page) -> int:
    """Requests for the map data since the page loaded: 1 when map.js used the preload."""
    return int(
        page.evaluate(
            "() => performance.getEntriesByType('resource')"
            ".filter((r) => r.name.includes('/api/v1/map')).length"
        )
    )


def _renders(page: Page) -> int:
    return int(page.locator("#map").get_attribute("data-renders") or 0)


def _wait_redraw(page: Page, before: int) -> None:
    page.wait_for_function(
        "(n) => Number(document.getElementById('map').dataset.renders) > n", arg=before
    )


def _fill(page: Page, cc: str) -> str:
    return str(page.locator(f'path.map-country[data-cc="{cc}"]').first.get_attribute("fill"))


def _click_inside(page: Page, cc: str, lon: float, lat: float) -> None:
    """Click the country's path at (lon, lat), placed within its bounding box by Web-Mercator
    proportions (Playwright fails if something else, e.g. a hub, is on top there)."""
    west, south, east, north = geo.countries()[cc].bbox
    path = page.locator(f'path.map-country[data-cc="{cc}"]').first
    box = path.bounding_box()
    assert box is not None

    def merc(v: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(v) / 2))

    x = (lon - west) / (east - west) * box["width"]
    y = (merc(north) - merc(lat)) / (merc(north) - merc(south)) * box["height"]
    path.click(position={"x": x, "y": y})


def _count(page: Page) -> int:
    text = page.locator("#map-count").inner_text()
    found = re.match(r"(\d+) challenges?$", text)
    assert found, text
    return int(found.group(1))


def test_countries_routes_filters_and_click_through(
    pair: tuple[FedNode, FedNode], open_session_at: Callable[..., Session]
) -> None:
    a, _b = pair
    page = _open_map(open_session_at, a)

    # The world's countries as SVG paths (Leaflet's SVG renderer), coloured where there are
    # challenges and neutral elsewhere.
    countries = page.locator("#map svg path.map-country")
    assert countries.count() >= 170
    assert page.locator("#map svg path.leaflet-interactive").count() >= 170
    assert _fill(page, "BR") == NEUTRAL
    assert _fill(page, "PK") != NEUTRAL and _fill(page, "GR") != NEUTRAL
    assert _fill(page, "PK") != _fill(page, "BR")
    assert _map_fetches(page) == 1  # the preloaded answer, not a second request
    legend = page.locator("#map-legend")
    expect(legend).to_contain_text("Challenges per country")
    expect(legend).to_contain_text("No challenges")

    # Routes: three land legs of the eastern route, an air and a sea leg of the central one;
    # the sea leg is dashed. Hubs as small circles; the drawn locations too.
    routes = page.locator("#map svg path.map-route")
    assert routes.count() == 5
    dashes = [routes.nth(i).get_attribute("stroke-dasharray") for i in range(5)]
    assert "8 6" in dashes and dashes.count(None) == 3, dashes
    assert page.locator("#map svg path.map-hub").count() >= 6
    assert page.locator("#map svg path.map-location").count() == 2

    # The table lists the same challenges, the partner's among them.
    assert _count(page) == 4
    table = page.locator("#map-table")
    for title in (VISAS, ADVERTS, EVROS, PARTNER):
        expect(table.get_by_role("link", name=title, exact=True)).to_have_attribute(
            "href", re.compile(r"^/challenges/[0-9a-f-]{36}$")
        )

    # Clicking Pakistan lists its challenges in the side panel.
    _click_inside(page, "PK", 72.5, 33.0)  # near Islamabad, away from the route's hubs
    details = page.locator("#map-details")
    expect(details.get_by_role("heading", name="Challenges in Pakistan")).to_be_visible()
    expect(details.get_by_role("link", name=VISAS, exact=True)).to_be_visible()
    expect(details.get_by_role("link", name=ADVERTS, exact=True)).to_be_visible()
    expect(details).to_contain_text("Node A (PK)")
    expect(details).not_to_contain_text(EVROS)

    # Unticking the two themes of Pakistan's challenges: the map restyles in place (no
    # reload), Pakistan turns neutral, the table and the URL follow.
    pk_before = _fill(page, "PK")
    for theme in ("Fraudulent documentation", "Digitally enabled smuggling"):
        before = _renders(page)
        page.get_by_role("checkbox", name=theme).uncheck()
        _wait_redraw(page, before)
    assert _fill(page, "PK") == NEUTRAL != pk_before
    assert _fill(page, "GR") != NEUTRAL
    assert _count(page) == 2
    expect(table.get_by_role("link", name=VISAS)).to_have_count(0)
    expect(details).to_contain_text("No challenge matches the filters here.")
    assert "theme=border_vulnerabilities" in page.url and "theme=fraudulent" not in page.url
    csv = page.locator('a[data-export="csv"]').get_attribute("href") or ""
    assert csv.startswith("/api/v1/challenges/export.csv?") and "theme=victim_protection" in csv
    exported = page.request.get(csv)
    assert exported.ok and EVROS in exported.text() and VISAS not in exported.text()

    # The filtered map is bookmarkable: opened from its URL, it shows the same.
    page.reload()
    expect(page.locator("#map")).to_have_attribute("data-state", "ready")
    expect(page.get_by_role("checkbox", name="Fraudulent documentation")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Border vulnerabilities")).to_be_checked()
    assert _fill(page, "PK") == NEUTRAL and _count(page) == 2
    assert _map_fetches(page) == 1

    # Colour by the highest severity instead: the legend follows.
    before = _renders(page)
    page.get_by_role("radio", name="Highest severity").check()
    _wait_redraw(page, before)
    expect(legend).to_contain_text("Critical")
    assert _fill(page, "GR") == _fill(page, "LY")  # both critical
    assert "scale=severity" in page.url

    # A route's click-through: the challenges along it.
    page.goto("/map")
    expect(page.locator("#map")).to_have_attribute("data-state", "ready")
    page.get_by_role("combobox", name="Route").select_option(label=EASTERN_ROUTE["name"])
    expect(page.locator("#map svg path.map-route")).to_have_count(3)
    assert _count(page) == 1
    page.locator("#map svg path.map-route").first.click()
    expect(details.get_by_role("heading", name=f"Route: {EASTERN_ROUTE['name']}")).to_be_visible()
    expect(details.get_by_role("link", name=VISAS, exact=True)).to_be_visible()
    expect(details).to_contain_text("Quetta, Pakistan → Zahedan, Iran")


def test_a_partners_challenge_appears_with_its_name_and_live(
    pair: tuple[FedNode, FedNode], open_session_at: Callable[..., Session]
) -> None:
    a, b = pair
    page = _open_map(open_session_at, a)
    row = page.locator("#map-table tbody tr", has_text=PARTNER)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Node B (TR)")
    expect(row).to_contain_text("Victim-centred protection")
    assert _fill(page, "LY") != NEUTRAL

    # Only the partner's challenges, by the member filter.
    before = _renders(page)
    page.get_by_role("combobox", name="Member").select_option(label="Node B (TR)")
    _wait_redraw(page, before)
    assert _count(page) == 1 and _fill(page, "PK") == NEUTRAL
    page.get_by_role("combobox", name="Member").select_option(value="")
    _wait_redraw(page, before + 1)

    # A new challenge shared by B shows up on A's open map without a reload (the server-sent
    # event of the received record makes the page refetch).
    marker = page.evaluate("() => (window.__mapMarker = performance.timeOrigin)")
    before = _renders(page)
    assert _fill(page, "IT") == NEUTRAL
    _post(
        b,
        "/api/v1/challenges",
        _challenge(PARTNER_LATER, theme="fraudulent_documents", countries=["IT"], to=[a.node_id]),
    )
    try:
        expect(page.locator("#map-table")).to_contain_text(PARTNER_LATER, timeout=15_000)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{a.log_tail()}\n{b.log_tail()}") from None
    assert _renders(page) > before
    assert page.evaluate("() => window.__mapMarker") == marker, "the page was reloaded"
    assert _fill(page, "IT") != NEUTRAL


def test_png_export(pair: tuple[FedNode, FedNode], open_session_at: Callable[..., Session]) -> None:
    a, _b = pair
    page = _open_map(open_session_at, a)
    with page.expect_download() as info:
        page.get_by_role("button", name="PNG").click()
    download = info.value
    assert download.suggested_filename == "corridor-map.png"
    path = download.path()
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # the map, not an empty canvas
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    # For a look by hand, next to the browser tests' other screenshots.
    download.save_as("/tmp/corridor-map-export.png")  # noqa: S108
    page.screenshot(path="/tmp/corridor-map.png")  # noqa: S108


def test_print_layout_and_a_phone_sized_screen(
    pair: tuple[FedNode, FedNode], open_session_at: Callable[..., Session]
) -> None:
    a, _b = pair
    page = _open_map(open_session_at, a)
    # Printing keeps the map, its legend, the disclaimer and the list; not the controls.
    page.emulate_media(media="print")
    for hidden in ("nav.sidebar", "#map-filters", ".map-tools", "#map-details"):
        expect(page.locator(hidden)).to_be_hidden()
    for shown in ("#map", "#map-legend", "#map-disclaimer", "#map-table"):
        expect(page.locator(shown)).to_be_visible()
    page.emulate_media(media="screen")

    phone = open_session_at(a.url, viewport={"width": 375, "height": 740}).page
    sign_in(phone, LIAISON, PASSWORD)
    phone.goto("/map")
    expect(phone.locator("#map")).to_have_attribute("data-state", "ready")
    no_horizontal_scroll(phone)
    expect(phone.locator("#map-disclaimer")).to_be_visible()
