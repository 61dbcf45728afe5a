"""The network graph of the demo case in Chromium, as a practitioner reads it on a laptop
(1366×850) and a phone (390×844): names legible at fit (at least 11 screen pixels), a legend that
names the types shown, keyboard focus on a node showing its neighbourhood, grouped leaves of a
hub opened on demand, and no sideways scrolling on a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from corridor.demo.entities import seed_investigation
from corridor.demo.seeding import DemoNodes
from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import no_horizontal_scroll, sign_in
from tests.network.nodeproc import PASSWORD, add_users, create_token

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LAPTOP = {"width": 1366, "height": 850}
PHONE = {"width": 390, "height": 844}
MIN_LABEL_PX = 11
SCREENSHOTS = Path("/tmp")  # noqa: S108 (artefacts, as test_layout keeps them)
DEMO_CASE = "FIA-AHSC-2026-014"
ANALYST = "graph-analyst@corridor.test"


@pytest.fixture(scope="module")
def demo_case(live_node: LiveNode) -> Iterator[dict[str, str]]:
    """The demo's case (FIA-AHSC-2026-014: an import of suspects, relations, payments, calls, a
    trip, a seized phone), seeded through the API exactly as `corridor demo` does; plus a small
    case of a hawaladar holding eight accounts (leaves of one hub)."""
    # An investigator of their own: the demo's people stay out of the other tests' searches.
    add_users(live_node.data_dir, [(ANALYST, "investigator")])
    token = create_token(live_node.data_dir, ANALYST, ["read", "write"])
    nodes = DemoNodes(
        urls={"pk-fia": live_node.url},
        token_for=lambda _slug, _email: token,
        node_ids={"pk-fia": "browser"},
        domains={"pk-fia": "corridor.test"},
    )
    with httpx.Client(
        base_url=live_node.url, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        if api.get(f"/api/v1/cases/{DEMO_CASE}").status_code == 404:
            seed_investigation(nodes)
        case = api.get(f"/api/v1/cases/{DEMO_CASE}").json()["id"]
        people = api.get(
            f"/api/v1/cases/{case}/entities", params={"schema": "Person", "limit": 500}
        ).json()
        asif = next(p["id"] for p in people["items"] if p["caption"] == "Muhammad Asif Khan")

        def ent(cid: str, schema: str, **props: list[str]) -> str:
            r = api.post(
                f"/api/v1/cases/{cid}/entities", json={"schema": schema, "properties": props}
            )
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        r = api.post("/api/v1/cases", json={"reference": "BROWSER-HUB", "title": "Accounts"})
        assert r.status_code == 201, r.text
        hub_case = r.json()["id"]
        hawaladar = ent(hub_case, "Person", name=["Qasim Ali"])
        partner = ent(hub_case, "Person", name=["Gul Wali"])
        ent(hub_case, "Associate", person=[hawaladar], associate=[partner])
        for i in range(8):
            account = ent(hub_case, "BankAccount", accountNumber=[f"PK36SCBL00000011234567{i:02d}"])
            ent(hub_case, "Ownership", owner=[hawaladar], asset=[account])
    yield {"case": case, "asif": asif, "hub_case": hub_case, "hawaladar": hawaladar}


def graph_ready(page: Page) -> None:
    page.wait_for_function(
        "() => { const g = document.getElementById('graph');"
        " return g.dataset.ready === 'true' && g.cy.nodes().length > 0; }"
    )


def settled(page: Page) -> None:
    """Wait until the names were placed for the zoom the graph now has (a frame after a
    change of the viewport)."""
    page.wait_for_function(
        "() => { const g = document.getElementById('graph');"
        " return g.dataset.zoom && Math.abs(Number(g.dataset.zoom) - g.cy.zoom()) < 1e-9; }"
    )


def label_report(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const g = document.getElementById('graph');
            const cy = g.cy;
            const written = cy.nodes().filter(n => n.visible() && n.style('label') !== '');
            return {
                zoom: cy.zoom(),
                nodes: cy.nodes(':visible').length,
                people: cy.nodes('[schema = "Person"]').length,
                peopleNamed: written.filter('[schema = "Person"]').length,
                written: written.length,
                sizes: written.map(n => parseFloat(n.renderedStyle('font-size'))),
                canvas: g.getBoundingClientRect().width,
            };
        }"""
    )


