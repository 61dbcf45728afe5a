"""The directory in Chromium: publish a card through the form, find it with the search form
("available now" included), open its detail and withdraw it — under the node's CSP, with no
console error (the watched session checks both), and on a phone without sideways scrolling."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode
from tests.browser.pages import at, no_horizontal_scroll, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_publish_search_and_withdraw_a_card(open_session, live_node: LiveNode) -> None:  # type: ignore[no-untyped-def]
    s = open_session()
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    name = f"Duty desk {uuid.uuid4().hex[:6]}"

    page.goto("/directory")
    page.get_by_role("link", name="Publish a contact card").click()
    expect(page).to_have_url(at("/directory/new"))
    page.locator('select[name="kind"]').select_option("unit")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Country (code)").fill("GR")
    page.get_by_label("Languages", exact=False).fill("el, en")
    page.get_by_label("Maritime").check()
    page.get_by_label("Available 24/7").check()
    page.get_by_label("Secure channels", exact=False).fill("phone | +30 210 555 0100 | 24/7 line")
    submit(page, page.get_by_role("button", name="Publish"), "/directory/new")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Available now · 24/7")).to_be_visible()
    expect(page.get_by_role("link", name="+302105550100")).to_be_visible()
    card_url = page.url

    page.goto("/directory")
    page.get_by_label("Maritime").check()
    page.get_by_label("Available now").check()
    page.get_by_label("Country (codes)").fill("GRC")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#directory-results")
    expect(results.get_by_role("link", name=name)).to_be_visible()
    page.get_by_label("Country (codes)").fill("PK")
    page.get_by_role("button", name="Search").click()
    expect(results.get_by_text("No contact point matches.")).to_be_visible()

    page.goto(card_url)
    page.get_by_label("Reason").fill("desk closed")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("heading", name="Withdrawn contact card")).to_be_visible()


def test_directory_pages_fit_a_phone(open_session, live_node: LiveNode) -> None:  # type: ignore[no-untyped-def]
    s = open_session(viewport={"width": 380, "height": 800})
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    for path in ("/directory", "/directory/new"):
        page.goto(path)
        no_horizontal_scroll(page)
