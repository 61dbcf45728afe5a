"""The directory in the web UI: search the network's contact points (results refresh when a
partner's card arrives), a card's detail with who is on duty now, and the form that publishes,
changes and withdraws this node's cards (the same service as the REST API). The form's text
formats (hours, rota, channels, languages) are read and written by `forms`."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.directory import service as directory
from corridor.cooperation.directory.forms import (
    SPLIT,
    card_body,
    channels_text,
    error_text,
    hours_text,
    parse_languages,
    rota_text,
)
from corridor.cooperation.directory.models import ContactRow
from corridor.cooperation.directory.schemas import (
    CHANNELS,
    DAY_LABELS,
    EXPERTISE,
    KINDS,
    language_name,
    timezones,
)
from corridor.countries import country_name, normalise
from corridor.errors import CorridorError, InvalidInput, NotFound, PermissionDenied
from corridor.federation.models import Peer
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.records.groups import list_groups
from corridor.records.labels import PURPOSES, TLP_LEVELS
from corridor.web.auth import Auth, node_of
from corridor.web.params import PageAuth
from corridor.web.render import activate_locale, own_label, page, redirect
from corridor.web.sharing import form_labels

router = APIRouter(include_in_schema=False, prefix="/directory")
# Form fields are capped above what the record schema allows, so an over-long value is reported
# on the re-rendered form by the schema rather than refused as a malformed request.
Text = Annotated[str, Form(max_length=1000)]
LongText = Annotated[str, Form(max_length=100_000)]
Checked = Annotated[list[str] | None, Form()]


WHY_LABELS: dict[str, str] = {
    "always": N_("24/7"),
    "hours": N_("within office hours"),
    "rota": N_("on duty"),
}
# --- search -------------------------------------------------------------------------------------


def _filters(
    expertise: list[str],
    country: str,
    language: str,
    q: str,
    available_now: str,
    origin: str,
) -> tuple[directory.Filters, list[str], dict[str, Any]]:
    """The search form as filters; a mistake is shown on the page and its filter ignored."""
    errors = []
    chosen_expertise = tuple(e for e in expertise if e in EXPERTISE)
    if len(chosen_expertise) != len(expertise):
        errors.append(_("Expertise: unknown value ignored"))
    countries: list[str] = []
    for code in (c for c in SPLIT.split(country) if c):
        try:
            countries.append(normalise(code))
        except InvalidInput as exc:
            errors.append(_("Country: %(error)s") % {"error": exc.detail})
    languages: list[str] = []
    try:
        languages = parse_languages(language)
    except InvalidInput as exc:
        errors.append(exc.detail)
    node_origin = origin if re.fullmatch(r"[a-z2-7]{26}", origin) else None
    f = directory.Filters(
        expertise=chosen_expertise,
        countries=tuple(countries),
        languages=tuple(languages),
        text=q.strip(),
        available_now=available_now in ("1", "true", "on"),
        origin=node_origin,
        include_inactive=node_origin is not None,
    )
    echo = {
        "expertise": list(chosen_expertise),
        "country": country,
        "language": language,
        "q": q,
        "available_now": "1" if f.available_now else "",
        "origin": node_origin or "",
    }
    query = urlencode({k: v for k, v in echo.items() if v}, doseq=True)
    return f, errors, {**echo, "query": query}


SearchParams = dict[str, Any]


def search_params(
    expertise: Annotated[list[str] | None, Query(max_length=20)] = None,
    country: Annotated[str, Query(max_length=200)] = "",
    language: Annotated[str, Query(max_length=200)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    available_now: Annotated[str, Query(max_length=8)] = "",
    origin: Annotated[str, Query(max_length=64)] = "",
) -> SearchParams:
    return {
        "expertise": expertise or [],
        "country": country,
        "language": language,
        "q": q,
        "available_now": available_now,
        "origin": origin,
    }


Search = Annotated[SearchParams, Depends(search_params)]


def _search_page(request: Request, auth: Auth, params: SearchParams, template: str) -> HTMLResponse:
    activate_locale(request, auth)
    f, errors, chosen = _filters(**params)
    node = node_of(request)
    with node.db.reading() as session:
        found = directory.search(session, node.id, actor=auth.principal, filters=f)
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        template,
        {
            "items": found,
            "names": names,
            "chosen": chosen,
            "errors": errors,
            "now": clock.now(),
            **_vocabularies(),
        },
    )


@router.get("", response_class=HTMLResponse)
def index(request: Request, auth: PageAuth, params: Search) -> HTMLResponse:
    return _search_page(request, auth, params, "cooperation/directory/index.html")


@router.get("/_results", response_class=HTMLResponse)
def results(request: Request, auth: PageAuth, params: Search) -> HTMLResponse:
    return _search_page(request, auth, params, "cooperation/directory/_results.html")


def _vocabularies() -> dict[str, Any]:
    return {
        "expertise_labels": EXPERTISE,
        "kinds": KINDS,
        "channel_labels": CHANNELS,
        "day_labels": DAY_LABELS,
        "why_labels": WHY_LABELS,
        "country_name": country_name,
        "language_name": language_name,
        "summary_of": directory.summary_of,
    }


# --- a card -------------------------------------------------------------------------------------


@router.get("/new", response_class=HTMLResponse)
def new(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("records.write")
    return _form_page(request, auth)


@router.get("/{contact_id}", response_class=HTMLResponse)
def detail(request: Request, auth: PageAuth, contact_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    now = clock.now()
    with node.db.transaction() as session:
        env = directory.get(session, node.id, actor=auth.principal, contact_id=contact_id)
        row = session.get(ContactRow, contact_id)
        names = node_names(session, node.id, own_label(request))
    body = env.get("body") or {}
    avail = directory.availability(row, now) if row is not None else None
    rota = (body.get("availability") or {}).get("rota", [])
    upcoming = [s for s in rota if clock.parse(s["to"]) > now]
    return page(
        request,
        "cooperation/directory/detail.html",
        {
            "e": env,
            "b": body,
            "row": row,
            "avail": avail,
            "upcoming": upcoming,
            "names": names,
            "own": env["origin"] == node.id,
            "can_edit": env["origin"] == node.id
            and bool(body)
            and auth.principal.has("records.write"),
            **_vocabularies(),
        },
    )


# --- the form -----------------------------------------------------------------------------------


def _sharing(session: Session, auth: Auth) -> dict[str, Any]:
    return {
        "peers": approved_peers(session),
        "groups": list_groups(session),
        "purposes": [p for p in PURPOSES if p in auth.principal.purposes],
        "tlps": TLP_LEVELS,
    }


def _empty_form(country: str, peers: list[Peer]) -> dict[str, Any]:
    return {
        "kind": "person",
        "name": "",
        "role": "",
        "unit": "",
        "country": country,
        "languages": "",
        "expertise": set(),
        "always": False,
        "timezone": "",
        "hours": "",
        "rota": "",
        "channels": "",
        "notes": "",
        "active": True,
        # A directory is network-wide: every approved peer unless the author unticks some.
        "to": {p.node_id for p in peers},
        "tlp": "GREEN",
        "handling": "H0",
        "handling_note": "",
        "purpose": "cooperation",
        "recipients": "",
    }


def _form_of(envelope: dict[str, Any]) -> dict[str, Any]:
    body = envelope["body"]
    avail = body.get("availability") or {}
    labels = envelope["labels"]
    audience = envelope.get("audience") or {}
    return {
        "kind": body["kind"],
        "name": body["name"],
        "role": body.get("role") or "",
        "unit": body.get("unit") or "",
        "country": body["country"],
        "languages": ", ".join(body.get("languages", [])),
        "expertise": set(body.get("expertise", [])),
        "always": bool(avail.get("always")),
        "timezone": avail.get("timezone") or "",
        "hours": hours_text(avail.get("hours", [])),
        "rota": rota_text(avail.get("rota", [])),
        "channels": channels_text(body.get("channels", [])),
        "notes": body.get("notes") or "",
        "active": bool(body.get("active", True)),
        "to": set(audience.get("nodes", [])) | set(audience.get("groups", [])),
        "tlp": labels.get("tlp", "GREEN"),
        "handling": labels.get("handling", "H0"),
        "handling_note": labels.get("handling_note") or "",
        "purpose": labels.get("purpose", "cooperation"),
        "recipients": " ".join(labels.get("recipients", [])),
    }


def _form_page(
    request: Request,
    auth: Auth,
    *,
    envelope: dict[str, Any] | None = None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        sharing = _sharing(session, auth)
    if form is None:
        form = (
            _form_of(envelope) if envelope else _empty_form(node.config.country, sharing["peers"])
        )
    return page(
        request,
        "cooperation/directory/form.html",
        {
            "record": envelope,
            "form": form,
            "error": error,
            "action": f"/directory/{envelope['id']}/edit" if envelope else "/directory/new",
            "timezones": sorted(timezones()),
            **sharing,
            **_vocabularies(),
        },
        status=status,
    )


SHARING_FIELDS = ("tlp", "handling", "handling_note", "purpose", "recipients")


def _owned(envelope: dict[str, Any], node_id: str) -> None:
    if envelope.get("body") is None:
        raise NotFound(_("this contact card was withdrawn"))
    if envelope["origin"] != node_id:
        raise PermissionDenied(_("only the node that published a contact card may change it"))


def _save(
    request: Request, auth: Auth, contact_id: uuid.UUID | None, form: dict[str, Any]
) -> Response:
    activate_locale(request, auth)
    auth.principal.require("records.write")
    node = node_of(request)
    envelope = None
    try:
        with node.db.transaction() as session:
            if contact_id is not None:
                envelope = directory.get(
                    session, node.id, actor=auth.principal, contact_id=contact_id
                )
                # A partner's card is refused before its form is even read.
                _owned(envelope, node.id)
            body = card_body(form)
            labels = form_labels(
                **{k: form[k] for k in SHARING_FIELDS},
                before=envelope["labels"] if envelope else None,
            )
            to = sorted(form["to"])
            if contact_id is None:
                saved = directory.publish(
                    session,
                    node.keys,
                    actor=auth.principal,
                    body=body,
                    country=node.config.country,
                    labels=labels,
                    to=to,
                )
            else:
                saved = directory.update(
                    session,
                    node.keys,
                    actor=auth.principal,
                    contact_id=contact_id,
                    body=body,
                    country=node.config.country,
                    labels=labels,
                    to=to,
                )
    except InvalidInput as exc:
        return _form_page(
            request, auth, envelope=envelope, form=form, error=error_text(exc), status=422
        )
    message = (
        _("Contact card published.")
        if contact_id is None
        else _("Contact card updated (version %(v)d).") % {"v": saved["version"]}
    )
    return redirect(request, f"/directory/{saved['id']}", message)


def contact_form(
    kind: Annotated[str, Form(max_length=10)] = "person",
    name: Text = "",
    role: Text = "",
    unit: Text = "",
    country: Annotated[str, Form(max_length=64)] = "",
    languages: Text = "",
    expertise: Checked = None,
    always: Annotated[str, Form(max_length=8)] = "",
    timezone: Annotated[str, Form(max_length=100)] = "",
    hours: LongText = "",
    rota: LongText = "",
    channels: LongText = "",
    notes: Annotated[str, Form(max_length=20_000)] = "",
    active: Annotated[str, Form(max_length=8)] = "",
    to: Checked = None,
    tlp: Annotated[str, Form(max_length=16)] = "GREEN",
    handling: Annotated[str, Form(max_length=4)] = "H0",
    handling_note: Text = "",
    purpose: Annotated[str, Form(max_length=32)] = "cooperation",
    recipients: Annotated[str, Form(max_length=4000)] = "",
) -> dict[str, Any]:
    """The posted form, kept as typed so an error can show it back."""
    return {
        "kind": kind,
        "name": name,
        "role": role,
        "unit": unit,
        "country": country,
        "languages": languages,
        "expertise": set(expertise or []),
        "always": bool(always),
        "timezone": timezone,
        "hours": hours,
        "rota": rota,
        "channels": channels,
        "notes": notes,
        "active": bool(active),
        "to": set(to or []),
        "tlp": tlp,
        "handling": handling,
        "handling_note": handling_note,
        "purpose": purpose,
        "recipients": recipients,
    }


ContactForm = Annotated[dict[str, Any], Depends(contact_form)]


@router.post("/new", response_class=HTMLResponse)
def create(request: Request, auth: PageAuth, form: ContactForm) -> Response:
    return _save(request, auth, None, form)


@router.get("/{contact_id}/edit", response_class=HTMLResponse)
def edit(request: Request, auth: PageAuth, contact_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require("records.write")
    node = node_of(request)
    with node.db.transaction() as session:
        env = directory.get(session, node.id, actor=auth.principal, contact_id=contact_id)
    _owned(env, node.id)
    return _form_page(request, auth, envelope=env)


@router.post("/{contact_id}/edit", response_class=HTMLResponse)
def update(request: Request, auth: PageAuth, contact_id: uuid.UUID, form: ContactForm) -> Response:
    return _save(request, auth, contact_id, form)


@router.post("/{contact_id}/withdraw")
def withdraw(
    request: Request,
    auth: PageAuth,
    contact_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    activate_locale(request, auth)
    auth.principal.require("records.write")
    node = node_of(request)
    back = f"/directory/{contact_id}"
    try:
        with node.db.transaction() as session:
            directory.withdraw(
                session,
                node.keys,
                actor=auth.principal,
                contact_id=contact_id,
                reason=reason.strip() or "withdrawn by its node",
            )
    except CorridorError as exc:
        return redirect(request, back, exc.detail)
    return redirect(
        request, back, _("Contact card withdrawn: every partner node that holds it purges it.")
    )
