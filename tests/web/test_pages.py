from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from corridor import clock
from corridor.audit.models import AuditEntry
from corridor.security import service as security
from corridor.web.auth import SESSION_COOKIE
from tests.conftest import PASSWORD
from tests.web.conftest import csrf_from, web_login


def test_pages_need_a_session(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/account", "/admin/users", "/admin/audit"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_login_flow_and_logout(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("investigator", email="inv@test.example")
    r = web_login(client, "inv@test.example")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    home = client.get("/")
    assert home.status_code == 200 and "Dashboard" in home.text
    assert "/admin/users" not in home.text  # no administration for an investigator
    assert client.get("/admin/users").status_code == 403
    token = csrf_from(home.text)
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_and_login_csrf(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("viewer", email="v@test.example")
    r = web_login(client, "v@test.example", "wrong password")
    assert r.status_code == 401 and "wrong" in r.text
    r = client.post(
        "/login",
        data={"email": "v@test.example", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_lockout_through_the_ui(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("viewer", email="l@test.example")
    for _ in range(4):
        assert web_login(client, "l@test.example", "wrong password").status_code == 401
    r = web_login(client, "l@test.example", "wrong password")
    assert r.status_code == 423 and "locked" in r.text
    assert web_login(client, "l@test.example").status_code == 423


def test_form_posts_without_csrf_are_refused(client, make_user, node) -> None:  # type: ignore[no-untyped-def]
    make_user("administrator", email="a@test.example")
    web_login(client, "a@test.example")
    r = client.post("/admin/units", data={"name": "Sneaky"})
    assert r.status_code == 403
    r = client.post("/admin/units", data={"name": "Sneaky", "csrf_token": "wrong"})
    assert r.status_code == 403
    with node.db.transaction() as session:
        assert all(
            u.name != "Sneaky"
            for u in security.list_units(
                session,
                actor=security.principal_for(
                    security.find_user(session, "a@test.example"), kind="session"
                ),
            )
        )
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")).all()


def test_one_time_password_forces_a_change(client, template) -> None:  # type: ignore[no-untyped-def]
    r = web_login(client, "admin@localhost", template.admin_password)
    assert r.headers["location"] == "/account/password"
    assert client.get("/", follow_redirects=False).headers["location"] == "/account/password"
    form = client.get("/account/password")
    token = csrf_from(form.text)
    bad = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": template.admin_password,
            "new": "short",
            "confirm": "short",
        },
    )
    assert bad.status_code == 422
    ok = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current": template.admin_password,
            "new": "a brand new password",
            "confirm": "a brand new password",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/").status_code == 200


def test_admin_pages(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("administrator", email="a@test.example")
    web_login(client, "a@test.example")
    token = csrf_from(client.get("/").text)
    r = client.post(
        "/admin/units",
        data={"csrf_token": token, "name": "Risk Analysis Unit"},
        follow_redirects=True,
    )
    assert "Risk Analysis Unit" in r.text and "Unit created" in r.text
    units_page = client.get("/admin/units").text
    assert "Risk Analysis Unit" in units_page
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "n@test.example",
            "role": "analyst",
            "display_name": "Nadia",
        },
    )
    assert r.status_code == 200 and "one-time password" in r.text
    r = client.post("/admin/users", data={"csrf_token": token, "email": "bad", "role": "analyst"})
    assert r.status_code == 422 and "not an e-mail" in r.text
    with client as c:
        users = c.get("/admin/users").text
    assert "n@test.example" in users
    for path in ("/admin/audit", "/admin/node", "/account"):
        assert client.get(path).status_code == 200, path
    fragment = client.get("/admin/audit?action=unit.", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "unit.create" in fragment.text
    verify = client.post("/admin/audit/verify", data={"csrf_token": token})
    assert "Chain intact" in verify.text
    csv = client.get("/admin/audit/export?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("seq,ts,actor")
    assert client.get("/admin/audit?since=notadate").status_code == 422


def test_totp_login(client, make_user, node) -> None:  # type: ignore[no-untyped-def]
    p = make_user("analyst", email="t@test.example")
    with node.db.transaction() as session:
        user = security.find_user(session, "t@test.example")
        security.totp_begin(session, actor=p, user=user)
        totp = pyotp.TOTP(user.totp_secret)
        security.totp_confirm(session, actor=p, user=user, code=totp.at(clock.now()))
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"email": "t@test.example", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert r.status_code == 200 and 'name="pending"' in r.text
    pending = re.search(r'name="pending" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    login_csrf = csrf_from(r.text)
    bad = client.post(
        "/login/totp", data={"pending": pending, "csrf_token": login_csrf, "code": "12345x"}
    )
    assert bad.status_code == 401
    code = totp.at(clock.now() + timedelta(seconds=30))
    ok = client.post(
        "/login/totp",
        data={"pending": pending, "csrf_token": login_csrf, "code": code},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and SESSION_COOKIE in ok.headers["set-cookie"]
    client.cookies.clear()
    fresh = csrf_from(client.get("/login").text)
    forged = client.post(
        "/login/totp", data={"pending": pending + "x", "csrf_token": fresh, "code": "123456"}
    )
    assert forged.status_code == 401 and SESSION_COOKIE not in forged.headers.get("set-cookie", "")


def test_account_tokens_through_the_ui(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("investigator", email="i@test.example")
    web_login(client, "i@test.example")
    token = csrf_from(client.get("/account").text)
    r = client.post(
        "/account/tokens",
        data={
            "csrf_token": token,
            "name": "import script",
            "scopes": ["read", "write"],
            "days": "30",
        },
    )
    assert r.status_code == 200 and "shown only once" in r.text
    secret = re.search(r'id="new-token"[^>]*>(cor_[^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    assert secret not in client.get("/account").text


def test_open_redirects_are_refused(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("viewer", email="r@test.example")
    page = client.get("/login?next=//evil.example/x")
    r = client.post(
        "/login",
        data={
            "email": "r@test.example",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "https://evil.example",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"
