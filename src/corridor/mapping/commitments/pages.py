"""Thematic commitments in the web UI: the list by theme, a commitment with its endorsements and
every member's actions, progress updates, the network dashboard and the per-country scorecards.

The pages call the same services as /api/v1/commitments (commitments/service.py), so the rules
are the ones the API enforces: only this node's own actions can be changed or reported on,
milestones fall within the commitment's period, updates are never dated in the future. Every
form goes through web.forms.save_form: on a refusal the page comes back with the error and what
was typed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from corridor import clock, countries
from corridor.errors import CorridorError, InvalidInput, PermissionDenied
from corridor.federation.peers import node_countries, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping.commitments import service as cm
from corridor.mapping.commitments.display import (
    chart_specs,
    country_label,
    decorate,
    pct,
    pct_value,
    stamp,
)
from corridor.mapping.commitments.forms import (
    CommitmentForm,
    action_fields,
    aligned,
    build_indicators,
    build_milestones,
    check_removals,
    indicator_rows,
    milestone_rows,
    parse_day,
    parse_indicator_lines,
    parse_milestone_lines,
    parse_number,
    rows_of,
    typed_rows,
    update_evidence,
    with_blank_rows,
)
from corridor.mapping.commitments.progress import Portfolio
from corridor.mapping.commitments.records import ACTION, COMMITMENT
from corridor.mapping.forms import LongText, Text
from corridor.mapping.pages import mapping_records
from corridor.mapping.schemas import THEMES
from corridor.node.service import Node
from corridor.records.owned import get_record
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form
from corridor.web.own_records import REFUSED, OwnRecords
from corridor.web.params import PageAuth
from corridor.web.render import own_label, page, redirect

router = APIRouter(include_in_schema=False, prefix="/commitments")
Column = Annotated[list[str] | None, Form()]  # a field sent once per row of the edit form

S = TypeVar("S")


def _helpers(node: Node, names: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "themes": THEMES,
        "pct": pct,
        "pct_value": pct_value,
        "stamp": stamp,
        "country_name": country_label,
        "names": names or {},
        "own_name": node.config.name,
    }


# --- the list --------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def index(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        summaries = Portfolio(session, node.id, auth.principal).summaries()
        names = node_names(session, node.id, own_label(request))
    # Portfolio sorts by THEMES order: the four thematic areas come first.
    groups = [(t, [s for s in summaries if s["theme"] == t]) for t in THEMES]
    return page(
        request,
        "mapping/commitments/index.html",
        {
            **_helpers(node, names),
            "groups": [(t, items) for t, items in groups if items],
            "can_write": auth.principal.has("mapping.write"),
        },
    )


# --- a new commitment ------------------------------------------------------------------------


COMMITMENT_FORMS = OwnRecords(
    path="/commitments",
    template="mapping/commitments/new.html",
    blank=lambda _node: CommitmentForm(adopted=clock.now().date().isoformat()),
    of_body=CommitmentForm.of_body,
    recorded=N_("Commitment recorded."),
    updated=N_("Commitment updated (version %(v)d)."),
    context=lambda _session, node, _auth: _helpers(node),
    refused=REFUSED,
    passed_on=(PermissionDenied,),
    **mapping_records(COMMITMENT, cm.save_commitment),
)


COMMITMENT_FORMS.mount_new(router, CommitmentForm)


# --- the dashboard and the scorecards ---------------------------------------------------------


def _dashboard(request: Request, auth: Auth) -> tuple[dict[str, Any], dict[str, str]]:
    node = node_of(request)
    with node.db.reading() as session:
        country_of = node_countries(session, node.id, node.config.country)
        data = Portfolio(session, node.id, auth.principal).dashboard(country_of)
        names = node_names(session, node.id, own_label(request))
    return data, names


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    data, names = _dashboard(request, auth)
    return page(
        request,
        "mapping/commitments/dashboard.html",
        {**_helpers(node, names), "data": data, "charts": chart_specs(data, names)},
    )


@router.get("/scorecard", response_class=HTMLResponse)
def scorecards(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    data, names = _dashboard(request, auth)
    # One row per country (a country may run several member nodes).
    by_country: dict[str, dict[str, Any]] = {}
    for m in data["members"]:
        row = by_country.setdefault(
            m["country"],
            {"country": m["country"], "members": [], "actions": 0, "overdue": 0},
        )
        row["members"].append(names.get(m["origin"], m["origin"]))
        row["actions"] += m["actions"]
        row["overdue"] += m["overdue"]
    rows = sorted(by_country.values(), key=lambda r: country_label(r["country"]))
    return page(
        request,
        "mapping/commitments/scorecards.html",
        {**_helpers(node, names), "countries": rows},
    )


@router.get("/scorecard/{country}", response_class=HTMLResponse)
def scorecard(request: Request, auth: PageAuth, country: str) -> Response:
    node = node_of(request)
    cc = countries.normalise(country)
    if cc != country:
        return redirect(request, f"/commitments/scorecard/{cc}")
    today = clock.now().date()
    with node.db.reading() as session:
        card = Portfolio(session, node.id, auth.principal).scorecard(cc)
        names = node_names(session, node.id, own_label(request))
    for row in card["commitments"]:
        row["actions"] = [decorate(a, today) for a in row["actions"]]
    return page(
        request,
        "mapping/commitments/scorecard.html",
        {**_helpers(node, names), "card": card},
    )


# --- one commitment --------------------------------------------------------------------------


def _detail(
    request: Request,
    auth: Auth,
    commitment_id: uuid.UUID,
    *,
    status: int = 200,
    failed: dict[str, Any] | None = None,
) -> HTMLResponse:
    node = node_of(request)
    today = clock.now().date()
    with node.db.transaction() as session:
        detail = cm.commitment_detail(
            session, node.id, actor=auth.principal, commitment_id=commitment_id
        )
        bodies = {
            a["id"]: get_record(
                session, node.id, actor=auth.principal, type=ACTION, record_id=uuid.UUID(a["id"])
            ).get("body")
            or {}
            for a in detail["action_items"]
        }
        names = node_names(session, node.id, own_label(request))
    actions = [decorate(a, today, bodies[a["id"]]) for a in detail["action_items"]]
    by_country: dict[str, list[dict[str, Any]]] = {}
    for a in actions:
        by_country.setdefault(a["country"], []).append(a)
    can_write = auth.principal.has("mapping.write")
    if failed and failed.get("action") and failed["action"] not in bodies:
        # The action is not on the page (withdrawn, or never visible): say so at the top.
        failed = {**failed, "kind": "general"}
    return page(
        request,
        "mapping/commitments/detail.html",
        {
            **_helpers(node, names),
            "c": detail,
            "by_country": sorted(by_country.items(), key=lambda kv: country_label(kv[0])),
            "can_write": can_write,
            "may_endorse": can_write and node.id not in detail["endorsed_by"],
            "today": today.isoformat(),
            "failed": failed or {},
        },
        status=status,
    )


@router.get("/{commitment_id}", response_class=HTMLResponse)
def detail(request: Request, auth: PageAuth, commitment_id: uuid.UUID) -> HTMLResponse:
    return _detail(request, auth, commitment_id)


def _on_detail(
    request: Request,
    auth: Auth,
    commitment_id: uuid.UUID,
    *,
    save: Callable[[Session, Node], S],
    done: Callable[[S], tuple[str, str]],
    failed: dict[str, Any],
    refused: tuple[type[Exception], ...] = REFUSED,
) -> Response:
    """A form of a commitment's page (endorse, add an action, post an update): saved, or the
    page again with the error beside that form (`failed`: which form, and what was typed)."""

    def again(*, error: str, status: int) -> Response:
        return _detail(
            request, auth, commitment_id, status=status, failed={**failed, "error": error}
        )

    return save_form(request, auth, save=save, done=done, again=again, refused=refused)


def _action_saved(
    auth: Auth,
    commitment_id: uuid.UUID,
    fields: Callable[[], dict[str, Any]],
    action_id: uuid.UUID | None = None,
) -> Callable[[Session, Node], dict[str, Any]]:
    """The save of an action form: a new action, or (with `action_id`) a new version of one of
    this node's. `fields` reads the form in the transaction, so its mistakes are refusals."""

    def save(session: Session, node: Node) -> dict[str, Any]:
        return cm.save_action(
            session,
            node.keys,
            actor=auth.principal,
            commitment_id=commitment_id,
            fields=fields(),
            node_country=node.config.country,
            action_id=action_id,
        )

    return save


