"""Every page form answers a mistake with the same form again, at 422: what was typed kept, each
mistake beside its field in plain words (the limit said), a summary at the top naming the field
by its label; nothing saved. The limits a form states (`maxlength`) are those its server applies.
A page address that names nothing this node holds is 404, not a validator's message.

One case per form (web.forms.save_form through typed form models, web.sharing.ComposePage,
web.own_records.OwnRecords, and the forms of the commitment, case, account and administration
pages), tried with a value over its limit as a client that skips `maxlength` sends it, and with
the required fields left empty."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from corridor.cooperation.alerts.pages import AlertForm
from corridor.cooperation.directory.forms import ContactForm
from corridor.cooperation.requests.pages import RequestForm
from corridor.cooperation.spaces.pages import SpaceForm
from corridor.entities.cases.pages import CaseForm, EntityForm
from corridor.entities.cases.tasks import MAX_TASK_TITLE
from corridor.entities.pages import EntityEdit
from corridor.federation.pages import GroupForm
from corridor.federation.peers import add_peer
from corridor.mapping.challenges.forms import ChallengeForm
from corridor.mapping.commitments.forms import CommitmentForm
from corridor.mapping.routes.forms import RouteForm
from corridor.messages.pages import MessageForm
from corridor.node.service import Node, init_node
from corridor.records.models import StoredRecord
from corridor.security.principal import CLI
from corridor.web.account import PasswordForm, TokenForm
from corridor.web.admin import NewUser, UnitForm, UserForm
from corridor.web.app import create_app
from corridor.web.sharing import AmberSharingForm, SharingForm
from tests.conftest import card_text
from tests.web.conftest import csrf_from, web_login

# --- reading a form back ----------------------------------------------------------------------


@dataclass
class Control:
    name: str
    tag: str
    attrs: dict[str, str]
    text: str = ""  # a textarea's content
    label: str = ""  # the text of the label (or the fieldset's legend) it is in
    error: str = ""  # what is said beside it


@dataclass
class FormOnPage:
    controls: list[Control] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # error id -> text

    def named(self, name: str) -> list[Control]:
        return [c for c in self.controls if c.name == name]

    def value(self, name: str) -> str:
        c = self.named(name)[0]
        return c.text if c.tag == "textarea" else c.attrs.get("value", "")

    def beside(self, name: str) -> str:
        for c in self.named(name):
            ident = c.attrs.get("aria-describedby")
            if c.attrs.get("aria-invalid") == "true" and ident in self.errors:
                return self.errors[ident]
        return ""


class _Reader(HTMLParser):
    """The form posting to `action`: its controls, their labels and what is said beside them."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.form: FormOnPage | None = None
        self.inside = False
        self.texts: list[list[str]] = []  # open labels and legends, their text so far
        self.legend = ""
        self.current: Control | None = None  # an open textarea
        self.error: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").split("?")[0] == self.action
            if self.inside and self.form is None:
                self.form = FormOnPage()
            return
        if not self.inside or self.form is None:
            return
        if tag == "fieldset":
            self.legend = ""
        if tag in ("label", "legend"):
            self.texts.append([])
        elif tag == "span" and "field-error" in a.get("class", ""):
            self.error = (a.get("id", ""), [])
        elif tag in ("input", "select", "textarea") and a.get("name"):
            grouped = a.get("type") in ("checkbox", "radio") and self.legend
            label = self.legend if grouped or not self.texts else "".join(self.texts[-1])
            c = Control(a["name"], tag, a, label=label.strip())
            self.form.controls.append(c)
            if tag == "textarea":
                self.current = c

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.current = None
        elif tag == "span" and self.error is not None and self.form is not None:
            self.form.errors[self.error[0]] = "".join(self.error[1])
            self.error = None
        elif tag == "fieldset":
            self.legend = ""
        elif tag in ("label", "legend") and self.texts:
            text = "".join(self.texts.pop())
            if tag == "legend":
                self.legend = text

    def handle_data(self, data: str) -> None:
        if self.error is not None:
            self.error[1].append(data)
        elif self.current is not None:
            self.current.text += data
        elif self.texts:
            self.texts[-1].append(data)


