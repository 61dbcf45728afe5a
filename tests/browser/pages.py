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


# The outermost elements that reach past either side of the window and that no scrolling or
# clipping box around them holds in: what makes a page scroll sideways, as CSS selectors.
_TOO_WIDE = """() => {
    const width = document.documentElement.clientWidth;
    const name = (el) => {
        let s = el.tagName.toLowerCase();
        if (el.id) return s + "#" + el.id;
        const classes = String(el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean);
        s += classes.map((c) => "." + c).join("");
        const kin = el.parentElement ? [...el.parentElement.children] : [];
        const same = kin.filter((c) => c.tagName === el.tagName);
        return same.length > 1 ? `${s}:nth-of-type(${same.indexOf(el) + 1})` : s;
    };
    const path = (el) => {
        const parts = [];
        for (let e = el; e && e !== document.body && parts.length < 5; e = e.parentElement) {
            parts.unshift(name(e));
            if (e.id) break;
        }
        return parts.join(" > ");
    };
    const held = (el) => {
        for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
            if (getComputedStyle(e).overflowX !== "visible") return true;
        }
        return false;
    };
    const out = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 0.5 || r.left < -0.5);
    };
    const found = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (!out(el) || held(el) || (el.parentElement && out(el.parentElement))) continue;
        if (getComputedStyle(el).position === "absolute" && el.matches(".skip")) continue;
        const r = el.getBoundingClientRect();
        found.push(`${path(el)} (${Math.round(r.left)}..${Math.round(r.right)} of ${width})`);
    }
    return found.slice(0, 5);
}"""


def no_horizontal_scroll(page: Page) -> None:
    """The document does not scroll sideways; otherwise say which elements stick out."""
    sizes = page.evaluate(
        """() => ({
            viewport: window.innerWidth,
            html: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
        })"""
    )
    if sizes["html"] > sizes["viewport"] or sizes["body"] > sizes["viewport"]:
        raise AssertionError(
            f"{page.url} scrolls sideways: {sizes}; too wide: {page.evaluate(_TOO_WIDE)}"
        )