@router.post("/{commitment_id}/endorse", response_class=HTMLResponse)
def endorse(
    request: Request,
    auth: PageAuth,
    commitment_id: uuid.UUID,
    note: LongText = "",
) -> Response:
    def save(session: Session, node: Node) -> object:
        return cm.endorse(
            session,
            node.keys,
            actor=auth.principal,
            commitment_id=commitment_id,
            note=note.strip() or None,
        )

    def done(_saved: object) -> tuple[str, str]:
        name = node_of(request).config.name
        return f"/commitments/{commitment_id}", _("Endorsed on behalf of %(node)s.") % {
            "node": name
        }

    return _on_detail(
        request,
        auth,
        commitment_id,
        save=save,
        done=done,
        failed={"kind": "endorse", "form": {"note": note}},
        refused=(CorridorError,),
    )


@router.post("/{commitment_id}/actions", response_class=HTMLResponse)
def add_action(
    request: Request,
    auth: PageAuth,
    commitment_id: uuid.UUID,
    title: Text = "",
    owner: Text = "",
    description: LongText = "",
    milestones: LongText = "",
    indicators: LongText = "",
) -> Response:
    def fields() -> dict[str, Any]:
        new_milestones = build_milestones(parse_milestone_lines(milestones), [])
        new_indicators = build_indicators(parse_indicator_lines(indicators), [])
        return action_fields(title, owner, description, new_milestones, new_indicators)

    def done(env: dict[str, Any]) -> tuple[str, str]:
        return f"/commitments/{commitment_id}#action-{env['id']}", _("Action added.")

    form = {
        "title": title,
        "owner": owner,
        "description": description,
        "milestones": milestones,
        "indicators": indicators,
    }
    save = _action_saved(auth, commitment_id, fields)
    return _on_detail(
        request, auth, commitment_id, save=save, done=done, failed={"kind": "action", "form": form}
    )


