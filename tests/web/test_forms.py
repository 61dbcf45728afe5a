"""A refusal as the page form shows it (web.refusals: each mistake in plain words, put to the
field it names, beside that field on the page, the summary naming it as the page labels it) and
a form model read as typed (web.forms.typed: a value over its limit refuses the form, not the
request). The forms of the node are tried one by one in test_form_refusals.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.testclient import TestClient
from markupsafe import escape
from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput, NotFound
from corridor.node.service import Node
from corridor.web.app import create_app
from corridor.web.forms import save_form, typed
from corridor.web.params import PageAuth
from corridor.web.refusals import FormFields, Refusal, mark, plain
from tests.web.conftest import csrf_from, web_login


class _Body(BaseModel):
    title: str
    countries: list[str]

    @field_validator("countries")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        if "ZZ" in v:
            raise ValueError("unknown country code 'ZZ'")
        return v


def _refusal(**data: object) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        _Body.model_validate(data)
    return exc.value


@pytest.mark.parametrize(
    ("pydantic", "person"),
    [
        ("Field required", "required"),
        ("String should have at least 1 character", "required"),
        ("String should have at most 300 characters", "at most 300 characters"),
        ("List should have at most 60 items after validation, not 61", "at most 60 items"),
        ("Input should be 'low', 'medium' or 'high'", "not one of the choices offered"),
        ("Input should be a valid integer, unable to parse string", "not a whole number"),
        ("Input should be less than or equal to 365", "at most 365"),
        ("Input should be a valid UUID, invalid length: expected 32", "not a valid id"),
        ("Value error, unknown country code 'ZZ'", "unknown country code 'ZZ'"),
        ("a route needs at least two stops", "a route needs at least two stops"),
    ],
)
def test_pydantics_words_become_plain_words(pydantic: str, person: str) -> None:
    assert plain(pydantic) == person


def test_a_value_too_long_says_how_long_it_was() -> None:
    assert plain("String should have at most 300 characters", "x" * 301) == (
        "at most 300 characters (you typed 301)"
    )


def test_a_validation_names_each_field_by_its_label() -> None:
    refusal = Refusal.of(_refusal(countries=["ZZ"]), FormFields.of(labels={"countries": "Lands"}))
    assert refusal.summary() == "Title: required; Lands: unknown country code 'ZZ'"
    assert refusal.beside() == {"title": ["required"], "countries": ["unknown country code 'ZZ'"]}


def test_a_service_refusal_says_its_errors_else_its_words() -> None:
    fields = FormFields.of(["stops", "name"], {"legs": "Stops"})
    errors = [{"loc": ("body", "legs", 0, "from"), "msg": "Value error, no such place"}]
    said = Refusal.of(InvalidInput("invalid body for record type route", errors=errors), fields)
    assert said.summary() == "Stops, no. 1 from: no such place"
    assert said.beside() == {"legs": ["no. 1 from: no such place"]}
    # A sentence that starts by naming a field (by its name, or its label) is that field's.
    words = "to: name at least one partner node; Stops, line 3: Guadeloupe has no outline"
    said = Refusal.of(InvalidInput(words), fields)
    assert said.beside() == {
        "to": ["name at least one partner node"],
        "stops": ["line 3: Guadeloupe has no outline"],
    }
    assert said.summary() == (
        "Recipients: name at least one partner node; Stops, line 3: Guadeloupe has no outline"
    )
    # One that names none is the form's as a whole, "; " inside it included.
    said = Refusal.of(InvalidInput("invalid body; see above"), fields)
    assert said.beside() == {} and said.summary() == "invalid body; see above"
    assert Refusal.of(NotFound("no route 42")).summary() == "no route 42"
    assert Refusal.of(ValueError("plain")).summary() == "plain"


def test_a_request_validation_leaves_out_where_fastapi_found_it() -> None:
    exc = RequestValidationError(
        [{"loc": ("body", "valid_until"), "msg": "Field required", "type": "missing"}]
    )
    assert Refusal.of(exc).summary() == "Valid until: required"


FORM = """<p class="error" role="alert">{summary}</p>
<form method="post" action="/other"><label>Title<input name="title"></label></form>
<form method="post" action="/things/new">
  <label>Title<input name="title" maxlength="3" value="abcd"></label>
  <label>Countries (ISO codes such as PK, IRN, TR)<select name="countries">
    <option>PK</option></select></label>
  <fieldset><legend>Member nodes</legend>
    <label class="check"><input type="checkbox" name="to" value="a"> A</label>
    <label class="check"><input type="checkbox" name="to" value="b"> B</label>
  </fieldset>
  <label>Zone<input name="zone" list="z"><datalist id="z"><option value="A"><option value="B">
  </datalist></label>
  <input name="loose">
  <label>Text (at most 20 characters)<textarea name="text">x</textarea></label>