def form_on(html: str, action: str) -> FormOnPage:
    reader = _Reader(action)
    reader.feed(html)
    assert reader.form is not None, f"no form posting to {action}"
    return reader.form


def summary_of(html: str) -> str:
    """The refusal's summary at the top (the page's error)."""
    m = re.search(r'class="error" role="alert">(.*?)</p>', html, re.S)
    return m.group(1) if m else ""


def names_label(summary: str, label: str) -> bool:
    """Whether the summary names a field as its label does (a label may say more: "Countries
    (ISO codes …)" is named "Countries")."""
    return any(
        label.lower().startswith(part.split(":")[0].split(",")[0].strip().lower())
        for part in summary.split("; ")
        if ":" in part
    )


TODAY = date.today().isoformat()

# --- the forms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A page form: the page it is on and where it posts (`{x}`: made by the `made` fixture),
    who may use it, a field sent over its `limit`, and a submission missing what the form needs
    (`empty`: a required field left empty, or a value out of range, and one typed that must
    come back; None: the form needs nothing)."""

    name: str
    role: str
    page: str
    action: str
    field: str
    limit: int
    empty: dict[str, str] | None
    base: dict[str, str] = field(default_factory=dict)  # sent with both submissions
    secret: bool = False  # what was typed is never shown back (a password)
    said_by_service: bool = False  # the limit is the record schema's, not the form's


CASES = [
    Case(
        "alert",
        "investigator",
        "/alerts/new",
        "/alerts/new",
        "title",
        300,
        {"text": "Boat in distress near Lesbos"},
    ),
    Case(
        "request",
        "investigator",
        "/requests/new",
        "/requests/new",
        "subject",
        300,
        {"legal_basis": "Art. 39 CISA"},
    ),
    Case(
        "message",
        "investigator",
        "/messages/new",
        "/messages/new",
        "subject",
        300,
        {"text": "Call me back"},
    ),
    Case(
        "space",
        "investigator",
        "/spaces/new",
        "/spaces/new",
        "name",
        200,
        {"purpose_text": "Joint work on the Van crossing"},
    ),
    Case(
        "contact card",
        "investigator",
        "/directory/new",
        "/directory/new",
        "name",
        200,
        {"notes": "Night desk"},
    ),
    Case(
        "route",
        "investigator",
        "/routes/new",
        "/routes/new",
        "name",
        300,
        {"description": "Overland, by night"},
    ),
    Case(
        "route edit",
        "investigator",
        "/routes/{route}/edit",
        "/routes/{route}/edit",
        "name",
        300,
        {"stops": "", "description": "Overland, by night"},
    ),
    Case(
        "challenge",
        "investigator",
        "/challenges/new",
        "/challenges/new",
        "title",
        300,
        {"description": "Forged visas"},
    ),
    Case(
        "commitment",
        "investigator",
        "/commitments/new",
        "/commitments/new",
        "title",
        300,
        {"countries": "PK TR"},
    ),
    Case(
        "commitment action",
        "investigator",
        "/commitments/{commitment}",
        "/commitments/{commitment}/actions",
        "title",
        300,
        {"description": "Kits for Taftan"},
        said_by_service=True,
    ),
    Case(
        "action edit",
        "investigator",
        "/commitments/{commitment}/actions/{action}/edit",
        "/commitments/{commitment}/actions/{action}/edit",
        "owner",
        200,
        {"title": "", "owner": "", "description": "Kits for Taftan"},
        said_by_service=True,
    ),
    Case(
        "progress update",
        "investigator",
        "/commitments/{commitment}",
        "/commitments/{commitment}/actions/{action}/updates",
        "evidence_title",
        300,
        {"text": "", "evidence_title": "Report 14"},
        said_by_service=True,
        base={"on": TODAY, "text": "Kits delivered", "evidence_url": "https://example.org/r"},
    ),
    Case(
        "endorsement",
        "investigator",
        "/commitments/{commitment}",
        "/commitments/{commitment}/endorse",
        "note",
        2000,
        None,
        said_by_service=True,
    ),
    Case(
        "case",
        "investigator",
        "/cases",
        "/cases",
        "title",
        300,
        {"summary": "Smuggling ring at Van"},
    ),
    Case(
        "entity",
        "investigator",
        "/cases/{case}",
        "/cases/{case}/entities",
        "name",
        500,
        {"schema": "Vessel", "name": "", "more": ""},
    ),
    Case(
        "entity edit",
        "investigator",
        "/entities/{entity}",
        "/entities/{entity}/edit",
        "more",
        50_000,
        {"more": "name: Ali\nfoo: bar"},
    ),
    Case(
        "new user",
        "administrator",
        "/admin/users",
        "/admin/users",
        "email",
        320,
        {"display_name": "Nadia"},
    ),
    Case(
        "user",
        "administrator",
        "/admin/users/{user}",
        "/admin/users/{user}",
        "display_name",
        200,
        {"unit": "no-such-unit", "display_name": "Nadia"},
    ),
    Case(
        "unit",
        "administrator",
        "/admin/units",
        "/admin/units",
        "name",
        200,
        {"description": "Night shift"},
    ),
    Case(
        "sharing group",
        "administrator",
        "/admin/peers",
        "/admin/peers/groups",
        "name",
        200,
        {"description": "Aegean partners"},
    ),
    Case(
        "API token",
        "investigator",
        "/account",
        "/account/tokens",
        "name",
        200,
        {"days": "9999", "name": "import script"},
    ),
    Case(
        "password",
        "investigator",
        "/account/password",
        "/account/password",
        "current",
        1024,
        {"new": "short", "confirm": "short"},
        secret=True,
    ),
]


@pytest.fixture(scope="module")
def partner_card(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The card of a partner node (made once): the forms that share offer it."""
    result = init_node(
        tmp_path_factory.mktemp("partner") / "node", name="Jandarma Van", org="J", country="TR"
    )
    try:
        return card_text(result.node)
    finally:
        result.node.close()