def test_names_are_legible_at_fit_and_the_legend_names_the_types(
    open_session: Callable[..., Session], live_node: LiveNode, demo_case: dict[str, str]
) -> None:
    page = open_session(viewport=LAPTOP).page
    sign_in(page, ANALYST, PASSWORD)
    page.goto(f"/cases/{demo_case['case']}/graph")
    graph_ready(page)
    page.get_by_role("button", name="Fit").click()
    settled(page)
    report = label_report(page)
    page.screenshot(path=str(SCREENSHOTS / "corridor-graph-1366.png"))
    assert report["nodes"] >= 12, report
    assert report["sizes"], report
    assert min(report["sizes"]) >= MIN_LABEL_PX, report
    # Most names are written at fit (those that would cover another wait for a zoom or hover),
    # the people's first.
    assert report["written"] >= 0.75 * report["nodes"], report
    assert report["peopleNamed"] >= 0.8 * report["people"], report
    # Zoomed out far, names keep their size on screen; fewer fit, none shrinks.
    page.evaluate("() => document.getElementById('graph').cy.zoom(0.1)")
    settled(page)
    far = label_report(page)
    assert far["sizes"] and min(far["sizes"]) >= MIN_LABEL_PX, far
    assert far["written"] < report["written"], far
    page.get_by_role("button", name="Fit").click()
    settled(page)

    legend = page.locator("[data-graph-legend]")
    expect(legend.get_by_role("heading", name="Legend")).to_be_visible()
    shown = page.evaluate(
        "() => [...new Set(document.getElementById('graph').cy.nodes()"
        ".filter(n => n.data('schema') !== 'Selector').map(n => n.data('schema')))]"
    )
    assert {"Person", "Address", "Vehicle", "MobileDevice", "UserAccount", "Vessel"} <= set(shown)
    for schema in shown:
        entry = legend.locator(f'[data-legend-schema="{schema}"]')
        expect(entry).to_be_visible()
    expect(legend.locator('[data-legend-schema="Person"]')).to_contain_text("Person")
    expect(legend.locator('[data-legend-schema="Vessel"]')).to_contain_text("Vessel")
    # Types absent from the graph are not listed.
    expect(legend.locator('[data-legend-schema="Passport"]')).to_be_hidden()
    # Shared values (the phone of the two records of one man) and outlines are explained.
    expect(legend.locator('[data-legend-selector="phone"]')).to_be_visible()
    expect(legend.get_by_text("Dashed: a value")).to_be_visible()
    expect(legend.get_by_text("Colour: the separate network")).to_be_visible()
    # The legend's swatch of a person has the colour its nodes are drawn in.
    colours = page.evaluate(
        """() => {
            const cy = document.getElementById('graph').cy;
            const swatch = document.querySelector('[data-legend-schema="Person"] .graph-swatch');
            const probe = document.createElement('span');
            probe.style.color = cy.nodes('[schema = "Person"]').first().style('background-color');
            document.body.append(probe);
            const drawn = getComputedStyle(probe).color;
            probe.remove();
            return { legend: getComputedStyle(swatch).backgroundColor, drawn };
        }"""
    )
    assert colours["legend"] == colours["drawn"], colours
    # The case's analysis lists each separate network in the colour the graph outlines it with.
    analysis = page.locator("#graph-analysis .graph-network-list")
    expect(analysis.locator("li").first).to_contain_text("Network 1")
    outlines = page.evaluate(
        """() => {
            const cy = document.getElementById('graph').cy;
            const probe = document.createElement('span');
            probe.style.color = cy.nodes('[community = 0]').first().style('border-color');
            document.body.append(probe);
            const drawn = getComputedStyle(probe).color;
            probe.remove();
            const listed = document.querySelector('#graph-analysis [data-net="0"]');
            return { drawn, listed: getComputedStyle(listed).borderTopColor };
        }"""
    )
    assert outlines["drawn"] == outlines["listed"], outlines


def test_panels_and_legend_mirror_right_to_left(
    open_session: Callable[..., Session], live_node: LiveNode, demo_case: dict[str, str]
) -> None:
    page = open_session(viewport=LAPTOP).page
    sign_in(page, ANALYST, PASSWORD)
    page.goto(f"/cases/{demo_case['case']}/graph")
    graph_ready(page)
    # No right-to-left catalogue ships yet: the page is turned as Arabic or Urdu would turn it.
    page.evaluate("() => { document.documentElement.dir = 'rtl'; }")
    page.locator("[data-graph-list] button", has_text="Muhammad Asif Khan").click()
    expect(page.locator("#graph-details .graph-links button").first).to_be_visible()
    no_horizontal_scroll(page)
    boxes = page.evaluate(
        """() => {
            const box = (el) => el.getBoundingClientRect();
            const entry = document.querySelector('[data-legend-schema="Person"]');
            const link = document.querySelector('#graph-details .graph-links button');
            return {
                canvas: box(document.getElementById('graph')).left,
                side: box(document.querySelector('.graph-side')).left,
                swatch: box(entry.querySelector('.graph-swatch')).left,
                label: box(entry.querySelector('[data-legend-label]')).left,
                linkSwatch: box(link.querySelector('.graph-swatch')).left,
                linkName: box(link.querySelector('.graph-name')).left,
            };
        }"""
    )
    assert boxes["side"] < boxes["canvas"], boxes
    assert boxes["swatch"] > boxes["label"], boxes
    assert boxes["linkSwatch"] > boxes["linkName"], boxes


