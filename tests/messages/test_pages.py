from __future__ import annotations

import json
import queue
import threading

from fastapi.testclient import TestClient

from corridor.federation import delivery
from corridor.web.app import create_app
from tests.messages.test_messages import bearer
from tests.web.conftest import csrf_from, web_login


def test_compose_thread_receipts_and_withdraw_in_the_ui(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    make_user("liaison_officer", email="lo@test.example")
    web_login(to_a, "lo@test.example")
    form = to_a.get("/messages/new")
    assert form.status_code == 200 and "Jandarma Van" in form.text
    token = csrf_from(form.text)
    r = to_a.post(
        "/messages/new",
        data={
            "csrf_token": token,
            "to": [b.id],
            "subject": "Safe house in Edirne",
            "text": "Address attached.",
            "tlp": "AMBER",
            "handling": "H1",
            "source": "B",
            "information": "2",
        },
        files=[("files", ("address.txt", b"Kaleici 12", "text/plain"))],
    )
    assert r.status_code == 200 and "Safe house in Edirne" in r.text and "pending" in r.text
    delivery.push_to(a, b.id, http=to_b)
    delivery.push_to(b, a.id, http=to_a)
    thread = to_a.get(r.url.path)
    assert "pending" not in thread.text  # delivered receipt arrived
    bad = to_a.post("/messages/new", data={"csrf_token": token, "subject": "x", "text": "y"})
    assert bad.status_code == 422 and "name at least one node" in bad.text
    red = to_a.post(
        "/messages/new",
        data={"csrf_token": token, "to": [b.id], "subject": "x", "text": "y", "tlp": "RED"},
    )
    assert red.status_code == 422 and "named recipients" in red.text
    mid = r.url.path.rsplit("/", 1)[1]
    w = to_a.post(f"/messages/{mid}/revoke", data={"csrf_token": token, "reason": "moved"})
    assert "Withdrawn message" in w.text
    assert "Safe house" not in to_a.get("/messages?box=sent").text


def test_protection_purpose_not_offered_to_enforcement(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    _a, b, to_a, _ = pair
    make_user("investigator", email="inv@test.example")
    web_login(to_a, "inv@test.example")
    form = to_a.get("/messages/new").text
    assert ">protection<" not in form
    r = to_a.post(
        "/messages/new",
        data={
            "csrf_token": csrf_from(form),
            "to": [b.id],
            "subject": "x",
            "text": "y",
            "purpose": "protection",
        },
    )
    assert r.status_code == 403 or "does not handle protection" in r.text


def test_a_received_message_is_announced_in_real_time(pair) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    ha = bearer(a, "liaison_officer", "lo@a.example")
    hb = bearer(b, "liaison_officer", "lo@b.example")
    lines: queue.Queue[str] = queue.Queue()
    stop = threading.Event()

    def listen() -> None:
        with TestClient(create_app(b)) as c, c.stream("GET", "/api/v1/events", headers=hb) as r:
            for line in r.iter_lines():
                lines.put(line)
                if stop.is_set():
                    return

    t = threading.Thread(target=listen, daemon=True)
    t.start()
    assert lines.get(timeout=10) == ": connected"
    mid = to_a.post(
        "/api/v1/messages", headers=ha, json={"to": [b.id], "subject": "Now", "body": "Real time"}
    ).json()["id"]
    delivery.push_to(a, b.id, http=to_b)
    events = []
    while not events:
        line = lines.get(timeout=10)
        if line.startswith("data: "):
            events.append(json.loads(line[6:]))
    stop.set()
    assert events[0]["type"] == "message" and events[0]["id"] == mid
    assert "body" not in events[0] and "subject" not in events[0]


def test_a_refused_message_comes_back_with_everything_typed(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    _, b, to_a, _ = pair
    make_user("liaison_officer", email="lo@test.example")
    web_login(to_a, "lo@test.example")
    token = csrf_from(to_a.get("/messages/new").text)
    r = to_a.post(
        "/messages/new",
        data={
            "csrf_token": token,
            "to": [b.id],
            "subject": "Boat from Ayvalik",
            "text": "Forty people, leaving after midnight.",
            "tlp": "RED",  # with no named recipients: refused
            "handling": "H3",
            "handling_note": "Not for the press office",
            "source": "B",
            "information": "2",
        },
    )
    assert r.status_code == 422
    page = r.text
    assert "Boat from Ayvalik" in page and "Forty people, leaving after midnight." in page
    assert "Not for the press office" in page
    assert f'value="{b.id}" checked' in page
    assert "<option selected>RED</option>" in page
    assert '<option value="H3" selected>' in page
    assert "<option selected>B</option>" in page
