"""A form that forgives, in Chromium: an alert whose title is over its limit (sent by a page whose
`maxlength` was removed, as any client that skips it would) comes back as the same form, with
everything typed kept, the mistake said beside the title, and the summary at the top."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode
from tests.browser.pages import at, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TEXT = "About 40 people on a rubber boat, engine failure, 3 nm east of Farmakonisi."


def test_an_alert_title_over_its_limit_comes_back_beside_its_field(  # type: ignore[no-untyped-def]
    open_session, live_node: LiveNode
) -> None:
    s = open_session()
    s.watch.allow(r"status of 422")  # the refused form is answered 422, as it should be
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    page.goto("/alerts/new")
    title = page.locator('input[name="title"]')
    expect(title).to_have_attribute("maxlength", "300")
    title.evaluate("el => el.removeAttribute('maxlength')")
    typed = ("Boat in distress off Farmakonisi " * 10)[:301]
    title.fill(typed)
    page.locator('textarea[name="text"]').fill(TEXT)
    page.locator('select[name="severity"]').select_option("urgent")
    page.locator('input[name="countries"]').fill("GR TR")

    submit(page, page.get_by_role("button", name="Send alert"), "/alerts/new", status=422)

    expect(page).to_have_url(at("/alerts/new"))
    expect(page.get_by_role("heading", name="New alert")).to_be_visible()
    # Everything typed is kept.
    expect(title).to_have_value(typed)
    expect(page.locator('textarea[name="text"]')).to_have_value(TEXT)
    expect(page.locator('select[name="severity"]')).to_have_value("urgent")
    expect(page.locator('input[name="countries"]')).to_have_value("GR TR")
    # The mistake, in plain words, beside the title: just under it, in its label; the field is
    # marked and still called by its label, described by the mistake.
    said = "at most 300 characters (you typed 301)"
    error = page.locator("#error-title")
    expect(error).to_have_text(said)
    expect(error).to_be_visible()
    expect(title).to_have_attribute("aria-invalid", "true")
    name = "Title (at most 300 characters)"
    expect(page.get_by_role("textbox", name=name, exact=True)).to_have_value(typed)
    expect(title).to_have_accessible_description(said)
    field, note = title.bounding_box(), error.bounding_box()
    assert field is not None and note is not None
    assert 0 <= note["y"] - (field["y"] + field["height"]) < 40, (field, note)
    assert note["x"] < field["x"] + field["width"] and field["x"] < note["x"] + note["width"]
    # The summary at the top names the field as the form labels it and says the limit.
    expect(page.get_by_role("alert").first).to_have_text(f"Title: {said}")
