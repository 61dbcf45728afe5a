"""The protection compartment in the browser, as a protection officer in Urdu on a phone: the
home, the screening form, a person's file with a screening and consent, and a referral, right
to left, with no English, no horizontal scroll and no script error; and the screening form
submitted from the phone."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import no_horizontal_scroll
from tests.browser.test_languages import _misses
from tests.network.nodeproc import add_users, create_token

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OFFICER = "protection-reader@corridor.test"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _seeded(live_node: LiveNode) -> tuple[str, str]:
    add_users(live_node.data_dir, [(OFFICER, "protection_officer")])
    token = create_token(live_node.data_dir, OFFICER, ["read", "write"])
    with httpx.Client(
        base_url=live_node.url, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as api:
        r = api.post(
            "/api/v1/protection/referrals",
            json={
                "service": "child_protection",
                "person": {
                    "name": "Gul Zaman",
                    "birth_year": 2010,
                    "sex": "male",
                    "nationality": "AF",
                    "languages": ["Dari"],
                    "child": True,
                    "unaccompanied": True,
                },
                "needs": ["a guardian"],
                "consent": {"given": True, "purposes": ["referral"]},
            },
        )
        assert r.status_code == 201, r.text
        person = api.get("/api/v1/protection/people").json()["items"][0]["id"]
        r = api.post(
            f"/api/v1/protection/people/{person}/screenings",
            json={
                "answers": {"abandoned": "yes", "family_separated": "yes", "skills": "yes"},
                "best_interests_referral": True,
            },
        )
        assert r.status_code == 201, r.text
        referral = api.get("/api/v1/protection/referrals").json()["items"][0]["id"]
    return person, referral


def test_the_compartment_in_urdu_on_a_phone(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    person, referral = _seeded(live_node)
    page = open_session(locale="ur", extra_http_headers={"Accept-Language": "ur"}, **PHONE).page
    page.goto("/login")
    page.locator("input[name=email]").fill(OFFICER)
    page.locator("input[name=password]").fill(live_node.password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_be_visible()
    misses = {}
    for path in (
        "/protection",
        "/protection/people/new",
        f"/protection/people/{person}",
        f"/protection/referrals/{referral}",
    ):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("main h1")).to_be_visible()
        no_horizontal_scroll(page)
        found = _misses(page, "ur")
        if found:
            misses[path] = found
    assert not misses, f"English on ur pages: {misses}"
    # Screen someone from the phone: the form posts and opens their file.
    page.goto("/protection/people/new")
    page.locator("input[name=name]").fill("Mariam")
    page.locator("input[name=consent][value=referral]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main h1")).to_have_text("Mariam")
    no_horizontal_scroll(page)