Made = Callable[[Case], tuple[TestClient, str, dict[str, str]]]


@pytest.fixture
def made(node: Node, partner_card: str, make_user) -> Iterator[Made]:  # type: ignore[no-untyped-def]
    """made(case) -> a client signed in with the case's role, its CSRF token and the records
    its form changes (a route, a commitment and its action, a case, a user), made through the
    pages; the node peers with a partner."""
    with node.db.transaction() as session:
        add_peer(session, actor=CLI, own_node_id=node.id, card_file=partner_card, approve=True)
    clients: list[TestClient] = []

    def sign_in(role: str) -> tuple[TestClient, str]:
        email = f"{role}-{uuid.uuid4().hex[:6]}@test.example"
        make_user(role, email=email)
        c = TestClient(create_app(node), base_url="http://127.0.0.1:8080")
        c.__enter__()
        clients.append(c)
        assert web_login(c, email).status_code == 303
        return c, csrf_from(c.get("/account").text)

    def make(case: Case) -> tuple[TestClient, str, dict[str, str]]:
        c, csrf = sign_in(case.role)
        needs = set(re.findall(r"{(\w+)}", case.page + case.action))
        ids: dict[str, str] = {}
        # What the form changes is made by the same person when they may (a case is its
        # members'), else by an investigator.
        w, token = (c, csrf) if case.role == "investigator" else sign_in("investigator")

        def post(path: str, **data: str) -> str:
            r = w.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
            assert r.status_code == 303, r.text[-2000:]
            return str(r.headers["location"])

        if "route" in needs:
            stops = "PK | Quetta\nIR | Zahedan\nTR | Van"
            ids["route"] = post("/routes/new", name="Quetta to Van", stops=stops).split("/")[-1]
        if "commitment" in needs:
            ids["commitment"] = post(
                "/commitments/new",
                title="Verify travel documents",
                theme="fraudulent_documents",
                text="Document examination kits at every crossing.",
                adopted=(date.today() - timedelta(days=30)).isoformat(),
                countries="PK TR",
            ).split("/")[-1]
        if "action" in needs:
            ids["action"] = post(
                f"/commitments/{ids['commitment']}/actions",
                title="Kits for Taftan",
                owner="FIA Quetta",
                milestones="2027-06-30 | Train 40 officers",
            ).split("#action-")[-1]
        if needs & {"case", "entity"}:
            ids["case"] = post("/cases", reference="FIA-2026-014", title="Van ring").split("/")[-1]
        if "entity" in needs:
            made = post(f"/cases/{ids['case']}/entities", name="Ali Demir")
            ids["entity"] = made.split("/")[-1]
        if "user" in needs:
            ids["user"] = make_user("viewer").handle
        return c, csrf, ids

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _records(node: Node) -> int:
    with node.db.reading() as session:
        return session.query(StoredRecord).count()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_value_over_its_limit_comes_back_beside_its_field(case: Case, made, node) -> None:  # type: ignore[no-untyped-def]
    c, csrf, ids = made(case)
    page, action = case.page.format(**ids), case.action.format(**ids)
    before = _records(node)
    typed = "Ä" * (case.limit + 1)  # characters, not bytes, are counted
    if case.field == "email":
        typed = "a" * (case.limit - 11) + "@example.org"
    r = c.post(action, data={"csrf_token": csrf, **case.base, case.field: typed})
    assert r.status_code == 422, (r.status_code, r.text[-2000:])
    assert _records(node) == before
    form = form_on(r.text, action)
    beside = form.beside(case.field)
    assert str(case.limit) in beside, (beside, summary_of(r.text))
    assert "should have" not in r.text  # pydantic's words are not shown
    if not case.said_by_service:
        assert f"you typed {case.limit + 1}" in beside
    if not case.secret:
        assert form.value(case.field) == typed
    label = form.named(case.field)[0].label
    summary = summary_of(r.text)
    assert str(case.limit) in summary and names_label(summary, label), (summary, label)
    # The page it was posted from still shows the same form (nothing else changed).
    assert form_on(c.get(page).text, action).named(case.field)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.empty is not None],
    ids=[c.name for c in CASES if c.empty is not None],
)
def test_a_form_missing_something_names_it_and_keeps_the_rest(case: Case, made, node) -> None:  # type: ignore[no-untyped-def]
    assert case.empty is not None
    c, csrf, ids = made(case)
    action = case.action.format(**ids)
    before = _records(node)
    r = c.post(action, data={"csrf_token": csrf, **case.base, **case.empty})
    assert r.status_code == 422, (r.status_code, r.text[-2000:])
    assert _records(node) == before
    form = form_on(r.text, action)
    marked = {ctl.name for ctl in form.controls if form.beside(ctl.name)}
    assert marked, summary_of(r.text)
    summary = summary_of(r.text)
    assert "invalid body" not in summary and summary, summary
    for name in marked:
        assert names_label(summary, form.named(name)[0].label), (summary, name)
    if not case.secret:
        for name, value in case.empty.items():
            if value and form.named(name) and form.named(name)[0].tag != "select":
                assert form.value(name) == value, name