def test_keyboard_focus_shows_a_node_and_its_neighbourhood(
    open_session: Callable[..., Session], live_node: LiveNode, demo_case: dict[str, str]
) -> None:
    page = open_session(viewport=LAPTOP).page
    sign_in(page, ANALYST, PASSWORD)
    page.goto(f"/cases/{demo_case['case']}/graph")
    graph_ready(page)
    nodes = page.locator("[data-graph-list]")
    expect(nodes.get_by_role("button").first).to_be_attached()
    # Tab from the toolbar reaches the list of nodes (its one tab stop).
    page.get_by_role("button", name="Export PNG").focus()
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('[data-graph-list]')"):
            break
    else:
        pytest.fail("Tab never reached the list of nodes")
    # Arrow keys move within the list; Enter focuses the node.
    for _ in range(60):
        if page.evaluate("() => document.activeElement.textContent.includes('Muhammad Asif Khan')"):
            break
        page.keyboard.press("ArrowDown")
    else:
        pytest.fail("the arrow keys never reached Muhammad Asif Khan")
    page.keyboard.press("Enter")
    state = page.evaluate(
        """id => {
            const cy = document.getElementById('graph').cy;
            const n = cy.getElementById(id);
            const hood = n.closedNeighborhood();
            return {
                focus: n.hasClass('focus'),
                neighbours: n.neighborhood('node').map(m => m.data('label')),
                hoodFaded: hood.filter('.faded').length,
                othersFaded: cy.elements().not(hood).filter(e => !e.hasClass('faded')).length,
                others: cy.elements().not(hood).length,
                named: n.neighborhood('node').filter(m => m.style('label') !== '').length,
            };
        }""",
        demo_case["asif"],
    )
    assert state["focus"], state
    assert state["hoodFaded"] == 0 and state["others"] > 0 and state["othersFaded"] == 0, state
    assert {"Haji Karim Baloch", "Reza Ahmadi", "Qasim Ali"} <= set(state["neighbours"]), state
    # The panel names the node, its type, its key facts and every neighbour, with a link to it.
    panel = page.locator("#graph-details")
    expect(panel.get_by_role("heading", name="Muhammad Asif Khan")).to_be_visible()
    expect(panel.get_by_text("Person", exact=True)).to_be_visible()
    expect(panel.locator("[data-graph-facts] .tlp")).to_have_text("TLP:AMBER")
    expect(panel.get_by_role("link", name="Open the entity")).to_have_attribute(
        "href", f"/entities/{demo_case['asif']}"
    )
    links = panel.locator(".graph-links button")
    expect(links).to_have_count(len(state["neighbours"]))
    expect(panel.locator(".graph-links")).to_contain_text("Reza Ahmadi")
    expect(nodes.locator('button[aria-pressed="true"]')).to_contain_text("Muhammad Asif Khan")
    page.screenshot(path=str(SCREENSHOTS / "corridor-graph-focus-1366.png"))
    # From the panel, Enter on a neighbour moves the focus there.
    reza = panel.locator(".graph-links button", has_text="Reza Ahmadi")
    reza.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", name="Reza Ahmadi")).to_be_focused()
    # Escape shows every node again.
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.getElementById('graph').cy.$('.faded').length") == 0


def test_leaves_of_a_hub_are_grouped_and_opened_on_demand(
    open_session: Callable[..., Session], live_node: LiveNode, demo_case: dict[str, str]
) -> None:
    page = open_session(viewport=LAPTOP).page
    sign_in(page, ANALYST, PASSWORD)
    page.goto(f"/cases/{demo_case['hub_case']}/graph")
    graph_ready(page)
    count = page.evaluate(
        "() => document.getElementById('graph').cy.nodes('[kind = \"cluster\"]')"
        ".map(n => n.data('count'))"
    )
    assert count == [8]
    # The hawaladar, his associate (a leaf too, but the only person) and the cluster.
    assert page.evaluate("() => document.getElementById('graph').cy.nodes().length") == 3
    expect(page.locator("[data-legend-cluster]")).to_be_visible()
    cluster = page.locator("[data-graph-list] button", has_text="+8")
    cluster.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#graph-details")
    expect(panel).to_contain_text("8 nodes linked only to Qasim Ali")
    expect(panel).to_contain_text("Bank account")
    panel.get_by_role("button", name="Show them").click()
    page.wait_for_function(
        "() => document.getElementById('graph').cy.nodes('[schema = \"BankAccount\"]').length === 8"
    )
    assert (
        page.evaluate(
            "() => document.getElementById('graph').cy.nodes('[kind = \"cluster\"]').length"
        )
        == 0
    )
    expect(panel.get_by_role("heading", name="Qasim Ali")).to_be_visible()


def test_no_sideways_scrolling_on_a_phone(
    open_session: Callable[..., Session], live_node: LiveNode, demo_case: dict[str, str]
) -> None:
    page = open_session(viewport=PHONE).page
    sign_in(page, ANALYST, PASSWORD)
    page.goto(f"/cases/{demo_case['case']}/graph")
    graph_ready(page)
    settled(page)
    no_horizontal_scroll(page)
    report = label_report(page)
    assert report["sizes"] and min(report["sizes"]) >= MIN_LABEL_PX, report
    box = page.locator("#graph").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.locator("[data-graph-list] button", has_text="Muhammad Asif Khan").click()
    expect(page.locator("#graph-details").get_by_role("heading", level=2)).to_have_text(
        "Muhammad Asif Khan"
    )
    no_horizontal_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "corridor-graph-390.png"), full_page=True)
