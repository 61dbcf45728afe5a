"""The directory in the web UI: search the network's contact points (results refresh when a
partner's card arrives), a card's detail with who is on duty now, and the form that publishes,
changes and withdraws this node's cards (the same service as the REST API). The form's text
formats (hours, rota, channels, languages) are read and written by `forms`."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.directory import service as directory
from corridor.cooperation.directory.forms import FIELD_LABELS, SPLIT, ContactForm, parse_languages
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
from corridor.errors import InvalidInput
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.keys import NodeKeys
from corridor.node.service import Node
from corridor.security.principal import Principal
from corridor.web.auth import node_of
from corridor.web.own_records import OwnRecords
from corridor.web.params import PageAuth
from corridor.web.render import activate_locale, live_list, own_label, page
from corridor.web.sharing import SharingForm

router = APIRouter(include_in_schema=False, prefix="/directory")


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


def _search(request: Request, auth: PageAuth, params: Search) -> dict[str, Any]:
    activate_locale(request, auth)
    f, errors, chosen = _filters(**params)
    node = node_of(request)
    with node.db.reading() as session:
        found = directory.search(session, node.id, actor=auth.principal, filters=f)
        names = node_names(session, node.id, own_label(request))
    return {
        "items": found,
        "names": names,
        "chosen": chosen,
        "errors": errors,
        "now": clock.now(),
        **_vocabularies(),
    }


live_list(
    router,
    "cooperation/directory/index.html",
    "cooperation/directory/_results.html",
    _search,
    rows_path="/_results",
)


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


def _save_card(
    session: Session, node: Node, *, record_id: uuid.UUID | None, **card: Any
) -> dict[str, Any]:
    country = node.config.country
    if record_id is None:
        return directory.publish(session, node.keys, country=country, **card)
    return directory.update(session, node.keys, contact_id=record_id, country=country, **card)


def _get_card(
    session: Session, node_id: str, *, actor: Principal, record_id: uuid.UUID
) -> dict[str, Any]:
    return directory.get(session, node_id, actor=actor, contact_id=record_id)


def _withdraw_card(
    session: Session, keys: NodeKeys, *, actor: Principal, record_id: uuid.UUID, reason: str
) -> object:
    reason = reason.strip() or "withdrawn by its node"
    return directory.withdraw(session, keys, actor=actor, contact_id=record_id, reason=reason)


CARD_FORMS = OwnRecords(
    path="/directory",
    template="cooperation/directory/form.html",
    permission="records.write",
    get=_get_card,
    save=_save_card,
    withdrawal=_withdraw_card,
    peers=approved_peers,
    blank=lambda node: ContactForm(country=node.config.country, active="1"),
    of_body=ContactForm.of_body,
    recorded=N_("Contact card published."),
    updated=N_("Contact card updated (version %(v)d)."),
    withdrawn=N_("Contact card withdrawn: every partner node that holds it purges it."),
    gone=N_("this contact card was withdrawn"),
    not_ours=N_("only the node that published a contact card may change it"),
    context=lambda _session, _node, _auth: {"timezones": sorted(timezones()), **_vocabularies()},
    # A directory is network-wide: every approved peer unless the author unticks some.
    addressed=lambda peers: SharingForm(to={p.node_id for p in peers}),
    fields=FIELD_LABELS,
)
CARD_FORMS.mount(router, ContactForm)


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
            "can_edit": CARD_FORMS.can_edit(env, node.id, auth),
            **_vocabularies(),
        },
    )
