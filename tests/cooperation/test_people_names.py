"""People by name in what partners exchange: a request's sender is named at home and a
partner's reply reads "a colleague at <node>" (never a handle as the name); the space thread
likewise."""

from __future__ import annotations

from fastapi.testclient import TestClient

from corridor.federation import delivery
from corridor.web.app import create_app
from tests.entities.test_api import bearer
from tests.web.conftest import csrf_from, web_login


def test_request_sender_and_partner_replies_by_name(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    me = make_user("liaison_officer", email="lo@a.example", display_name="Leyla Demir").handle
    web_login(to_a, "lo@a.example")
    token = csrf_from(to_a.get("/requests/new").text)
    sent = to_a.post(
        "/requests/new",
        data={
            "csrf_token": token,
            "to": [b.id],
            "subject": "Boat owner",
            "questions": "Who owns the boat?",
            "text": "Registration TR-35-1234.",
            "tlp": "AMBER",
            "handling": "H1",
            "purpose": "cooperation",
        },
    )
    assert "Request sent." in sent.text
    rid = sent.url.path.rsplit("/", 1)[1]
    assert "Leyla Demir" in sent.text and f'<code class="handle">{me}</code>' not in sent.text

    delivery.push_to(a, b.id, http=to_b)
    bearer(b, "investigator", "inv@b.example")
    with TestClient(create_app(b)) as ui_b:
        web_login(ui_b, "inv@b.example")
        page = ui_b.get(f"/requests/{rid}")
        # At B, A's officer is a colleague at A: B never learns the name.
        assert "a colleague at" in page.text and "Leyla Demir" not in page.text
        t = csrf_from(page.text)
        ui_b.post(f"/requests/{rid}/accept", data={"csrf_token": t, "text": "Checking"})
        r = ui_b.post(f"/requests/{rid}/reply", data={"csrf_token": t, "answer-0": "Mehmet K."})
        assert "Your answer was sent." in r.text
    delivery.push_to(b, a.id, http=to_a)

    page = to_a.get(f"/requests/{rid}").text
    assert "Mehmet K." in page
    # The reply names B's node; B's pseudonymous handle only as the title, telling colleagues
    # apart.
    assert (
        '<strong><bdi class="person person-partner" title="u-' in page
        and ">a colleague at Jandarma Van (TR)</bdi></strong>" in page
    )
    assert 'title="Liaison officer">Leyla Demir</bdi>' in page


def test_space_posts_by_name_at_home_and_by_node_at_the_partner(pair, make_user) -> None:  # type: ignore[no-untyped-def]
    a, b, to_a, to_b = pair
    me = make_user("liaison_officer", email="lo@a.example", display_name="Leyla Demir").handle
    web_login(to_a, "lo@a.example")
    token = csrf_from(to_a.get("/spaces/new").text)
    r = to_a.post(
        "/spaces/new",
        data={
            "csrf_token": token,
            "name": "Evros names",
            "reference": "JIT-NAMES-1",
            "purpose_text": "Names",
            "members": [b.id],
            "tlp": "AMBER",
        },
    )
    sid = r.url.path.rsplit("/", 1)[1]
    r = to_a.post(
        f"/spaces/{sid}/posts", data={"csrf_token": token, "text": "Posted by name", "tlp": "AMBER"}
    )
    assert "Posted by name" in r.text
    assert 'title="Liaison officer">Leyla Demir</bdi>' in r.text and me not in r.text

    delivery.push_to(a, b.id, http=to_b)
    bearer(b, "investigator", "inv@b.example")
    with TestClient(create_app(b)) as ui_b:
        web_login(ui_b, "inv@b.example")
        page = ui_b.get(f"/spaces/{sid}").text
    assert "Posted by name" in page and "Leyla Demir" not in page
    assert f'title="{me}">a colleague at ' in page