# The form models each form is read as (web.forms.typed): every limit they hold is stated by
# the page (`maxlength`), and every `maxlength` of the page is one of them.
MODELS: dict[str, tuple[type[BaseModel], ...]] = {
    "alert": (AlertForm, AmberSharingForm),
    "request": (RequestForm, AmberSharingForm),
    "message": (MessageForm, AmberSharingForm),
    "space": (SpaceForm, AmberSharingForm),
    "contact card": (ContactForm, SharingForm),
    "route": (RouteForm, SharingForm),
    "route edit": (RouteForm, SharingForm),
    "challenge": (ChallengeForm, SharingForm),
    "commitment": (CommitmentForm, SharingForm),
    "case": (CaseForm,),
    "entity": (EntityForm,),
    "entity edit": (EntityEdit,),
    "new user": (NewUser,),
    "user": (UserForm,),
    "unit": (UnitForm,),
    "sharing group": (GroupForm,),
    "API token": (TokenForm,),
    "password": (PasswordForm,),
}


def _limits(models: tuple[type[BaseModel], ...]) -> dict[str, int]:
    out = {}
    for model in models:
        for name, info in model.model_fields.items():
            for m in info.metadata:
                if getattr(m, "max_length", None) is not None:
                    out[info.alias or name] = m.max_length
    return out


