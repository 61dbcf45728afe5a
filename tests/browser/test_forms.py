"""A form that forgives, in Chromium: an alert whose title is over its limit (sent by a page whose
`maxlength` was removed, as any client that skips it would) comes back as the same form, with
everything typed kept, the mistake said beside the title, and the summary at the top."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode
from tests.browser.pages import at, sign_in, submit
from tests.network.nodeproc import create_token

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


def test_a_refused_note_comes_back_in_its_form(open_session, live_node: LiveNode) -> None:  # type: ignore[no-untyped-def]
    """A form that acts on the page it is on (a case note) goes back to that page: refused,
    the page says why as an alert and the note is in its box again, as typed."""
    token = create_token(live_node.data_dir, live_node.investigator, ["read", "write"])
    r = httpx.post(
        f"{live_node.url}/api/v1/cases",
        headers={"Authorization": f"Bearer {token}"},
        json={"reference": "FORMS-NOTE-1", "title": "Notes kept (test)"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    s = open_session()
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    page.goto("/cases/FORMS-NOTE-1")
    note = page.locator('form[action$="/notes"] textarea[name="text"]')
    note.evaluate("el => el.removeAttribute('maxlength')")
    typed = ("Met the driver at Taftan; he named the agent in Quetta. " * 400)[:20_001]
    note.fill(typed)
    tlp = page.locator('form[action$="/notes"] select').first
    tlp.select_option(index=1)
    chosen = tlp.input_value()
    submit(page, page.get_by_role("button", name="Add note"), f"/cases/{case_id}/notes")
    refused = page.locator("[data-refused]")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("at most 20,000 characters")
    expect(note).to_have_value(typed)
    expect(tlp).to_have_value(chosen)
    expect(note).to_be_focused()
    # Taken the second time (shortened); then nothing is put back on the next page.
    note.fill("Met the driver at Taftan.")
    submit(page, page.get_by_role("button", name="Add note"), f"/cases/{case_id}/notes")
    expect(page.locator(".flash")).not_to_have_attribute("data-refused", "1")
    expect(note).to_have_value("")
    expect(page.locator("#case-notes")).to_contain_text("Met the driver at Taftan.")
