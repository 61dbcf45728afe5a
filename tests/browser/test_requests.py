"""Requests for assistance in Chromium: the pages load their own script and styles without a
CSP violation or console error, and a draft is saved and listed through the form."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import at, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_request_pages_and_a_draft(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    s = open_session()
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Requests", exact=True
    ).click()
    expect(page).to_have_url(at("/requests"))
    expect(page.get_by_role("heading", name="Requests for assistance")).to_be_visible()
    expect(page.locator("#request-list")).to_contain_text("No requests.")

    page.get_by_role("link", name="New request").click()
    expect(page).to_have_url(at("/requests/new"))
    page.get_by_label("Subject").fill("Ferry manifest, Bari, 12 May")
    page.get_by_label("Questions (one a line)").fill("Was the person on board?\nWith whom?")
    submit(page, page.get_by_role("button", name="Save draft"), "/requests/new")
    expect(page.locator(".flash")).to_have_text("Draft saved.")
    expect(page.get_by_label("Subject")).to_have_value("Ferry manifest, Bari, 12 May")

    page.goto("/requests?box=drafts")
    expect(page.locator("#request-list")).to_contain_text("Ferry manifest, Bari, 12 May")
    page.goto("/requests/overview")
    expect(page.get_by_role("heading", name="Requests: overview by partner")).to_be_visible()
    # The module's own stylesheet and script loaded (static files, allowed by the CSP).
    loaded = page.evaluate(
        """() => [...document.styleSheets].some(
            (sheet) => (sheet.href || "").includes("/static/css/requests.css")
                && sheet.cssRules.length > 10)"""
    )
    assert loaded, "requests.css did not load"
    assert page.locator('script[src^="/static/js/requests.js"]').count() == 1
