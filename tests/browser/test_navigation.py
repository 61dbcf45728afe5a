"""Navigating as an investigator and as an administrator; nothing leaves the node."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import at, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENSHOT = Path("/tmp/corridor-dashboard.png")  # noqa: S108 (the agreed place to look)


def _nav(page: Page, label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()


def _mark_document(page: Page) -> None:
    """Tag the current document; a full page load loses the tag."""
    page.evaluate("window.__sameDocument = true")


def _same_document(page: Page) -> bool:
    return bool(page.evaluate("window.__sameDocument === true"))


def test_investigator_sees_no_administration(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    s = open_session()
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    sidebar = page.get_by_role("navigation", name="Main")
    expect(sidebar.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(sidebar).not_to_contain_text("Administration")
    expect(page.get_by_text("Investigator", exact=True).first).to_be_visible()

    page.get_by_role("navigation", name="Account").get_by_role(
        "link", name=live_node.investigator
    ).click()
    expect(page).to_have_url(at("/account"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.locator("main")).to_contain_text(live_node.investigator)
    expect(page.get_by_role("heading", name="Administration")).to_have_count(0)
    for label in ("Users", "Units", "Audit log", "Node"):
        expect(page.get_by_role("link", name=label, exact=True)).to_have_count(0)

    # Typing the address does not help either.
    s.watch.allow(r"status of 403")
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()


def test_admin_manages_units_users_and_the_audit_log(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    page = open_session().page
    sign_in(page, live_node.admin, live_node.password)

    # A unit, through the form.
    _nav(page, "Units")
    expect(page).to_have_url(at("/admin/units"))
    page.get_by_label("Name").fill("Maritime unit")
    page.get_by_label("Description").fill("Sea crossings")
    submit(page, page.get_by_role("button", name="Add unit"), "/admin/units")
    expect(page).to_have_url(at("/admin/units"))
    expect(page.get_by_role("status")).to_have_text("Unit created.")
    expect(page.get_by_role("row", name=re.compile("Maritime unit"))).to_contain_text(
        "Sea crossings"
    )

    # A user in that unit; the one-time password is shown once.
    _nav(page, "Users")
    expect(page).to_have_url(at("/admin/users"))
    page.get_by_label("E-mail").fill("analyst@corridor.test")
    page.get_by_label("Name", exact=True).fill("Ana Lyst")
    page.get_by_label("Role").select_option(label="Analyst")
    page.get_by_label("Unit").select_option(label="Maritime unit")
    submit(page, page.get_by_role("button", name="Add user"), "/admin/users", status=200)
    secret = page.locator(".secret")
    expect(secret).to_contain_text("Account analyst@corridor.test created")
    one_time = secret.locator("code").inner_text().strip()
    assert re.fullmatch(r"\S{12,}", one_time), one_time
    # Anchored: other tests of the session add users such as graph-analyst@corridor.test.
    row = page.get_by_role("row", name=re.compile(r"^analyst@corridor\.test"))
    expect(row).to_contain_text("Ana Lyst")
    expect(row).to_contain_text("Analyst")
    expect(row).to_contain_text("Maritime unit")
    _nav(page, "Users")  # shown once: gone on the next visit
    expect(page.locator(".secret")).to_have_count(0)

    # The audit log, filtered by action with HTMX: the table is swapped in place.
    _nav(page, "Audit log")
    expect(page).to_have_url(at("/admin/audit"))
    expect(page.locator("#audit-rows")).to_contain_text("user.create")
    _mark_document(page)
    with page.expect_response(
        lambda r: (
            "/admin/audit?" in r.url
            and "action=unit.create" in r.url
            and r.request.headers.get("hx-request") == "true"
        )
    ) as info:
        page.get_by_label("Action", exact=True).press_sequentially("unit.create")
    assert info.value.status == 200
    rows = page.locator("#audit-rows tbody tr")
    expect(rows.first).to_contain_text("unit.create")
    expect(page.locator("#audit-rows")).not_to_contain_text("user.create")
    count = rows.count()
    expect(page.locator("#audit-rows")).to_contain_text(
        f"{count} matching {'entry' if count == 1 else 'entries'}"
    )
    for i in range(count):
        expect(rows.nth(i).locator("td").nth(3)).to_have_text("unit.create")
    expect(page).to_have_url(re.compile(r"/admin/audit\?.*action=unit\.create"))  # hx-push-url
    assert _same_document(page), "filtering reloaded the whole page"

    # Verify the chain (an HTMX POST carrying the CSRF header).
    with page.expect_response(lambda r: r.url.endswith("/admin/audit/verify")) as info:
        page.get_by_role("button", name="Verify the chain").click()
    assert info.value.status == 200
    assert info.value.request.headers.get("x-csrf-token")
    expect(page.locator("#verify-result")).to_contain_text("Chain intact")
    assert _same_document(page), "verifying reloaded the whole page"

    # Export, as a download.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.splitlines()[0].startswith("seq,ts,actor,")
    assert "unit.create" in exported

    _nav(page, "Dashboard")
    expect(page.get_by_role("heading", name="Recent activity")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT), full_page=True)


def test_no_request_leaves_the_node(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    """Every page and fragment an administrator can reach loads from the node alone, with no
    console error and no CSP violation (the fixture checks every other test the same way)."""
    s = open_session()
    page = s.page
    sign_in(page, live_node.admin, live_node.password)
    for label, heading in (
        ("Users", "Users"),
        ("Units", "Units"),
        ("Audit log", "Audit log"),
        ("Node", "Node settings"),
        ("Dashboard", "Dashboard"),
    ):
        _nav(page, label)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Account").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    _nav(page, "Audit log")
    with page.expect_response(lambda r: "outcome=denied" in r.url):
        page.get_by_label("Outcome").select_option("denied")
    with page.expect_response(lambda r: r.url.endswith("/admin/audit/verify")):
        page.get_by_role("button", name="Verify the chain").click()
    expect(page.locator("#verify-result")).to_contain_text("Chain intact")
    submit(page, page.get_by_role("button", name="Sign out"), "/logout")
    expect(page).to_have_url(at("/login"))

    w = s.watch
    assert any("/static/vendor/htmx-" in u for u in w.requests), w.requests
    assert any("/static/css/" in u for u in w.requests), w.requests
    assert w.foreign_requests() == []
    assert w.csp == []
    assert w.errors == []
