"""The MRZ check page on a phone (390 px wide), left to right and right to left: the pasted
lines, the verdict, each check and a suggestion fit without scrolling sideways, and the MRZ
itself stays left to right on a right-to-left page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import no_horizontal_scroll, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/corridor-mrz-390.png"  # noqa: S108 (next to corridor-dashboard.png)
# The ICAO specimen passport with a B read for the 8 of its document number.
MISREAD = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nLB98902C36UTO7408122F1204159ZE184226B<<<<<10"
)


def _check(page: Page) -> None:
    page.goto("/documents/mrz")
    page.get_by_label("MRZ lines").fill(MISREAD)
    submit(page, page.get_by_role("button", name="Check", exact=True), "/documents/mrz", status=200)
    expect(page.locator(".mrz-verdict")).to_contain_text("Not valid: 2 check(s) failed")
    expect(page.locator(".mrz-checks .mrz-fail")).to_have_count(2)
    expect(page.locator(".mrz-suggestions > li").first).to_contain_text("B → 8")
    no_horizontal_scroll(page)
    # The results fit the screen; the MRZ lines scroll inside their own box if they must.
    box = page.locator(".mrz-result").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5


def test_the_check_page_on_a_phone(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    page = open_session(viewport=PHONE).page
    sign_in(page, live_node.investigator, live_node.password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="MRZ check").click()
    expect(page.get_by_role("heading", name="MRZ check", level=1)).to_be_visible()
    _check(page)
    page.screenshot(path=SCREENSHOT, full_page=True)
    # A suggestion's button checks the corrected lines.
    first = page.locator(".mrz-suggestions > li").first
    submit(
        page, first.get_by_role("button", name="Check these lines"), "/documents/mrz", status=200
    )
    expect(page.locator(".mrz-verdict")).to_contain_text("Valid: well-formed")


def test_the_check_page_right_to_left(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    page = open_session(viewport=PHONE).page
    sign_in(page, live_node.investigator, live_node.password)
    page.goto("/documents/mrz")
    # No right-to-left catalogue ships yet: turn the page as an Arabic one would be.
    page.evaluate("document.documentElement.dir = 'rtl'")
    _check_rtl(page)
    page.screenshot(path=SCREENSHOT.replace(".png", "-rtl.png"), full_page=True)


def _check_rtl(page: Page) -> None:
    textarea = page.get_by_label("MRZ lines")
    expect(textarea).to_have_attribute("dir", "ltr")
    textarea.fill(MISREAD)
    submit(page, page.get_by_role("button", name="Check", exact=True), "/documents/mrz", status=200)
    page.evaluate("document.documentElement.dir = 'rtl'")
    expect(page.locator(".mrz-verdict")).to_be_visible()
    no_horizontal_scroll(page)
    # The MRZ reads left to right: its first character is at the left of its box.
    lines = page.locator(".mrz-lines").first
    expect(lines).to_have_attribute("dir", "ltr")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.mrz-lines')).direction") == "ltr"
    )
    # The checks list follows the page: its marks on the right.
    mark = page.locator(".mrz-checks .mrz-mark").first.bounding_box()
    label = page.locator(".mrz-checks strong").first.bounding_box()
    assert mark and label and mark["x"] > label["x"], "the check marks should be on the right"