@pytest.mark.parametrize("name", list(MODELS))
def test_the_page_states_the_limits_of_its_form_model(name: str, made) -> None:  # type: ignore[no-untyped-def]
    case = next(c for c in CASES if c.name == name)
    c, _csrf, ids = made(case)
    form = form_on(c.get(case.page.format(**ids)).text, case.action.format(**ids))
    limits = _limits(MODELS[name])
    typed_in = [
        ctl
        for ctl in form.controls
        if ctl.tag == "textarea"
        or (ctl.tag == "input" and ctl.attrs.get("type", "text") in ("text", "email", "password"))
    ]
    stated = {ctl.name: int(ctl.attrs["maxlength"]) for ctl in typed_in if "maxlength" in ctl.attrs}
    assert {n: limits.get(n) for n in stated} == stated
    assert {
        n: stated.get(n) for n in limits if form.named(n) and n in {x.name for x in typed_in}
    } == {n: limits[n] for n in limits if form.named(n) and n in {x.name for x in typed_in}}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_limit_the_form_states_is_the_limit_it_applies(case: Case, made) -> None:  # type: ignore[no-untyped-def]
    """maxlength on the page = the longest value the server takes: one more is refused (above),
    the limit itself is not refused for its length."""
    c, csrf, ids = made(case)
    form = form_on(c.get(case.page.format(**ids)).text, case.action.format(**ids))
    assert form.named(case.field)[0].attrs.get("maxlength") == str(case.limit)
    typed = "a" * (case.limit - 12) + "@example.org" if case.field == "email" else "a" * case.limit
    r = c.post(case.action.format(**ids), data={"csrf_token": csrf, **case.base, case.field: typed})
    assert "at most" not in (
        form_on(r.text, case.action.format(**ids)).beside(case.field)
        if r.status_code == 422
        else ""
    )


# --- addresses that name nothing --------------------------------------------------------------


def _page_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if (
            isinstance(route, APIRoute)
            and ctx.path
            and not ctx.path.startswith(("/api/", "/federation/"))
            and any(p.field_info.annotation is uuid.UUID for p in route.dependant.path_params)
        ):
            yield ctx.path, route


def _address(path: str, route: APIRoute, malformed: bool) -> str:
    for p in route.dependant.path_params:
        if p.field_info.annotation is uuid.UUID:
            value = "xyz" if malformed else str(uuid.uuid4())
        else:
            value = "x"
        path = path.replace("{" + p.name + "}", value)
    return path


