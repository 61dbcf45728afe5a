"""Small page helpers shared by the browser tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, Response, expect

SESSION_COOKIE = "corridor_session"


def at(path: str) -> re.Pattern[str]:
    """A URL pattern for `expect(page).to_have_url(...)`: this path, any origin, no query."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"$")


def submit_login(page: Page, email: str, password: str) -> Response:
    """Fill and submit the sign-in form (the page must show it); returns the POST's response."""
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/login")
    ) as info:
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return info.value


def submit(page: Page, button: Locator, path: str, *, status: int = 303) -> Response:
    """Click a form's submit button; assert the POST to `path` answered `status`."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and urlsplit(r.url).path == path
    ) as info:
        button.click()
    response = info.value
    if response.status != status:
        try:
            body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text()))[-300:]
        except Exception as exc:  # a redirect has no body to read
            body = f"({exc})"
        raise AssertionError(
            f"POST {path} answered {response.status}, expected {status}; the browser sent "
            f"Origin: {response.request.header_value('origin')!r}; the page says: {body}"
        )
    page.wait_for_load_state()
    return response


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in from scratch and land on the dashboard."""
    page.goto("/login")
    response = submit_login(page, email, password)
    assert response.status == 303, f"sign-in of {email} answered {response.status}"
    expect(page).to_have_url(at("/"))
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()


def no_horizontal_scroll(page: Page) -> None:
    sizes = page.evaluate(
        """() => ({
            viewport: window.innerWidth,
            html: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
        })"""
    )
    assert sizes["html"] <= sizes["viewport"], f"{page.url} scrolls sideways: {sizes}"
    assert sizes["body"] <= sizes["viewport"], f"{page.url} scrolls sideways: {sizes}"
