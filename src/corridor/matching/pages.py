"""Hit/no-hit in the web UI: check one selector or a list or a whole case across the network,
see which partners hold a match and ask them with one click (a request for assistance with the
handle filled in); follow a long check's progress; see the partners' hits on our data; switch
a case's automatic checks of its new entities."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from corridor.entities.cases import matching as cases
from corridor.errors import InvalidInput
from corridor.federation.models import Peer
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.matching import runs, service
from corridor.matching.schemas import SelectorIn
from corridor.node.service import Node
from corridor.web.auth import Auth, node_of
from corridor.web.forms import act_form
from corridor.web.params import PageAuth
from corridor.web.refusals import FormFields, Refusal
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False, prefix="/matching")
PERMISSION = "matching.check"

TYPE_LABELS = {
    "phone": N_("Phone number"),
    "email": N_("E-mail address"),
    "document": N_("Document number"),
    "account": N_("Bank account or IBAN"),
    "imei": N_("IMEI"),
    "imsi": N_("IMSI"),
    "iccid": N_("SIM card number (ICCID)"),
    "imo": N_("IMO number"),
    "mmsi": N_("MMSI"),
    "plate": N_("Vehicle plate"),
    "handle": N_("Online handle"),
    "name": N_("Person's name"),
}
LEVEL_LABELS = {"exact": N_("exact"), "name": N_("name")}
FIELDS = FormFields.of(
    ["type", "value", "country", "birth_year", "lines", "case", "selectors"],
    {
        "type": N_("Type"),
        "value": N_("Value"),
        "country": N_("Country"),
        "birth_year": N_("Birth year"),
        "lines": N_("List"),
        "case": N_("Case"),
        "selectors": N_("Selector"),
    },
)
Text = Annotated[str, Form(max_length=300)]


def guess_type(text: str) -> str:
    """What a search box's words most likely are: an e-mail address, a phone number (mostly
    digits), else a person's name."""
    if "@" in text:
        return "email"
    digits = sum(ch.isdigit() for ch in text)
    return "phone" if digits >= 7 and digits >= 0.7 * len(text.replace(" ", "")) else "name"


def _peer_names(node: Node) -> dict[str, str]:
    with node.db.reading() as session:
        return {p.node_id: f"{p.name} ({p.country})" for p in session.scalars(select(Peer))}


def request_link(hits: list[dict[str, str]], names: dict[str, str]) -> str:
    """The request for assistance to the partner that holds a match (`hits`: that partner's
    hits of one selector), its handles filled in."""
    what = ", ".join(dict.fromkeys(_(TYPE_LABELS.get(h["type"], h["type"])) for h in hits))
    handles = ", ".join(dict.fromkeys(h["handle"] for h in hits))
    params = {
        "to": hits[0]["node"],
        "purpose": "enforcement",
        "subject": _("Hit/no-hit: %(what)s, handle %(handle)s") % {"what": what, "handle": handles},
        "text": _(
            "Our check across the network found a match in your data (%(what)s) under your "
            "referral handle %(handle)s. Please tell us what you can disclose about it and on "
            "what conditions."
        )
        % {"what": what, "handle": handles},
    }
    return "/requests/new?" + urlencode(params)


def _context(node: Node, auth: Auth, **extra: Any) -> dict[str, Any]:
    with node.db.reading() as session:
        offered = cases.readable_cases(session, actor=auth.principal)
        recent = runs.mine(session, actor=auth.principal, limit=10)
    return {
        "types": TYPE_LABELS,
        "levels": LEVEL_LABELS,
        "cases": offered,
        "recent": recent,
        "names": _peer_names(node),
        "request_link": request_link,
        "form": {},
        **extra,
    }


def _check_page(request: Request, auth: Auth, status: int = 200, **extra: Any) -> HTMLResponse:
    context = _context(node_of(request), auth, **extra)
    return page(request, "matching/check.html", context, status=status, auth=auth)


@router.get("", response_class=HTMLResponse)
def check_page(
    request: Request,
    auth: PageAuth,
    type: Annotated[str, Query(max_length=16)] = "phone",
    value: Annotated[str, Query(max_length=300)] = "",
    country: Annotated[str, Query(max_length=2)] = "",
    q: Annotated[str, Query(max_length=300)] = "",
) -> HTMLResponse:
    """The check form, empty or filled in by a link (`?type=…&value=…`, or a search's `?q=`)."""
    auth.principal.require(PERMISSION)
    if q and not value:
        type, value = guess_type(q), q
    form = {"type": type if type in TYPE_LABELS else "phone", "value": value, "country": country}
    return _check_page(request, auth, form=form)


