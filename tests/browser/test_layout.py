"""Layout: usable on a phone-sized screen; right-to-left when the language needs it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from corridor import i18n
from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import no_horizontal_scroll, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 740}
SCREENSHOT = "/tmp/corridor-dashboard-375.png"  # noqa: S108 (next to corridor-dashboard.png)
PAGES = ["/", "/account", "/admin/users", "/admin/units", "/admin/audit", "/admin/node"]


def _main_fits(page: Page, width: int) -> None:
    main = page.locator("main")
    expect(main).to_be_visible()
    expect(main.get_by_role("heading", level=1)).to_be_in_viewport()
    box = main.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (page.url, box)


def test_usable_at_375_pixels(open_session: Callable[..., Session], live_node: LiveNode) -> None:
    page = open_session(viewport=PHONE).page
    page.goto("/login")
    _main_fits(page, PHONE["width"])
    no_horizontal_scroll(page)
    sign_in(page, live_node.admin, live_node.password)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    for path in PAGES:
        page.goto(path)
        _main_fits(page, PHONE["width"])
        no_horizontal_scroll(page)
        if path == "/":
            # Navigation stays reachable: the sidebar stacks above the content.
            expect(page.get_by_role("navigation", name="Main")).to_be_visible()
            page.screenshot(path=SCREENSHOT, full_page=True)


def test_right_to_left_for_arabic(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    if "ar" not in i18n.available():
        pytest.skip("no Arabic catalogue (corridor/locale/ar/LC_MESSAGES/messages.po) yet")
    page = open_session(locale="ar", extra_http_headers={"Accept-Language": "ar"}).page
    page.goto("/login")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    no_horizontal_scroll(page)
    page.locator("input[name=email]").fill(live_node.investigator)
    page.locator("input[name=password]").fill(live_node.password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()
    expect(html).to_have_attribute("dir", "rtl")
    sidebar = page.locator("nav.sidebar").bounding_box()
    main = page.locator("main").bounding_box()
    assert sidebar and main and sidebar["x"] > main["x"], "the sidebar should be on the right"
    no_horizontal_scroll(page)
