"""The dashboard as a work queue: what needs each person now (an overdue request, an alert
nobody acknowledged, a task past its due time), shown only to those the lists show it to; what
changed since their last visit; the node's facts for administrators; and /requests opening on
the box with work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from corridor import clock
from corridor.cooperation.requests import service as rfa
from corridor.entities.cases import service as cases
from corridor.entities.cases import tasks
from corridor.entities.cases.schemas import CaseCreate
from corridor.federation import delivery
from corridor.node.service import Node
from corridor.records.labels import Labels
from corridor.web.app import create_app
from tests.entities.test_api import bearer
from tests.web.conftest import csrf_from, web_login

REQUEST = "Owner of the Blue Star, moored in Çeşme"
ALERT = "Departure from Ayvalık tonight"
TASK = "Check the Van safe-house addresses"


@contextmanager
def signed_in(node: Node, email: str) -> Iterator[TestClient]:
    with TestClient(create_app(node)) as c:
        assert web_login(c, email).status_code == 303
        yield c


def _dashboard(node: Node, email: str) -> str:
    with signed_in(node, email) as c:
        r = c.get("/")
        assert r.status_code == 200
        return r.text


def _section(html: str, key: str) -> str:
    """The HTML of one section of the work part ('' when the page has none)."""
    m = re.search(rf'<section [^>]*id="work-{key}".*?</section>', html, re.S)
    return m.group(0) if m else ""


def _count(section: str, label: str) -> tuple[int, str]:
    """The number a count shows and where it links."""
    m = re.search(
        rf'<a class="work-count[^"]*" href="([^"]+)"><strong><bdi>(\d+)</bdi></strong> '
        rf"<span>{re.escape(label)}</span>",
        section,
    )
    assert m, f"no count {label!r} in {section}"
    return int(m.group(2)), m.group(1).replace("&amp;", "&")


def _from_b(to_b: TestClient, headers: dict[str, str], **kw: Any) -> None:
    """B sends an enforcement request (deadline in 10 minutes) and an urgent alert to A."""
    a_id = kw["to"]
    r = to_b.post(
        "/api/v1/requests",
        headers=headers,
        json={
            "to": [a_id],
            "subject": REQUEST,
            "urgency": "urgent",
            "text": "Registration TR-35-1234: who owns it?",
            "deadline": clock.iso(clock.now() + timedelta(minutes=10)),
            "tlp": "AMBER",
            "purpose": "enforcement",
        },
    )
    assert r.status_code == 201, r.text
    r = to_b.post(
        "/api/v1/alerts",
        headers=headers,
        json={
            "to": [a_id],
            "type": "imminent_departure",
            "severity": "urgent",
            "title": ALERT,
            "text": "About 40 people near Ayvalık.",
            "tlp": "AMBER",
            "purpose": "enforcement",
        },
    )
    assert r.status_code == 201, r.text


def test_each_role_sees_the_work_its_lists_show(pair, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    headers, _ = bearer(b, "liaison_officer", "lo@b.example")
    _from_b(to_b, headers, to=a.id)
    delivery.push_to(b, a.id, http=to_a)

    inv = make_user("investigator", email="inv@a.example", display_name="Ayşe Demir")
    make_user("investigator", email="other@a.example")
    make_user("protection_officer", email="po@a.example")
    with a.db.transaction() as session:
        case = cases.create_case(
            session, actor=inv, data=CaseCreate(reference="FIA-2026-31", title="Van network")
        )
        tasks.add_task(
            session,
            actor=inv,
            case_ref=case.id,
            title=TASK,
            owner=inv.handle,
            due=clock.now() + timedelta(minutes=15),
        )
        case_id = case.id
        rfa.send(
            session,
            a.keys,
            a.config.deadlines,
            actor=inv,
            to=[b.id],
            subject="Phones seized in Van",
            urgency="normal",
            text="Please share the extraction reports.",
            labels=Labels(tlp="AMBER", purpose="enforcement"),
        )
    shift_clock(timedelta(minutes=20))  # the request and the task are now late

    page = _dashboard(a, "inv@a.example")
    assert "<script>" not in page and " style=" not in page
    received = _section(page, "requests-received")
    assert REQUEST in received and "overdue" in received and "Jandarma Van" in received
    assert _count(received, "overdue") == (1, "/requests?box=received&state=overdue")
    assert _count(received, "open") == (1, "/requests?box=received")
    assert 'class="work-count alarm"' in received and "work-alarm" in received
    alerts = _section(page, "alerts")
    assert ALERT in alerts and "Urgent" in alerts
    assert _count(alerts, "not acknowledged") == (1, "/alerts")
    due = _section(page, "case-tasks")
    assert TASK in due and "FIA-2026-31" in due and "assigned to you" in due
    assert f'href="/cases/{case_id}/_work#case-tasks"' in due
    assert _count(due, "overdue") == (1, "/cases")
    assert "data-deadline=" in due  # the page counts down to (or up from) the due time
    # People by name: the colleague who sent a request, the partner it waits for.
    waiting = _section(page, "requests-sent")
    assert "Phones seized in Van" in waiting and "by <bdi>Ayşe Demir</bdi>" in waiting
    assert "to <bdi>Jandarma Van (TR)</bdi>" in waiting and "u-" not in waiting
    # Most pressing first: the overdue request's row is marked so, its section leads.
    assert re.search(r'<li class="work-item overdue">\s*<a href="/requests/', received)
    assert page.index('id="work-requests-received"') < page.index('id="work-requests-sent"')
    # Node facts are for administrators.
    assert "Key fingerprint" not in page and "Recent activity" not in page

    # A colleague outside the case sees the partner's request and alert, not the case's task.
    other = _dashboard(a, "other@a.example")
    assert REQUEST in other and ALERT in other and TASK not in other
    # Enforcement data never reaches the protection officer, nor the case.
    po = _dashboard(a, "po@a.example")
    assert REQUEST not in po and ALERT not in po and TASK not in po
    assert _count(_section(po, "requests-received"), "overdue")[0] == 0
    assert _count(_section(po, "alerts"), "not acknowledged")[0] == 0
    # The administrator reads cooperation data only, works on no case, and keeps the node.
    make_user("administrator", email="admin@a.example")
    admin = _dashboard(a, "admin@a.example")
    assert REQUEST not in admin and ALERT not in admin and TASK not in admin
    assert 'id="work-case-tasks"' not in admin and "/cases" not in admin
    assert "Key fingerprint" in admin and "Recent activity" in admin
    assert admin.index('id="work-alerts"') < admin.index("Key fingerprint")

    # Acknowledged, the alert leaves the queue.
    with signed_in(a, "inv@a.example") as c:
        aid = re.search(r'href="/alerts/([0-9a-f-]{36})"', alerts)
        assert aid
        token = csrf_from(c.get(f"/alerts/{aid.group(1)}").text)
        c.post(f"/alerts/{aid.group(1)}/acknowledge", data={"csrf_token": token})
        after = c.get("/dashboard/_work")
        assert after.status_code == 200 and ALERT not in after.text
        assert _count(_section(after.text, "alerts"), "not acknowledged")[0] == 0


def test_the_work_part_refreshes_when_something_arrives(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("liaison_officer", email="lo@test.example")
    web_login(client, "lo@test.example")
    page = client.get("/").text
    assert 'hx-get="/dashboard/_work"' in page
    assert 'hx-trigger="corridor-record from:body, corridor-notification from:body"' in page
    assert "/static/css/dashboard.css" in page and "/static/js/requests.js" in page
    part = client.get("/dashboard/_work").text
    assert 'id="work-since"' in part and "<html" not in part


def test_what_changed_since_the_last_visit(pair, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    make_user("liaison_officer", email="lo@a.example")
    headers, _ = bearer(b, "liaison_officer", "lo@b.example")

    # A first visit ten minutes ago (federation runs on the real clock, so the past is moved).
    shift_clock(timedelta(minutes=-10))
    with signed_in(a, "lo@a.example") as c:
        first = c.get("/").text
        assert "Your first visit" in first and "Nothing new since then." in first
        # Within one sign-in, looking again keeps the same starting point.
        assert "Your first visit" in c.get("/").text
    shift_clock(timedelta(minutes=10))
    _from_b(to_b, headers, to=a.id)
    delivery.push_to(b, a.id, http=to_a)

    with signed_in(a, "lo@a.example") as c:
        page = c.get("/").text
        since = _section(page, "since")
        assert "Your last visit:" in since
        assert _count_change(since, "Requests received") == (1, "/requests?box=received")
        assert _count_change(since, "Alerts received") == (1, "/alerts")
        assert "Messages received" not in since  # nothing of the kind: not listed
        # Reloading keeps "since" where it was.
        assert _count_change(_section(c.get("/").text, "since"), "Alerts received")[0] == 1
        token = csrf_from(page)
        r = c.post("/dashboard/seen", data={"csrf_token": token})
        assert r.status_code == 200 and "Marked as seen" in r.text
        assert "Nothing new since then." in _section(r.text, "since")
        assert c.post("/dashboard/seen", data={}).status_code == 403  # CSRF


def _count_change(section: str, label: str) -> tuple[int, str]:
    m = re.search(
        rf'<a href="([^"]+)"><span>{re.escape(label)}</span> <strong><bdi>(\d+)</bdi></strong></a>',
        section,
    )
    assert m, f"no change {label!r} in {section}"
    return int(m.group(2)), m.group(1)


def _current_box(html: str) -> str:
    m = re.search(r'<a href="/requests\?box=(\w+)" aria-current="page">', html)
    assert m
    return m.group(1)


def test_requests_open_on_the_box_with_work(pair, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    headers, _ = bearer(a, "liaison_officer", "lo@a.example")
    r = to_a.post(
        "/api/v1/requests",
        headers=headers,
        json={
            "to": [b.id],
            "subject": REQUEST,
            "urgency": "normal",
            "text": "Who owns it?",
            "deadline": clock.iso(clock.now() + timedelta(minutes=10)),
            "tlp": "AMBER",
        },
    )
    assert r.status_code == 201, r.text
    # At B the request is open, so the received box comes first.
    delivery.push_to(a, b.id, http=to_b)
    bearer(b, "investigator", "inv@b.example")
    with signed_in(b, "inv@b.example") as c:
        page = c.get("/requests").text
        assert _current_box(page) == "received" and REQUEST in page

    with signed_in(a, "lo@a.example") as c:
        # Nothing received at A: the sent box, where the request waits.
        page = c.get("/requests").text
        assert _current_box(page) == "sent" and REQUEST in page
        assert 'hx-get="/requests/_list?box=sent"' in page
        # An explicit choice stays.
        chosen = c.get("/requests?box=received").text
        assert _current_box(chosen) == "received" and REQUEST not in chosen
        shift_clock(timedelta(minutes=15))
        # The dashboard's count of late requests opens the list of those alone.
        late = c.get("/requests?box=sent&state=overdue")
        assert late.status_code == 200 and REQUEST in late.text
        assert "Showing only the requests that are overdue." in late.text
        assert 'hx-get="/requests/_list?box=sent&amp;state=overdue"' in late.text
        assert REQUEST not in c.get("/requests?box=sent&state=answered").text
        assert c.get("/requests?state=nonsense").status_code == 422


def test_joint_space_tasks_of_this_node_and_partners_posts(pair, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    headers, _ = bearer(b, "liaison_officer", "lo@b.example")
    make_user("liaison_officer", email="lo@a.example")
    make_user("protection_officer", email="po@a.example")
    shift_clock(timedelta(minutes=-10))  # A's officer had a look ten minutes ago
    assert "Your first visit" in _dashboard(a, "lo@a.example")
    shift_clock(timedelta(minutes=10))
    space = to_b.post(
        "/api/v1/spaces",
        headers=headers,
        json={
            "name": "Joint investigation Van–Evros",
            "purpose_text": "One network.",
            "reference": "JIT-2026-9",
            "members": [a.id],
            "tlp": "AMBER",
            "purpose": "enforcement",
        },
    )
    assert space.status_code == 201, space.text
    sid = space.json()["id"]
    due = (clock.now().date() + timedelta(days=3)).isoformat()
    labels = {"tlp": "AMBER", "purpose": "enforcement"}
    for body in (
        {"title": TASK, "assignee": {"node": a.id, "person": "Kom. Elif Yıldız"}, "due": due},
        {"title": "B's own task", "assignee": {"node": b.id}, "due": due},
    ):
        r = to_b.post(f"/api/v1/spaces/{sid}/tasks", headers=headers, json={**body, **labels})
        assert r.status_code == 201, r.text
    post = {"text": "Two addresses.", **labels}
    r = to_b.post(f"/api/v1/spaces/{sid}/posts", headers=headers, json=post)
    assert r.status_code == 201, r.text
    delivery.push_to(b, a.id, http=to_a)

    page = _dashboard(a, "lo@a.example")
    tasks = _section(page, "space-tasks")
    assert (
        TASK in tasks and "Kom. Elif Yıldız" in tasks and "Joint investigation Van–Evros" in tasks
    )
    assert "B&#39;s own task" not in tasks and "B's own task" not in tasks
    assert _count(tasks, "due within 7 days") == (1, "/spaces")
    assert f'href="/spaces/{sid}#t-' in tasks
    assert _count_change(_section(page, "since"), "Posts in joint spaces") == (1, "/spaces")
    # An enforcement space is not the protection officer's.
    po = _dashboard(a, "po@a.example")
    assert TASK not in po and 'id="work-space-tasks"' not in po
