"""Signing in and out: the one-time password, wrong passwords and lockout, logout."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveNode, Session
from tests.browser.pages import SESSION_COOKIE, at, sign_in, submit, submit_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_first_login_with_one_time_password_forces_a_change(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    page = open_session().page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))

    response = submit_login(page, live_node.admin_email, live_node.admin_one_time_password)
    assert response.status == 303
    expect(page).to_have_url(at("/account/password"))
    expect(page.get_by_text("You signed in with a one-time password")).to_be_visible()

    # Nothing else opens until the password is changed.
    page.goto("/admin/users")
    expect(page).to_have_url(at("/account/password"))

    new = "the administrator's own passphrase"
    page.locator("input[name=current]").fill(live_node.admin_one_time_password)
    page.locator("input[name=new]").fill(new)
    page.locator("input[name=confirm]").fill(new)
    submit(page, page.get_by_role("button", name="Change password"), "/account/password")

    expect(page).to_have_url(at("/"))
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Password changed.")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Administration")
    page.goto("/admin/users")  # no longer sent back to the password form
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()


def test_wrong_password_is_refused_and_five_failures_lock_the_account(
    open_session: Callable[..., Session], live_node: LiveNode
) -> None:
    s = open_session()
    s.watch.allow(r"status of (401|423)")  # the browser logs the refused sign-ins
    page = s.page
    page.goto("/login")

    for attempt in range(1, 5):
        response = submit_login(page, live_node.lockout, f"not the password {attempt}")
        assert response.status == 401, attempt
        expect(page.get_by_role("alert")).to_have_text("E-mail or password is wrong.")
        expect(page.get_by_label("E-mail")).to_be_visible()  # the form is back, ready to retry

    response = submit_login(page, live_node.lockout, "not the password 5")
    assert response.status == 423
    expect(page.get_by_role("alert")).to_contain_text("locked")

    # Now even the right password is refused, with the same explanation.
    response = submit_login(page, live_node.lockout, live_node.password)
    assert response.status == 423
    expect(page.get_by_role("alert")).to_contain_text("locked")
    expect(page).to_have_url(at("/login"))
    assert not [c for c in s.context.cookies() if c["name"] == SESSION_COOKIE]


def test_logout_ends_the_session(open_session: Callable[..., Session], live_node: LiveNode) -> None:
    s = open_session()
    page = s.page
    sign_in(page, live_node.investigator, live_node.password)
    [old] = [c for c in s.context.cookies() if c["name"] == SESSION_COOKIE]
    assert old["httpOnly"] and old["sameSite"] == "Strict"

    submit(page, page.get_by_role("button", name="Sign out"), "/logout")
    expect(page).to_have_url(at("/login"))
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    assert not [c for c in s.context.cookies() if c["name"] == SESSION_COOKIE]

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))

    # The old cookie is dead on the server too, not only forgotten by the browser.
    s.context.add_cookies([{k: old[k] for k in ("name", "value", "domain", "path")}])
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
