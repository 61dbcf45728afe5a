"""Dashboards in Chromium.

The work queue (`/`) at a partner's node, on a laptop and on a phone: an overdue request, an
alert nobody acknowledged and a task due, each counted and linked, nothing off-screen, a new
alert arriving live; screenshots kept in /tmp as artefacts.

The commitments dashboard: its Apache ECharts charts render as SVG (the vendored library, no
request leaves the node, no CSP violation), each container reports data-state="ready", the
chart data matches the tables, and an overdue milestone's row is highlighted. The commitment
page shows the same milestone as overdue."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import no_horizontal_scroll, sign_in
from tests.network.nodeproc import (
    LIAISON,
    PASSWORD,
    FedNode,
    create_token,
    make_federation,
    stop_all,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LATE = "Kits delivered to Chaman (browser test)"
DOCS = "Document examination at every crossing (browser test)"


def _day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def portfolio(live_node: LiveNode) -> Iterator[dict[str, str]]:
    """Two commitments of this node, one action each; one milestone is a month overdue."""
    token = create_token(live_node.data_dir, live_node.investigator, ["read", "write"])
    with httpx.Client(
        base_url=live_node.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as api:

        def post(path: str, body: dict[str, object]) -> str:
            r = api.post(path, json=body)
            assert r.status_code == 201, r.text
            return str(r.json()["id"])

        docs = post(
            "/api/v1/commitments",
            {
                "title": DOCS,
                "theme": "fraudulent_documents",
                "text": "Kits and training at the crossings of the eastern route.",
                "adopted": _day(-365),
                "countries": ["PK", "IR"],
                "tlp": "GREEN",
            },
        )
        action = post(
            f"/api/v1/commitments/{docs}/actions",
            {
                "title": "Kits at Taftan and Chaman",
                "owner": "FIA Immigration Wing",
                "milestones": [
                    {"id": "taftan", "title": "Kits delivered to Taftan", "due": _day(-60)},
                    {"id": "chaman", "title": LATE, "due": _day(-30)},
                ],
                "indicators": [
                    {"id": "officers", "name": "Officers trained", "baseline": 0, "target": 40}
                ],
            },
        )
        r = api.post(
            f"/api/v1/commitments/{docs}/actions/{action}/updates",
            json={
                "on": _day(-50),
                "text": "Taftan equipped; 10 officers trained.",
                "values": {"officers": 10},
                "milestones_done": ["taftan"],
            },
        )
        assert r.status_code == 201, r.text
        online = post(
            "/api/v1/commitments",
            {
                "title": "Take down smuggling adverts (browser test)",
                "theme": "digital_smuggling",
                "text": "A referral channel with the platforms.",
                "adopted": _day(-365),
                "tlp": "GREEN",
            },
        )
        post(
            f"/api/v1/commitments/{online}/actions",
            {
                "title": "Referral channel",
                "owner": "FIA Cyber Crime Wing",
                "milestones": [{"id": "mou", "title": "MoU signed", "due": _day(60)}],
            },
        )
        yield {"docs": docs, "online": online, "action": action}


def test_dashboard_draws_svg_charts_and_highlights_overdue(
    open_session, live_node, portfolio
) -> None:  # type: ignore[no-untyped-def]
    s = open_session()
    sign_in(s.page, live_node.investigator, live_node.password)
    page = s.page
    page.goto("/commitments/dashboard")
    expect(page.get_by_role("heading", name="Commitments: network dashboard")).to_be_visible()

    charts = page.locator(".cm-chart")
    expect(charts).to_have_count(3)
    for i in range(3):
        chart = charts.nth(i)
        expect(chart).to_have_attribute("data-state", "ready")
        # The SVG renderer: an <svg> with drawn bars, no <canvas>.
        expect(chart.locator("svg").first).to_be_visible()
        assert chart.locator("canvas").count() == 0
        assert chart.locator("svg path").count() > 3
    expect(page.locator("#chart-themes svg")).to_contain_text("Fraudulent documentation")
    expect(page.locator("#chart-themes svg")).to_contain_text("Digitally enabled smuggling")
    expect(page.locator("#chart-members svg")).to_contain_text("Pakistan")
    expect(page.locator("#chart-milestones svg")).to_contain_text("Done")

    # The table version of each chart is on the page too.
    expect(page.locator("#table-themes")).to_contain_text("Fraudulent documentation")
    expect(page.locator("#table-members")).to_contain_text("Pakistan")

    # The overdue milestone: its own highlighted row, marked for screen readers too.
    row = page.locator("table.cm-overdue tr.overdue", has_text=LATE)
    expect(row).to_be_visible()
    expect(row).to_contain_text("overdue")
    expect(row.get_by_role("link", name="Kits at Taftan and Chaman")).to_be_visible()
    backgrounds = row.locator("td").first.evaluate("el => getComputedStyle(el).backgroundColor")
    plain = (
        page.locator("#table-members tbody tr")
        .first.locator("td")
        .first.evaluate("el => getComputedStyle(el).backgroundColor")
    )
    assert backgrounds != plain, (backgrounds, plain)

    # Through to the commitment: the same milestone is highlighted as overdue there.
    row.get_by_role("link", name="Kits at Taftan and Chaman").click()
    expect(page.get_by_role("heading", name=DOCS)).to_be_visible()
    late = page.locator(f"#action-{portfolio['action']} li.overdue", has_text=LATE)
    expect(late).to_be_visible()
    expect(late.locator(".cm-sr")).to_have_text("overdue")
    expect(page.locator(f"#action-{portfolio['action']} li.done")).to_contain_text(
        "Kits delivered to Taftan"
    )


def test_commitment_list_and_scorecard_render_cleanly(open_session, live_node, portfolio) -> None:  # type: ignore[no-untyped-def]
    s = open_session()
    sign_in(s.page, live_node.investigator, live_node.password)
    page = s.page
    page.goto("/commitments")
    expect(page.get_by_role("heading", name="Fraudulent documentation")).to_be_visible()
    expect(page.get_by_role("link", name="New commitment")).to_be_visible()
    expect(page.locator("progress").first).to_be_visible()
    page.get_by_role("link", name="Country scorecards").click()
    page.get_by_role("link", name="Pakistan").click()
    expect(page.get_by_role("heading", name="Scorecard: Pakistan")).to_be_visible()
    expect(page.get_by_role("link", name="Printable country report")).to_have_attribute(
        "href", "/reports/view?scope=country&country=PK"
    )
    expect(page.locator("li.overdue", has_text=LATE)).to_be_visible()


def test_pages_fit_a_phone(open_session, live_node, portfolio) -> None:  # type: ignore[no-untyped-def]
    s = open_session(viewport={"width": 375, "height": 800})
    sign_in(s.page, live_node.investigator, live_node.password)
    page = s.page
    for path in (
        "/commitments",
        "/commitments/dashboard",
        f"/commitments/{portfolio['docs']}",
        "/commitments/scorecard/PK",
    ):
        page.goto(path)
        if path.endswith("dashboard"):
            expect(page.locator("#chart-milestones")).to_have_attribute("data-state", "ready")
        no_horizontal_scroll(page)


# --- the work queue -----------------------------------------------------------------------------

REQUEST = "Passports of the Quetta group: seen at your border? (browser test)"
ALERT = "Rubber boat leaving Ayvalık tonight (browser test)"
LATER = "Second boat sighted off Dikili (browser test)"
TASK = "Map the Van safe houses (browser test)"
WORK_SHOTS = "/tmp/corridor-dashboard-work-{width}.png"  # noqa: S108 (artefacts, as the others)


def _alert(api: httpx.Client, to: str, title: str) -> None:
    r = api.post(
        "/api/v1/alerts",
        json={
            "to": [to],
            "type": "imminent_departure",
            "severity": "urgent",
            "title": title,
            "text": "About 40 people gathered near the shore.",
            "tlp": "AMBER",
        },
    )
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def partners(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FedNode, FedNode]]:
    """A sends B an urgent alert and a request whose deadline passes at once; B's liaison
    officer has a case with a task due tomorrow. Yields once B holds the request overdue."""
    a, b = make_federation(tmp_path_factory.mktemp("work-queue"), ["A", "B"])
    try:
        with a.client() as api_a, b.client() as api_b:
            _alert(api_a, b.node_id, ALERT)
            deadline = datetime.now(UTC) + timedelta(seconds=3)
            r = api_a.post(
                "/api/v1/requests",
                json={
                    "to": [b.node_id],
                    "subject": REQUEST,
                    "urgency": "urgent",
                    "text": "Twelve people on forged visas via Dubai.",
                    "deadline": deadline.isoformat(),
                    "tlp": "AMBER",
                },
            )
            assert r.status_code == 201, r.text
            rid = r.json()["id"]
            me = api_b.get("/api/v1/me").json()["handle"]
            case = api_b.post(
                "/api/v1/cases",
                json={"reference": "JAN-2026-7", "title": "Van network (browser test)"},
            )
            assert case.status_code == 201, case.text
            r = api_b.post(
                f"/api/v1/cases/{case.json()['id']}/tasks",
                json={"title": TASK, "owner": me, "due": _day(1)},
            )
            assert r.status_code == 201, r.text

            def overdue() -> bool:
                got = api_b.get(f"/api/v1/requests/{rid}")
                return got.status_code == 200 and got.json()["state"] == "overdue"

            wait_for(overdue, timeout=30, what="the request, overdue at B")
        yield a, b
    finally:
        stop_all([a, b])


def _work_queue_shows_the_work(page: Page) -> None:
    received = page.locator("#work-requests-received")
    expect(received.locator("li.work-item.overdue")).to_contain_text(REQUEST)
    expect(received.locator("time[data-deadline]").first).to_contain_text("overdue by")
    late = received.get_by_role("link", name=re.compile(r"^1 overdue$"))
    expect(late).to_have_attribute("href", "/requests?box=received&state=overdue")
    alerts = page.locator("#work-alerts")
    expect(alerts.locator("li.work-item")).to_contain_text(ALERT)
    expect(alerts.get_by_role("link", name=re.compile(r"not acknowledged$"))).to_be_visible()
    tasks = page.locator("#work-case-tasks")
    expect(tasks.locator("li.work-item")).to_contain_text(TASK)
    expect(tasks).to_contain_text("JAN-2026-7")
    expect(tasks.locator("time[data-deadline]").first).to_contain_text("due in")
    for item in page.locator("li.work-item").all():
        box = item.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= page.viewport_size["width"]  # type: ignore[index]


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_work_queue_on_a_laptop_and_a_phone(
    partners: tuple[FedNode, FedNode],
    open_session_at: Callable[..., Session],
    width: int,
    height: int,
) -> None:
    _a, b = partners
    s = open_session_at(b.url, viewport={"width": width, "height": height})
    page = s.page
    sign_in(page, LIAISON, PASSWORD)
    _work_queue_shows_the_work(page)
    no_horizontal_scroll(page)
    page.screenshot(path=WORK_SHOTS.format(width=width), full_page=True)

    # The count opens the list of those requests alone.
    page.locator("#work-requests-received").get_by_role("link", name="1 overdue").click()
    expect(page.locator("#request-list")).to_contain_text(REQUEST)
    expect(page.locator("p.notice")).to_contain_text("overdue")
    no_horizontal_scroll(page)


def test_an_alert_arriving_joins_the_queue_without_a_reload(
    partners: tuple[FedNode, FedNode], open_session_at: Callable[..., Session]
) -> None:
    a, b = partners
    s = open_session_at(b.url)
    page = s.page
    sign_in(page, LIAISON, PASSWORD)
    alerts = page.locator("#work-alerts")
    expect(alerts).to_contain_text(ALERT)
    page.evaluate("window.__marker = 1")
    with a.client() as api_a:
        _alert(api_a, b.node_id, LATER)
    expect(alerts).to_contain_text(LATER)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded"