def test_a_page_address_naming_nothing_is_not_found(node, make_user) -> None:  # type: ignore[no-untyped-def]
    """Every page whose address holds an id: a malformed one (`/requests/xyz`) is the normal 404
    page, as an unknown one is; a form posted to such an address too."""
    make_user("investigator", email="pages@test.example")
    app = create_app(node)
    client = TestClient(app, base_url="http://127.0.0.1:8080", raise_server_exceptions=False)
    assert web_login(client, "pages@test.example").status_code == 303
    csrf = csrf_from(client.get("/account").text)
    routes = list(_page_routes(app))
    assert ("/requests/{request_id}", "GET") in {(p, m) for p, r in routes for m in r.methods}
    failures = []
    for path, route in routes:
        for method in route.methods:
            for malformed in (True, False):
                url = _address(path, route, malformed)
                r = client.request(method, url, data={"csrf_token": csrf}, follow_redirects=False)
                said = "Not found" in r.text and "Input should be" not in r.text
                if r.status_code == 404 and said:
                    continue
                # An unknown id may also be refused first as not this person's to use (403),
                # or a form acting on it go back to its page with why not (303).
                if malformed or r.status_code not in (303, 403):
                    failures.append(f"{method} {url} -> {r.status_code}")
    assert failures == [], "\n".join(failures)


def test_the_api_keeps_naming_a_malformed_id(client, token_for) -> None:  # type: ignore[no-untyped-def]
    """The API's contract: a parameter it cannot read is 422 with the parameter named (a
    problem+json), as for every parameter; an unknown id is 404."""
    h = token_for("investigator", ("read", "write"))
    r = client.get("/api/v1/requests/xyz", headers=h)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"] == ["path", "request_id"]
    r = client.get(f"/api/v1/requests/{uuid.uuid4()}", headers=h)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_a_form_read_field_by_field_goes_back_to_its_page_with_why_not(made) -> None:  # type: ignore[no-untyped-def]
    """A form a page acts with, its fields read one by one (a case's task): over a limit, back
    to the page it was posted from with the mistake in plain words (as any refusal of such a
    form); with no page to go back to, the mistake on a page of its own, at 422."""
    case = next(c for c in CASES if c.name == "entity")
    c, csrf, ids = made(case)
    page = f"http://127.0.0.1:8080/cases/{ids['case']}"
    data = {"csrf_token": csrf, "title": "x" * (MAX_TASK_TITLE + 1)}
    action = f"/cases/{ids['case']}/tasks"
    r = c.post(action, data=data, headers={"referer": page}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{ids['case']}"
    said = f"Title: at most {MAX_TASK_TITLE} characters (you typed {MAX_TASK_TITLE + 1})"
    shown = c.get(r.headers["location"]).text
    assert said in shown
    # Said as an alert marked refused: the page's script puts back what was typed.
    assert re.search(
        r'<p class="flash error" role="alert" data-refused="1">[^<]*' + re.escape(said), shown
    )
    for referer in ({}, {"referer": "http://127.0.0.1:8080/account/totp/begin"}):
        r = c.post(action, data=data, headers=referer, follow_redirects=False)
        assert r.status_code == 422 and said in r.text and "body.title" not in r.text


def test_an_empty_request_to_a_partner_names_each_missing_field(made, node) -> None:  # type: ignore[no-untyped-def]
    """The request's record body refuses it (not "invalid body for record type rfa"): each
    field it misses is named as the form labels it, beside that field."""
    case = next(c for c in CASES if c.name == "request")
    c, csrf, _ids = made(case)
    form = form_on(c.get("/requests/new").text, "/requests/new")
    partner = form.named("to")[0].attrs["value"]
    r = c.post("/requests/new", data={"csrf_token": csrf, "to": partner, "legal_basis": "Art. 39"})
    assert r.status_code == 422
    form = form_on(r.text, "/requests/new")
    assert form.beside("subject") == "required" and form.beside("text") == "required"
    summary = summary_of(r.text)
    assert "invalid body" not in summary
    assert "Subject: required" in summary and "Request: required" in summary
    assert form.value("legal_basis") == "Art. 39"
    assert [ctl.attrs.get("checked") for ctl in form.named("to")] == [""]