@router.post("/{commitment_id}/actions/{action_id}/updates", response_class=HTMLResponse)
def post_update(
    request: Request,
    auth: PageAuth,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    on: Annotated[str, Form(max_length=10)] = "",
    text: LongText = "",
    indicator: Column = None,
    value: Column = None,
    milestones_done: Column = None,
    evidence_title: Text = "",
    evidence_url: LongText = "",
) -> Response:
    def save(session: Session, node: Node) -> object:
        if not text.strip():  # said beside the field (the record would name updates.N.text)
            raise InvalidInput(_("text: say what was done"))
        values = {
            iid: parse_number(v, iid)
            for iid, v in aligned(indicator or [], value or [])
            if v.strip()
        }
        evidence = update_evidence(evidence_title, evidence_url)
        return cm.post_update(
            session,
            node.keys,
            actor=auth.principal,
            commitment_id=commitment_id,
            action_id=action_id,
            on=parse_day(on, _("date")),
            text=text,
            values=values,
            milestones_done=milestones_done or [],
            evidence=evidence,
        )

    def done(_saved: object) -> tuple[str, str]:
        return f"/commitments/{commitment_id}#action-{action_id}", _("Progress update posted.")

    form = {
        "on": on,
        "text": text,
        "values": dict(zip(indicator or [], value or [], strict=False)),
        "milestones_done": milestones_done or [],
        "evidence_title": evidence_title,
        "evidence_url": evidence_url,
    }
    return _on_detail(
        request,
        auth,
        commitment_id,
        save=save,
        done=done,
        failed={"kind": "update", "action": str(action_id), "form": form},
    )


