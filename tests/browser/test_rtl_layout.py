"""Right to left and left to right in Chromium: every main page in Urdu (right to left, the
shipped Nastaliq font) and in French (left to right), on a phone (390×844) and a laptop
(1366×768). Each page says its language and direction on <html>, nothing is wider than the
window (the failure names the element), no button or field cuts its text off, and the
navigation sits at the reading start. The language comes from the browser's locale
(Accept-Language), as for anyone who has not chosen one.

Screenshots of the map, a case's graph, the alerts and a country report in Urdu are kept under
artifacts/screenshots/ (not in git) for a person to look at. Until the catalogues of a
language are there (corridor/locale/<lang>/LC_MESSAGES/messages.po), its test is skipped."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, ViewportSize, expect

from corridor import i18n
from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import at, no_horizontal_scroll
from tests.browser.test_graph import graph_ready
from tests.browser.test_layout import PAGES
from tests.mapping.conftest import EASTERN_ROUTE
from tests.network.nodeproc import PASSWORD, add_users, create_token

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LANGUAGES = {"ur": "rtl", "fr": "ltr"}
VIEWPORTS: list[ViewportSize] = [{"width": 390, "height": 844}, {"width": 1366, "height": 768}]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
INVESTIGATOR = "rtl-investigator@corridor.test"
ANALYST = "rtl-analyst@corridor.test"
RISK = "/risk?indicator=illegal_border_crossings&route=Central Mediterranean Route"
# Every route: the map of flows, the routes × nationalities table, the seasonal pattern.
RISK_ROUTES = "/risk?indicator=illegal_border_crossings"
CASE = "RTL-2026-1"
# Names in both scripts, a phone number and an account: what a page interpolates in a sentence
# or a table cell, and what must keep its own direction there.
PEOPLE = {
    "asif": ["محمد آصف خان", "Muhammad Asif Khan"],
    "tariq": ["Tariq Mehmood"],
    "khalid": ["خالد العمري"],
}
# Pages that are not in the navigation: a record of each kind a person opens from a list.
FORMS = ["/alerts/new", "/requests/new", "/messages/new", "/challenges/new", "/routes/new"]
# Controls that must show their whole text (Nastaliq reaches far above and below the line).
CONTROLS = (
    "button, .button, select, input:not([type=hidden]):not([type=checkbox])"
    ":not([type=radio]):not([type=file]):not([type=range]):not([type=color])"
)


@pytest.fixture(scope="module")
def casework(live_node: LiveNode) -> Iterator[dict[str, str]]:
    """An investigator of this test's own with a small case (names in Arabic and Latin script,
    relations, an account), and a route with a challenge in Pakistan (the map, the report)."""
    add_users(live_node.data_dir, [(INVESTIGATOR, "investigator")])
    token = create_token(live_node.data_dir, INVESTIGATOR, ["read", "write"])
    with httpx.Client(
        base_url=live_node.url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as api:

        def post(path: str, body: dict[str, object]) -> str:
            r = api.post(path, json=body)
            assert r.status_code == 201, f"POST {path}: {r.status_code} {r.text}"
            return str(r.json()["id"])

        case = post("/api/v1/cases", {"reference": CASE, "title": "کوئٹہ–وان نیٹ ورک"})

        def ent(schema: str, **props: list[str]) -> str:
            return post(f"/api/v1/cases/{case}/entities", {"schema": schema, "properties": props})

        ids = {key: ent("Person", name=names) for key, names in PEOPLE.items()}
        ent("Associate", person=[ids["asif"]], associate=[ids["tariq"]])
        ent("Associate", person=[ids["asif"]], associate=[ids["khalid"]])
        account = ent("BankAccount", accountNumber=["PK36SCBL0000001123456702"])
        ent("Ownership", owner=[ids["khalid"]], asset=[account])
        route = post(
            "/api/v1/routes", {**EASTERN_ROUTE, "name": "کوئٹہ – وان (RTL test)", "tlp": "GREEN"}
        )
        post(
            "/api/v1/challenges",
            {
                "title": "جعلی ویزے Quetta میں فروخت (RTL test)",
                "theme": "fraudulent_documents",
                "countries": ["PK", "IR"],
                "severity": "critical",
                "routes": [{"route": route, "legs": [0]}],
                "tlp": "GREEN",
            },
        )
    _indicators(live_node)
    yield {"person": ids["asif"]}


def _indicators(live_node: LiveNode) -> None:
    """Six years of monthly detections on one route (a summer high, a surge in 2023), as an
    analyst imports them: the workbench draws its chart, anomalies and forecast."""
    add_users(live_node.data_dir, [(ANALYST, "analyst")])
    token = create_token(live_node.data_dir, ANALYST, ["read", "write"])
    rows = ["route,border_type,nationality_iso3,month,detections"]
    for year in range(2019, 2025):
        for month in range(1, 13):
            base = 800 + 700 * (month in (6, 7, 8, 9)) + 60 * (year - 2019)
            for nat, share in (("BGD", 0.5), ("PAK", 0.3), ("SYR", 0.2)):
                surge = 4 if (year, month) in ((2023, 7), (2023, 8)) else 1
                rows.append(f"Central Mediterranean Route,sea,{nat},{year}-{month:02d},"
                            f"{int(base * share * surge)}")  # fmt: skip
            rows.append(f"Eastern Mediterranean Route,sea,SYR,{year}-{month:02d},{base // 3}")
    r = httpx.post(
        f"{live_node.url}/api/v1/indicators/imports",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("detections.csv", "\n".join(rows).encode(), "text/csv")},
        data={"source": "frontex-ibc"},
        timeout=60,
    )
    assert r.status_code == 201, r.text


def _sign_in(page: Page, email: str) -> None:
    """Sign in whatever the language: the form's fields by name, not by their label."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(at("/"))


