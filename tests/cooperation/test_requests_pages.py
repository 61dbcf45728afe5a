"""Requests for assistance in the web UI, across two nodes: compose, drafts, the lists with the
deadline clock, accept and answer forms at the requested node, the overview."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from corridor import clock
from corridor.federation import delivery
from corridor.web.app import create_app
from tests.entities.test_api import bearer
from tests.web.conftest import csrf_from, web_login


def _no_inline(html: str) -> None:
    # CSP: script-src 'self'; style-src 'self' — nothing inline.
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_compose_reply_and_overview_in_the_ui(pair, make_user, shift_clock) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    make_user("liaison_officer", email="lo@a.example")
    web_login(to_a, "lo@a.example")
    form = to_a.get("/requests/new")
    assert form.status_code == 200 and "Jandarma Van" in form.text
    _no_inline(form.text)
    token = csrf_from(form.text)
    data = {
        "csrf_token": token,
        "to": [b.id],
        "subject": "Boat owner in Çeşme",
        "urgency": "urgent",
        "legal_basis": "Bilateral agreement 2019",
        "questions": "Who owns the boat?\nWhere is it moored?",
        "entities": "case1.boat7 | Vessel | Blue Star",
        "text": "Registration TR-35-1234.",
        "tlp": "AMBER",
        "handling": "H1",
        "purpose": "cooperation",
    }
    bad = to_a.post("/requests/new", data={**data, "entities": "only-an-id"})
    assert bad.status_code == 422 and "Linked entities, line 1" in bad.text
    assert "Boat owner in Çeşme" in bad.text  # the form keeps what was typed
    past = to_a.post("/requests/new", data={**data, "deadline": "2020-01-01T10:00"})
    assert past.status_code == 422 and "deadline is in the past" in past.text

    draft = to_a.post("/requests/new", data={**data, "action": "draft"})
    assert draft.status_code == 200 and "Draft saved." in draft.text
    assert "Who owns the boat?" in draft.text and "case1.boat7 | Vessel | Blue Star" in draft.text
    # The draft keeps who it goes to and its labels, as the refused form does.
    assert f'value="{b.id}" checked' in draft.text and '<option value="H1" selected>' in draft.text
    assert '<option value="H1" selected>' in bad.text and f'value="{b.id}" checked' in bad.text
    drafts = to_a.get("/requests?box=drafts")
    assert "Boat owner in Çeşme" in drafts.text
    draft_id = draft.url.path.rsplit("/", 1)[1]
    sent = to_a.post("/requests/new", data={**data, "draft_id": draft_id})
    assert sent.status_code == 200 and "Request sent." in sent.text, sent.text[-2000:]
    _no_inline(sent.text)
    assert "No drafts." in to_a.get("/requests?box=drafts").text
    rid = sent.url.path.rsplit("/", 1)[1]
    assert "data-deadline" in sent.text and "pending" in sent.text
    listed = to_a.get("/requests?box=sent")
    assert (
        "Boat owner in Çeşme" in listed.text
        and 'hx-trigger="corridor-record from:body"' in listed.text
    )

    delivery.push_to(a, b.id, http=to_b)
    bearer(b, "investigator", "inv@b.example")  # a user at B (password: PASSWORD)
    with TestClient(create_app(b)) as ui_b:
        web_login(ui_b, "inv@b.example")
        inbox = ui_b.get("/requests")
        assert "Boat owner in Çeşme" in inbox.text and "urgent" in inbox.text
        page = ui_b.get(f"/requests/{rid}")
        _no_inline(page.text)
        assert "Where is it moored?" in page.text and "Blue Star" in page.text
        assert f'action="/requests/{rid}/accept"' in page.text
        t = csrf_from(page.text)
        r = ui_b.post(f"/requests/{rid}/decline", data={"csrf_token": t, "reason": " "})
        assert "A decline states its reason." in r.text
        r = ui_b.post(f"/requests/{rid}/accept", data={"csrf_token": t, "text": "Checking"})
        assert "You accepted the request." in r.text
        r = ui_b.post(
            f"/requests/{rid}/reply",
            data={"csrf_token": t, "answer-0": "Mehmet K.", "partial": "1", "tlp": "AMBER"},
            files=[("files", ("registry.txt", b"TR-35-1234 Mehmet K.", "text/plain"))],
        )
        assert "Your answer was sent." in r.text and "Partial answer" in r.text
        r = ui_b.post(f"/requests/{rid}/reply", data={"csrf_token": t, "answer-1": "Marina 2"})
        assert "Your answer was sent." in r.text
    delivery.push_to(b, a.id, http=to_a)

    page = to_a.get(f"/requests/{rid}")
    assert "Mehmet K." in page.text and "Marina 2" in page.text and "registry.txt" in page.text
    assert "rfa-state-answered" in page.text and "pending" not in page.text
    ov = to_a.get("/requests/overview")
    assert ov.status_code == 200 and "Jandarma Van" in ov.text and "100%" in ov.text
    _no_inline(ov.text)

    # A second request runs past its deadline: the list shows it overdue.
    soon = (clock.now() + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    r = to_a.post("/requests/new", data={**data, "subject": "Second boat", "deadline": soon})
    assert "Request sent." in r.text
    shift_clock(timedelta(minutes=20))  # within the session idle time
    rows = to_a.get("/requests/_list?box=sent", follow_redirects=False)
    assert rows.status_code == 200, rows.headers
    rows = rows.text
    row = next(r for r in rows.split("<tr") if "Second boat" in r)
    assert 'class="overdue' in row and "rfa-state-overdue" in row


def test_viewer_reads_but_does_not_compose(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    _a, _b, to_a, _ = pair
    make_user("viewer", email="v@a.example")
    web_login(to_a, "v@a.example")
    page = to_a.get("/requests")
    assert page.status_code == 200 and "/requests/new" not in page.text
    assert to_a.get("/requests/new").status_code == 403
