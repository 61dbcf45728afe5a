"""Notifications in the web UI: the bell's count, the list (open marks read, mark all read),
the preferences form (saved, bad input refused), and the pages' CSP-friendly markup."""

from __future__ import annotations

import re

from corridor.cooperation.notifications import registry, service
from tests.web.conftest import csrf_from, web_login


def notify(node, principal, title: str, link: str, urgent: bool = False) -> None:  # type: ignore[no-untyped-def]
    with node.db.transaction() as session:
        service.notify(
            session,
            node_id=node.id,
            notice=registry.Notice("message", title, link, urgent=urgent),
            handles=[principal.handle],
        )


def test_bell_list_open_and_mark_read(node, client, make_user) -> None:  # type: ignore[no-untyped-def]
    p = make_user("analyst", email="an@test.example")
    other = make_user("analyst", email="other@test.example")
    notify(node, p, "First notice", "/messages/one")
    notify(node, p, "Second notice", "/messages/two", urgent=True)
    notify(node, other, "Not yours", "/messages/three")
    web_login(client, "an@test.example")

    home = client.get("/")
    assert 'id="notification-bell"' in home.text and 'hx-get="/notifications/_badge"' in home.text
    badge = client.get("/notifications/_badge", headers={"HX-Request": "true"})
    assert re.search(r'class="bell-count">2<', badge.text)

    page = client.get("/notifications")
    assert page.status_code == 200
    assert "First notice" in page.text and "Second notice" in page.text
    assert "Not yours" not in page.text
    assert page.text.index("Second notice") < page.text.index("First notice")  # newest first
    assert "notification--urgent" in page.text and "2 unread" in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    token = csrf_from(page.text)
    ids = re.findall(r'action="/notifications/([0-9a-f-]{36})/open"', page.text)
    assert len(ids) == 2

    # Opening one marks it read and goes where it points.
    r = client.post(
        f"/notifications/{ids[1]}/open", data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/messages/one"
    assert "1 unread" in client.get("/notifications/_list").text
    # Without the CSRF token nothing happens.
    assert client.post("/notifications/read", data={}).status_code == 403
    # Someone else's notification cannot be opened or marked.
    with node.db.transaction() as session:
        theirs = service.list_notifications(session, actor=other)[0].id
    r = client.post(f"/notifications/{theirs}/open", data={"csrf_token": token})
    assert r.status_code == 200 and "No such notification." in r.text
    r = client.post("/notifications/read", data={"csrf_token": token, "id": str(theirs)})
    assert "No such notification." in r.text
    with node.db.transaction() as session:
        assert service.unread_count(session, actor=other) == 1

    r = client.post("/notifications/read", data={"csrf_token": token})
    assert "All notifications read." in r.text and "0 unread" in r.text
    badge = client.get("/notifications/_badge")
    assert "bell-count" not in badge.text


def test_preferences_form_saves_and_refuses_bad_input(node, client, make_user) -> None:  # type: ignore[no-untyped-def]
    p = make_user("analyst", email="an@test.example")
    web_login(client, "an@test.example")
    form = client.get("/notifications/preferences")
    assert form.status_code == 200
    assert 'name="email:message"' in form.text and 'name="web:message"' in form.text
    assert "no e-mail server configured" in form.text
    token = csrf_from(form.text)
    r = client.post(
        "/notifications/preferences",
        data={"csrf_token": token, "email:message": "immediately", "digest": "hourly"},
    )
    assert r.status_code == 200 and "Preferences saved." in r.text
    with node.db.transaction() as session:
        prefs, digest = service.get_preferences(session, actor=p)
    message = next(x for x in prefs if x.kind == "message")
    # The checkbox was left out: the browser is switched off for messages.
    assert (message.web, message.email, digest) == (False, "immediately", "hourly")

    for data in (
        {"email:message": "weekly"},
        {"email:no.such.kind": "off"},
        {"email:message": "off", "digest": "monthly"},
    ):
        r = client.post("/notifications/preferences", data={"csrf_token": token, **data})
        assert r.status_code == 422 and 'role="alert"' in r.text
    with node.db.transaction() as session:
        prefs, digest = service.get_preferences(session, actor=p)
    message = next(x for x in prefs if x.kind == "message")
    assert (message.web, message.email, digest) == (False, "immediately", "hourly")


def test_pages_need_a_session(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/notifications", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    assert client.get("/notifications/_badge", follow_redirects=False).status_code in (302, 303)
