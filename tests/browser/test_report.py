"""A printable country report in Chromium: the static map and the chart render, the print
button is there, the print stylesheet hides the navigation, and the browser's own PDF of the
page is a real PDF: the "printable to PDF" promise. No CSP violation, no console error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import expect

from corridor import clock
from tests.browser.conftest import LiveNode
from tests.browser.pages import sign_in
from tests.mapping.conftest import EASTERN_ROUTE
from tests.network.nodeproc import create_token

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def guidance(live_node: LiveNode) -> Iterator[dict[str, str]]:
    """A route, a challenge in Pakistan and a commitment with an overdue milestone, recorded
    by the live node's investigator (the live node's country is PK)."""
    token = create_token(live_node.data_dir, live_node.investigator, ["read", "write"])
    today = clock.now().date()
    with httpx.Client(
        base_url=live_node.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as api:

        def post(path: str, body: dict[str, object]) -> dict[str, str]:
            r = api.post(path, json=body)
            assert r.status_code == 201, r.text
            return r.json()

        route = post(
            "/api/v1/routes", {**EASTERN_ROUTE, "name": "Report test route", "tlp": "GREEN"}
        )
        found = post(
            "/api/v1/challenges",
            {
                "title": "Report test: forged visas in Quetta",
                "theme": "fraudulent_documents",
                "countries": ["PK", "IR"],
                "severity": "critical",
                "routes": [{"route": route["id"], "legs": [0]}],
                "tlp": "GREEN",
            },
        )
        commitment = post(
            "/api/v1/commitments",
            {
                "title": "Report test commitment",
                "theme": "fraudulent_documents",
                "text": "Train first-line officers.",
                "adopted": (today - timedelta(days=100)).isoformat(),
                "tlp": "GREEN",
            },
        )
        post(
            f"/api/v1/commitments/{commitment['id']}/actions",
            {
                "title": "Report test action",
                "owner": "FIA",
                "milestones": [
                    {
                        "id": "late",
                        "title": "Report test milestone",
                        "due": (today - timedelta(days=10)).isoformat(),
                    }
                ],
            },
        )
        yield {"route": route["id"], "challenge": found["id"]}


def test_country_report_prints_to_pdf(open_session, live_node, guidance) -> None:  # type: ignore[no-untyped-def]
    s = open_session()
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    # Choose the scope the way a user does: picking a country selects the country scope.
    page.goto("/reports")
    page.get_by_label("Country", exact=True).select_option("PK")
    expect(page.get_by_label("A country")).to_be_checked()
    page.get_by_role("button", name="Open the report").click()
    expect(page).to_have_url(re.compile(r"/reports/view\?scope=country&country=PK&route="))
    expect(page.get_by_role("heading", name="Country report: Pakistan")).to_be_visible()

    # The static map: every country an SVG path, Pakistan filled, the route drawn.
    svg = page.locator("svg.corridor-map")
    expect(svg).to_be_visible()
    assert svg.locator("path.country").count() > 5
    assert svg.locator('path.country[data-cc="PK"]').get_attribute("fill") not in (None, "")
    assert svg.locator('path.country[data-cc="IN"]').get_attribute("fill") is None
    assert svg.locator("polyline.route").count() >= 1
    # The chart (ECharts, SVG renderer) drew itself; its table is there for print.
    chart = page.locator(".report-chart")
    expect(chart).to_have_attribute("data-state", "ready")
    assert chart.locator("svg").count() == 1
    expect(page.get_by_role("link", name="Report test: forged visas in Quetta")).to_be_visible()
    # Other browser tests share the live node and may add overdue actions of their own.
    overdue = page.locator("table.report-scorecard tr.overdue")
    expect(overdue.filter(has_text="Report test action")).to_have_count(1)
    # Other browser tests share the live node: the highest TLP is theirs or ours.
    expect(page.locator(".report-labels")).to_have_text(
        re.compile(r"Contains records up to TLP:(GREEN|AMBER|AMBER\+STRICT); handle accordingly")
    )

    # The print button exists once the script runs; printing hides the navigation.
    expect(page.get_by_role("button", name="Print / save as PDF")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("nav.sidebar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print / save as PDF")).to_be_hidden()
    expect(svg).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 1, "the PDF has no page"
    assert len(pdf) > 20_000  # a map and tables, not an empty page
