"""The courses every page form shares (web.forms: save_form, act_form, withdraw_route;
web.render.live_list), tried on a router of their own mounted on a real node's app, and the
template pieces every page draws with (_lists.html, _card.html, _record.html)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient
from markupsafe import Markup
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput, PermissionDenied
from corridor.i18n import N_
from corridor.keys import NodeKeys
from corridor.node.service import Node
from corridor.security.principal import Principal
from corridor.web.app import create_app
from corridor.web.forms import act_form, parse_time, save_form, withdraw_route
from corridor.web.params import PageAuth
from corridor.web.render import live_list, templates
from tests.web.conftest import csrf_from, web_login

WITHDRAWN: list[dict[str, Any]] = []  # what the withdrawal service below was asked


def _withdraw(
    session: Session, keys: NodeKeys, *, actor: Principal, thing_id: uuid.UUID, reason: str
) -> None:
    if thing_id.int == 0:
        raise PermissionDenied("not yours")
    WITHDRAWN.append({"node": keys.node_id, "actor": actor.handle, "id": thing_id, "r": reason})


def _listing(request: Request, auth: PageAuth, box: Annotated[str, Query(max_length=8)] = "in"):  # type: ignore[no-untyped-def]
    return {"title": "Things", "detail": f"box {box} for {auth.principal.handle}"}


def _router() -> APIRouter:
    router = APIRouter(prefix="/things")
    live_list(router, "error.html", "error.html", _listing)

    @router.post("/save")
    def save(request: Request, auth: PageAuth, value: Annotated[str, Form()] = "") -> Response:
        def saved(_session: Session, node: Node) -> str:
            if value == "bad":
                raise InvalidInput("value: not that one")
            if value == "denied":
                raise PermissionDenied("no")
            return node.id

        def again(*, error: str, status: int) -> Response:
            return PlainTextResponse(f"again {status}: {error}", status_code=status)

        return save_form(
            request, auth, save=saved, done=lambda nid: ("/", f"saved on {nid}"), again=again
        )

    @router.post("/act")
    def act(request: Request, auth: PageAuth, value: Annotated[str, Form()] = "") -> Response:
        def acted(_session: Session, _node: Node) -> int:
            if value == "bad":
                raise InvalidInput("value: not that one")
            return len(value)

        return act_form(request, auth, act=acted, back="/", done=lambda n: f"{n} characters")

    withdraw_route(router, _withdraw, "thing_id", N_("Withdrawn."), "by default")
    return router


@pytest.fixture
def signed_in(node, make_user) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    make_user("administrator", email="things@test.example")
    app = create_app(node)
    app.include_router(_router())
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        assert web_login(client, "things@test.example").status_code == 303
        yield client, csrf_from(client.get("/").text)


def test_a_form_saved_goes_on_refused_comes_again(signed_in, node) -> None:  # type: ignore[no-untyped-def]
    client, csrf = signed_in
    ok = client.post("/things/save", data={"csrf_token": csrf, "value": "good"})
    assert ok.status_code == 200 and f"saved on {node.id}" in ok.text  # the flash, on "/"
    bad = client.post("/things/save", data={"csrf_token": csrf, "value": "bad"})
    assert (bad.status_code, bad.text) == (422, "again 422: Value: not that one")
    # The refusal's own status unless the form says otherwise.
    denied = client.post("/things/save", data={"csrf_token": csrf, "value": "denied"})
    assert (denied.status_code, denied.text) == (403, "again 403: no")


def test_an_action_goes_back_to_its_page_either_way(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, csrf = signed_in
    done = client.post("/things/act", data={"csrf_token": csrf, "value": "four"})
    assert done.status_code == 200 and "4 characters" in done.text
    refused = client.post("/things/act", data={"csrf_token": csrf, "value": "bad"})
    assert refused.status_code == 200 and "Value: not that one" in refused.text


def test_a_withdrawal_route_binds_the_record_and_the_reason(signed_in, node) -> None:  # type: ignore[no-untyped-def]
    client, csrf = signed_in
    WITHDRAWN.clear()
    thing = uuid.uuid4()
    r = client.post(f"/things/{thing}/withdraw", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/things/{thing}"
    assert [
        {"node": node.id, "actor": WITHDRAWN[0]["actor"], "id": thing, "r": "by default"}
    ] == WITHDRAWN
    client.post(f"/things/{thing}/withdraw", data={"csrf_token": csrf, "reason": "typed"})
    assert WITHDRAWN[-1]["r"] == "typed"
    # Refused: back to the record's page all the same, nothing withdrawn.
    nil = uuid.UUID(int=0)
    r = client.post(f"/things/{nil}/withdraw", data={"csrf_token": csrf}, follow_redirects=False)
    assert (
        r.status_code == 303 and r.headers["location"] == f"/things/{nil}" and len(WITHDRAWN) == 2
    )
    # An address that names no record is not found (a page's, so not a validator's 422).
    assert client.post("/things/x/withdraw", data={"csrf_token": csrf}).status_code == 404


def test_a_live_list_and_its_rows_list_the_same(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, _csrf = signed_in
    page = client.get("/things?box=out")
    rows = client.get("/things/_list?box=out")
    assert page.status_code == rows.status_code == 200
    assert "box out for " in page.text and "box out for " in rows.text
    assert client.get("/things/_list?box=far-too-long").status_code == 422


def test_a_date_and_time_field() -> None:
    assert parse_time("  ", "Deadline") is None
    assert parse_time("2030-01-07T08:00", "Deadline") is not None
    with pytest.raises(InvalidInput, match="Deadline: 'soon' is not a date and time"):
        parse_time("soon", "Deadline")


def _macros(name: str) -> Any:
    return templates.env.get_template(name).make_module({"csrf_token": "t0k"})


def test_lists_say_when_they_are_empty() -> None:
    lists = _macros("_lists.html")
    call = partial(lists.rows, caller=lambda item: Markup("<tr><td>{}</td></tr>").format(item))
    filled = str(call(["a"], "None.", 3))
    assert "<td>a</td>" in filled and "None." not in filled
    assert '<td colspan="3" class="muted">None.</td>' in str(call([], "None.", 3))
    each = partial(lists.each, caller=lambda item: Markup("<article>{}</article>").format(item))
    assert "<article>x</article>" in str(each(["x"], "Nothing."))
    assert '<li class="muted">Nothing.</li>' in str(each([], "Nothing.", tag="li"))


def test_the_record_pieces() -> None:
    record = _macros("_record.html")
    form = str(record.withdraw("/things/1/withdraw", "Sure?"))
    assert 'action="/things/1/withdraw"' in form and 'value="t0k"' in form
    assert 'data-confirm="Sure?"' in form and 'name="reason"' in form
    files = [{"name": "a.pdf", "size": 2048, "sha256": "ab" * 32}]
    listed = str(record.attachments(files, "/api/v1/things/1/attachments"))
    assert 'href="/api/v1/things/1/attachments/0"' in listed and "2.0 KiB" in listed
    assert "sha256" not in str(record.attachments(files, "/x", hashed=False))
    assert str(record.attachments([], "/x")).strip() == ""
    card = _macros("_card.html")
    facts = str(card.facts("Node", caller=lambda: Markup("<dt>Name</dt><dd>A</dd>")))
    assert "<h2>Node</h2>" in facts and '<dl class="facts">' in facts and "<dd>A</dd>" in facts