@router.post("", response_class=HTMLResponse)
def check_one(
    request: Request,
    auth: PageAuth,
    type: Annotated[str, Form(max_length=16)] = "phone",
    value: Text = "",
    country: Annotated[str, Form(max_length=10)] = "",
    birth_year: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    auth.principal.require(PERMISSION)
    form = {"type": type, "value": value, "country": country, "birth_year": birth_year}
    node = node_of(request)
    try:
        year = int(birth_year) if birth_year.strip() else None
    except ValueError:
        error = _("Birth year: write a year such as 1984")
        return _check_page(request, auth, 422, form=form, error=error)
    try:
        s = SelectorIn(
            type=type,
            value=value,
            country=country.strip() or None,
            birth_year=year,
        )
        query = service.Query(s.type, s.value, s.country.upper() if s.country else None, year)
        outcome = service.check(node, actor=auth.principal, queries=[query])
    except (ValidationError, InvalidInput) as exc:
        error = Refusal.of(exc, FIELDS).summary()
        return _check_page(request, auth, 422, form=form, error=error)
    result = outcome.results[0]
    hits = [service.hit_json(h) for h in result.hits]
    return _check_page(request, auth, form=form, hits=hits, peers=outcome.peers, checked=True)


@router.post("/runs", response_class=HTMLResponse)
def start_run(
    request: Request,
    auth: PageAuth,
    lines: Annotated[str, Form(max_length=runs.MAX_RUN * 100)] = "",
    case: Annotated[str, Form(max_length=80)] = "",
    title: Text = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    auth.principal.require(PERMISSION)
    node = node_of(request)
    try:
        if file is not None and file.filename:
            # A list exported from a spreadsheet or another system: CSV or text, UTF-8.
            raw = file.file.read(runs.MAX_RUN * 100 + 1)
            try:
                lines = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InvalidInput(_("File: not UTF-8 text"), field="lines") from None
            title = title or file.filename
        with node.db.transaction() as session:
            if case:
                run = runs.start_case(session, node, actor=auth.principal, ref=case)
            else:
                queries = runs.parse_lines(lines)
                run = runs.start(
                    session,
                    actor=auth.principal,
                    queries=queries,
                    title=title.strip() or _("List of %(n)d selectors") % {"n": len(queries)},
                    region=node.config.country,
                )
            run_id = run.id
    except InvalidInput as exc:
        error = Refusal.of(exc, FIELDS).summary()
        return _check_page(request, auth, 422, bulk={"lines": lines, "case": case}, error=error)
    return redirect(request, f"/matching/runs/{run_id}")


def _run_context(request: Request, auth: Auth, run_id: uuid.UUID) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        run = runs.get(session, actor=auth.principal, run_id=run_id)
        rows = [
            (q, run.results[i] if i < len(run.results) else None) for i, q in enumerate(run.queries)
        ]
    with_hits = [(q, hits) for q, hits in rows if hits]
    return {
        "run": run,
        "with_hits": with_hits,
        "names": _peer_names(node),
        "types": TYPE_LABELS,
        "levels": LEVEL_LABELS,
        "request_link": request_link,
        "percent": int(100 * run.done / run.total) if run.total else 100,
    }


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def show_run(request: Request, auth: PageAuth, run_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require(PERMISSION)
    return page(request, "matching/run.html", _run_context(request, auth, run_id), auth=auth)


@router.get("/runs/{run_id}/progress", response_class=HTMLResponse)
def run_progress(request: Request, auth: PageAuth, run_id: uuid.UUID) -> HTMLResponse:
    """The progress and results part of a run's page, polled while it runs."""
    auth.principal.require(PERMISSION)
    context = _run_context(request, auth, run_id)
    return page(request, "matching/_run_progress.html", context, auth=auth)


@router.get("/hits", response_class=HTMLResponse)
def hits_page(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        rows = service.hits_on_ours(session, actor=auth.principal, limit=500)
        known = cases.captions(session, [r.entity_id for r in rows if r.entity_id])
    context = {
        "hits": rows,
        "captions": known,
        "names": _peer_names(node),
        "types": TYPE_LABELS,
        "levels": LEVEL_LABELS,
    }
    return page(request, "matching/hits.html", context, auth=auth)


@router.get("/cases/{ref}/switches", response_class=HTMLResponse)
def case_switches(request: Request, auth: PageAuth, ref: str) -> HTMLResponse:
    """The case page's part on hit/no-hit: whether the case is in the network's index and
    whether its new entities are checked, with an owner's switches."""
    if not auth.principal.has(PERMISSION):
        return HTMLResponse("")
    with node_of(request).db.reading() as session:
        case = cases.case_to_read(session, actor=auth.principal, ref=ref)
        context = {
            "case": case,
            "indexed": cases.matching_of(session, case.id),
            "watched": runs.watched(session, case.id),
            "owner": cases.is_owner(session, actor=auth.principal, case_id=case.id),
        }
    return page(request, "matching/_case.html", context, auth=auth)


@router.post("/cases/{ref}/index")
def index_case(
    request: Request, auth: PageAuth, ref: str, on: Annotated[str, Form(max_length=3)] = ""
) -> Response:
    """An owner puts the case's entities into the network's index (as the flow rule allows)
    or takes them out."""
    wanted = on == "1"
    return act_form(
        request,
        auth,
        act=lambda session, node: cases.switch(
            session, actor=auth.principal, node_id=node.id, ref=ref, on=wanted
        ),
        back=f"/cases/{ref}",
        done=N_("Partners can now find this case's entities by hit/no-hit.")
        if wanted
        else N_("This case's entities leave the network's hit/no-hit index."),
    )


@router.post("/cases/{ref}/watch")
def watch_case(
    request: Request, auth: PageAuth, ref: str, on: Annotated[str, Form(max_length=3)] = ""
) -> Response:
    """An owner switches the automatic check of the case's new entities on or off."""
    wanted = on == "1"
    return act_form(
        request,
        auth,
        act=lambda session, _node: runs.watch(session, actor=auth.principal, ref=ref, on=wanted),
        back=f"/cases/{ref}",
        done=N_("New entities of this case will be checked across the network.")
        if wanted
        else N_("New entities of this case are no longer checked across the network."),
    )
