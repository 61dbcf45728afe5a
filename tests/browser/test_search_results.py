"""Search results in Chromium, on a laptop and a phone: each hit with its case and key facts,
facets that narrow the live results, nothing wider than the screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import sign_in
from tests.network.nodeproc import create_token

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOT = "/tmp/corridor-search-{width}.png"  # noqa: S108 (beside the other screenshots)


@pytest.fixture(scope="module")
def karims(live_node: LiveNode) -> Iterator[str]:
    token = create_token(live_node.data_dir, live_node.investigator, ["read", "write"])
    with httpx.Client(
        base_url=live_node.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        r = api.post("/api/v1/cases", json={"reference": "BROWSER-SEARCH", "title": "Karims"})
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        for props in (
            {"name": ["Zarmeen Khattakzai"], "nationality": ["pk"], "birthDate": ["1971-08-15"]},
            {"name": ["Zarmin Khatakzai"], "nationality": ["af"], "passportNumber": ["P0123456"]},
        ):
            r = api.post(
                f"/api/v1/cases/{cid}/entities", json={"schema": "Person", "properties": props}
            )
            assert r.status_code == 201, r.text
        yield cid


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}]
)
def test_results_inform_and_facets_narrow(
    open_session: Callable[..., Session],
    live_node: LiveNode,
    karims: str,
    viewport: dict[str, int],
) -> None:
    page = open_session(viewport=viewport).page
    sign_in(page, live_node.investigator, live_node.password)
    page.goto("/search")
    page.get_by_label("Name, phone, document or account number").fill("Zarmeen Khattakzai")
    results = page.locator("#results")
    expect(results.get_by_text("2 results")).to_be_visible()
    first = results.locator("li.result").first
    expect(first.get_by_role("link", name="BROWSER-SEARCH")).to_be_visible()
    expect(results.get_by_text("Afghanistan").first).to_be_visible()
    expect(results.get_by_text("Aug 15, 1971")).to_be_visible()
    facets = results.get_by_role("navigation", name="Narrow the results")
    expect(facets).to_be_visible()
    # Nothing of the results runs past the screen.
    for box in (facets.bounding_box(), results.bounding_box()):
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= viewport["width"] + 0.5, box
    page.screenshot(path=SCREENSHOT.format(width=viewport["width"]), full_page=True)
    # A facet narrows the search; the form keeps what was typed and what was chosen.
    facets.locator('[data-facet="country"][data-value="af"]').click()
    expect(page.locator("#results").get_by_text("1 result", exact=True)).to_be_visible()
    expect(page.locator("#results li.result")).to_have_count(1)
    expect(page.locator("#results li.result").get_by_text("P0123456")).to_be_visible()
    expect(page.get_by_label("Name, phone, document or account number")).to_have_value(
        "Zarmeen Khattakzai"
    )
    expect(page.get_by_label("Country")).to_have_value("af")