# --- editing one of this node's actions -------------------------------------------------------


def _own_action_body(
    request: Request, auth: Auth, commitment_id: uuid.UUID, action_id: uuid.UUID
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The commitment's summary and this node's action (403 for a partner's action)."""
    node = node_of(request)
    with node.db.transaction() as session:
        detail = cm.commitment_detail(
            session, node.id, actor=auth.principal, commitment_id=commitment_id
        )
        env = get_record(session, node.id, actor=auth.principal, type=ACTION, record_id=action_id)
    body = env.get("body") or {}
    if body.get("commitment") != str(commitment_id):
        raise InvalidInput(_("this action belongs to another commitment"))
    if env["origin"] != node.id:
        raise PermissionDenied(_("only the node that owns the action changes it"))
    return detail, body


def _edit_form(
    request: Request,
    auth: Auth,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    auth.principal.require("mapping.write")
    node = node_of(request)
    detail, body = _own_action_body(request, auth, commitment_id, action_id)
    if form is None:
        form = {
            "title": body["title"],
            "owner": body["owner"],
            "description": body.get("description") or "",
            **rows_of(body),
        }
    return page(
        request,
        "mapping/commitments/edit_action.html",
        {
            **_helpers(node),
            "c": detail,
            "action_id": str(action_id),
            "form": with_blank_rows(form),
            "error": error,
        },
        status=status,
    )


@router.get("/{commitment_id}/actions/{action_id}/edit", response_class=HTMLResponse)
def edit_action(
    request: Request, auth: PageAuth, commitment_id: uuid.UUID, action_id: uuid.UUID
) -> HTMLResponse:
    return _edit_form(request, auth, commitment_id, action_id)


@router.post("/{commitment_id}/actions/{action_id}/edit", response_class=HTMLResponse)
def save_action(
    request: Request,
    auth: PageAuth,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    title: Text = "",
    owner: Text = "",
    description: LongText = "",
    m_id: Column = None,
    m_due: Column = None,
    m_title: Column = None,
    i_id: Column = None,
    i_name: Column = None,
    i_unit: Column = None,
    i_baseline: Column = None,
    i_target: Column = None,
) -> Response:
    auth.principal.require("mapping.write")
    body = _own_action_body(request, auth, commitment_id, action_id)[1]
    m_cols = [m_id or [], m_due or [], m_title or []]
    i_cols = [i_id or [], i_name or [], i_unit or [], i_baseline or [], i_target or []]

    def fields() -> dict[str, Any]:
        milestones = build_milestones(milestone_rows(*m_cols), body.get("milestones", []))
        indicators = build_indicators(indicator_rows(*i_cols), body.get("indicators", []))
        check_removals(body, milestones, indicators)
        country = body["country"]
        return action_fields(title, owner, description, milestones, indicators, country=country)

    def again(*, error: str, status: int) -> Response:
        form = {"title": title, "owner": owner, "description": description}
        return _edit_form(
            request,
            auth,
            commitment_id,
            action_id,
            form={**form, **typed_rows(m_cols, i_cols)},
            error=error,
            status=status,
        )

    def done(_saved: object) -> tuple[str, str]:
        return f"/commitments/{commitment_id}#action-{action_id}", _("Action saved.")

    save = _action_saved(auth, commitment_id, fields, action_id)
    return save_form(
        request,
        auth,
        save=save,
        done=done,
        again=again,
        refused=REFUSED,
        passed_on=(PermissionDenied,),
    )