</form>"""


def _note(field: str, said: str) -> str:
    """A mistake as it is shown beside its field."""
    return f'<span class="field-error" id="error-{field}" aria-hidden="true">{said}</span>'


def test_each_mistake_is_shown_beside_its_field_and_named_as_the_page_labels_it() -> None:
    refusal = Refusal.of(
        InvalidInput(
            "title: too <long>; countries: unknown; to: name one; zone: unknown; loose: no; "
            "text: empty; gone: x"
        )
    )
    page = mark(FORM.format(summary=escape(refusal.summary())), "/things/new", refusal)
    other, form = page.split('action="/things/new"')
    assert "field-error" not in other and "aria-invalid" not in other
    assert (
        '<label>Title<input name="title" maxlength="3" value="abcd" aria-invalid="true" '
        'aria-describedby="error-title"><span class="field-error" id="error-title" '
        'aria-hidden="true">too &lt;long&gt;</span></label>'
    ) in form
    # A group of checkboxes: the message once, at the end of its fieldset; each box marked.
    assert form.count('aria-describedby="error-to"') == 2
    assert re.search(
        r'B</label>\s*<span class="field-error" id="error-to" aria-hidden="true">name one</span>'
        r"</fieldset>",
        form,
    )
    # A field without a label: right after it (a textarea: after its end tag).
    assert '<input name="loose" aria-invalid="true" aria-describedby="error-loose">' in form
    assert f"{_note('loose', 'no')}" in form
    assert f"</textarea>{_note('text', 'empty')}</label>" in form
    # The summary names the fields as the page labels them; one it does not show, by its name.
    assert (
        '<p class="error" role="alert">Title: too &lt;long&gt;; Countries: unknown; '
        "Member nodes: name one; Zone: unknown; Loose: no; Text: empty; "
        "Gone: x</p>"
    ) in page


def test_nothing_to_mark_leaves_the_page_as_it_is() -> None:
    page = FORM.format(summary="no route 42")
    assert mark(page, "/things/new", Refusal.of(NotFound("no route 42"))) == page


# --- a form model read as typed, through save_form ------------------------------------------


class _Thing(BaseModel):
    title: Annotated[str, Form(max_length=5)] = ""
    count: Annotated[int, Form(ge=1)] = 1
    tags: Annotated[list[str], Form()] = []


SAVED: list[Any] = []


def _page(form: _Thing | None, *, error: str = "", status: int = 200) -> HTMLResponse:
    form = form or _Thing()
    html = (
        f'<p class="error" role="alert">{error}</p><form method="post" action="/things/new">'
        f'<label>Title<input name="title" value="{escape(form.title)}"></label>'
        f'<label>How many<input name="count" value="{escape(form.count)}"></label></form>'
    )
    return HTMLResponse(html, status_code=status)


def _router() -> APIRouter:
    router = APIRouter(prefix="/things")

    @router.post("/new")
    def new(
        request: Request, auth: PageAuth, form: Annotated[_Thing, Depends(typed(_Thing))]
    ) -> Response:
        def save(_session: Session, _node: Node) -> None:
            SAVED.append(form)
            if form.title == "taken":
                raise InvalidInput("title: taken already")

        return save_form(
            request, auth, save=save, done=lambda _: ("/", "saved"), again=partial(_page, form)
        )

    return router


@pytest.fixture
def signed_in(node, make_user) -> Iterator[tuple[TestClient, str]]:  # type: ignore[no-untyped-def]
    make_user("investigator", email="things@test.example")
    app = create_app(node)
    app.include_router(_router())
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        assert web_login(client, "things@test.example").status_code == 303
        yield client, csrf_from(client.get("/").text)


def test_a_typed_form_over_its_limits_is_not_saved_but_shown_again_as_typed(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, csrf = signed_in
    SAVED.clear()
    r = client.post("/things/new", data={"csrf_token": csrf, "title": "<b>long", "count": "many"})
    assert r.status_code == 422 and SAVED == []
    assert 'value="&lt;b&gt;long"' in r.text and 'value="many"' in r.text  # kept as typed
    assert "Title: at most 5 characters (you typed 7); How many: not a whole number" in r.text
    assert _note("count", "not a whole number") in r.text
    # Within its limits: saved, or refused by the service beside the field it names.
    r = client.post("/things/new", data={"csrf_token": csrf, "title": "taken", "tags": ["a", "b"]})
    assert r.status_code == 422 and SAVED[-1].tags == ["a", "b"]
    assert _note("title", "taken already") in r.text
    r = client.post("/things/new", data={"csrf_token": csrf, "title": "ok"}, follow_redirects=False)
    assert r.status_code == 303 and SAVED[-1].title == "ok" and SAVED[-1].count == 1


def test_numbers_may_be_typed_in_any_digits_and_free_text_keeps_them(signed_in) -> None:  # type: ignore[no-untyped-def]
    client, csrf = signed_in
    SAVED.clear()
    for typed_count in ("۱۲", "١٢"):  # Persian and Arabic-Indic twelve
        r = client.post(
            "/things/new",
            data={"csrf_token": csrf, "title": "۱۲", "count": typed_count},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        assert SAVED[-1].count == 12 and SAVED[-1].title == "۱۲"