# Visible buttons and fields whose text is taller than their box, named for the failure.
_CLIPPED = """(selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
    .filter((el) => el.scrollHeight > el.clientHeight + 1)
    .map((el) => {
        const name = el.name ? `[name=${el.name}]` : "";
        const text = (el.innerText || el.value || "").trim().slice(0, 30);
        const sizes = `${el.scrollHeight} > ${el.clientHeight}`;
        return `${el.tagName.toLowerCase()}${name} "${text}" (${sizes})`;
    })"""


def _clipped_controls(page: Page) -> list[str]:
    return list(page.evaluate(_CLIPPED, CONTROLS))


def _check(page: Page, path: str, lang: str, direction: str) -> None:
    response = page.goto(path)
    status = response.status if response else None
    assert status == 200, f"{path} answered {status}"
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", direction)
    page.evaluate("document.fonts.ready.then(() => true)")
    no_horizontal_scroll(page)
    clipped = _clipped_controls(page)
    assert not clipped, f"{page.url} at {page.viewport_size}: text cut off in {clipped}"


def _main_pages(page: Page) -> list[str]:
    """The pages the navigation offers this person (the sidebar, in any language)."""
    links = page.locator("nav.sidebar a[href^='/']")
    return [str(h) for h in links.evaluate_all("(as) => as.map((a) => a.getAttribute('href'))")]


def _sidebar_at_reading_start(page: Page, direction: str) -> None:
    sidebar = page.locator("nav.sidebar").bounding_box()
    main = page.locator("main").bounding_box()
    assert sidebar and main
    if direction == "rtl":
        assert sidebar["x"] > main["x"], "the navigation should be on the right"
    else:
        assert sidebar["x"] < main["x"], "the navigation should be on the left"


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


@pytest.mark.parametrize(
    "lang",
    [
        pytest.param(
            lang,
            marks=pytest.mark.skipif(
                lang not in i18n.available(),
                reason=f"no {lang} catalogue (corridor/locale/{lang}/LC_MESSAGES/messages.po) yet",
            ),
        )
        for lang in LANGUAGES
    ],
)
def test_every_main_page_in_both_directions(
    open_session: Callable[..., Session],
    live_node: LiveNode,
    casework: dict[str, str],
    lang: str,
) -> None:
    direction = LANGUAGES[lang]
    person = casework["person"]
    report = "/reports/view?scope=country&country=PK&route="
    fonts: list[str] = []  # every request for a shipped font, by any page of the test
    for email, extra in (
        (live_node.admin, PAGES),
        (
            INVESTIGATOR,
            [
                *FORMS,
                f"/cases/{CASE}",
                f"/cases/{CASE}/graph",
                f"/entities/{person}",
                report,
                "/commitments/dashboard",
                "/search?q=محمد آصف خان",  # a field holding Urdu text
                "/matching?q=محمد آصف خان",  # hit/no-hit, the name filled in
                "/matching/hits",
                RISK,
                RISK_ROUTES,
            ],
        ),
    ):
        s = open_session(locale=lang, viewport=VIEWPORTS[0])
        page = s.page
        page.on("request", lambda r: fonts.append(r.url) if "/static/fonts/" in r.url else None)
        before = len(fonts)
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("dir", direction)
        no_horizontal_scroll(page)
        if direction == "ltr":
            assert len(fonts) == before, f"a Latin page fetched Arabic-script fonts: {fonts}"
        _sign_in(page, email)
        paths = list(dict.fromkeys([*_main_pages(page), *extra]))
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            for path in paths:
                _check(page, path, lang, direction)
                if viewport["width"] > 1000 and path == "/":
                    _sidebar_at_reading_start(page, direction)
                if lang == "ur" and email == INVESTIGATOR:
                    _screenshot(page, path, report)
    if lang == "ur":
        # The shipped Nastaliq drew the case's Urdu, fetched from this node (the session's
        # watch sees every request stay on the node and no CSP violation).
        assert any(re.search(r"/NotoNastaliqUrdu-\w+\.woff2", u) for u in fonts), fonts


def _screenshot(page: Page, path: str, report: str) -> None:
    if path == "/map":
        expect(page.locator("#map")).to_have_attribute("data-state", "ready")
        _shoot(page, "map")
    elif path == "/alerts":
        _shoot(page, "alerts")
    elif path.endswith("/graph"):
        graph_ready(page)
        _shoot(page, "graph")
    elif path == report:
        expect(page.locator(".report-chart")).to_have_attribute("data-state", "ready")
        _shoot(page, "report")
    elif path == RISK:
        # The forecast is fitted on the first request (a few seconds on a busy machine).
        expect(page.locator("#risk-chart")).to_have_attribute(
            "data-forecast", "drawn", timeout=30_000
        )
        _shoot(page, "risk")
    elif path == RISK_ROUTES:
        expect(page.locator("#risk-map")).to_have_attribute("data-state", "ready")
        expect(page.locator("#risk-map")).to_have_attribute("data-routes", "2")
        _shoot(page, "risk-map")
