"""Thematic commitments in the web UI: the list by theme, a commitment with its endorsements and
every member's actions, progress updates, the network dashboard and the per-country scorecards.

The pages call the same services as /api/v1/commitments (corridor.mapping.commitments), so the
rules are the ones the API enforces: only this node's own actions can be changed or reported on,
milestones fall within the commitment's period, updates are never dated in the future."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from corridor import clock, countries
from corridor.errors import CorridorError, InvalidInput, PermissionDenied
from corridor.federation.peers import approved_peers, node_countries, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping import commitments as cm
from corridor.mapping import geo
from corridor.mapping import service as mapping
from corridor.mapping.records import ACTION
from corridor.mapping.schemas import THEMES, Indicator
from corridor.node.service import Node
from corridor.records.groups import list_groups
from corridor.records.labels import TLP_LEVELS
from corridor.web import nav
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.forms import form_labels
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False, prefix="/commitments")
PageAuth = Annotated[Auth, Depends(page_auth)]

nav.register(nav.NavEntry("Guidance", N_("Commitments"), "/commitments", "records.read", 30))

# How many empty rows the edit form offers for new milestones and indicators (no JavaScript
# needed to add more: save, and the form comes back with fresh empty rows).
EMPTY_ROWS = 3
ID_LENGTH = 36  # leaves room for a "-NN" suffix within the schema's 40 characters


# --- small helpers shared by the templates --------------------------------------------------


def pct(value: float | None) -> str:
    """A share 0-1 as a whole percentage for display; "—" when nothing is known yet."""
    return "—" if value is None else f"{round(value * 100)} %"


def pct_value(value: float | None) -> float | None:
    """A share 0-1 as a percentage for <progress> elements and charts."""
    return None if value is None else round(value * 100, 1)


def country_label(code: str) -> str:
    try:
        return countries.country_name(code)
    except InvalidInput:
        return code


def stamp(iso: str) -> str:
    """An ISO 8601 time of the services ("…T23:17:39.457168Z") as people read it."""
    return clock.parse(iso).strftime("%Y-%m-%d %H:%M UTC")


def _helpers(node: Node, names: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "themes": THEMES,
        "pct": pct,
        "pct_value": pct_value,
        "stamp": stamp,
        "country_name": country_label,
        "names": names or {},
        "own_name": node.config.name,
        "vendor": geo.VENDOR,
    }


def _own_label(node: Node) -> str:
    return f"{node.config.name} ({node.config.country})"


def error_text(exc: Exception) -> str:
    """A service or validation error as one line a user can act on: the schema's field errors
    (e.g. "countries.1: unknown country code 'ZZ'") rather than only "invalid body"."""
    if isinstance(exc, ValidationError):
        errors: list[dict[str, Any]] = list(exc.errors(include_url=False, include_input=False))
        detail = ""
    elif isinstance(exc, CorridorError):
        errors = list(exc.extra.get("errors") or [])
        detail = exc.detail
    else:
        return str(exc)
    parts = []
    for e in errors:
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        loc = ".".join(str(p) for p in e.get("loc", ()))
        parts.append(f"{loc}: {msg}" if loc else msg)
    if not parts:
        return detail
    return "; ".join(parts)


def _split_codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text) if c]


def slug(title: str, taken: set[str], fallback: str) -> str:
    """An id for a milestone or indicator made from its title ("Train 40 officers" →
    "train-40-officers"), unique among `taken`, which it joins. Titles in other scripts give
    no Latin letters: the fallback word is used then."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:ID_LENGTH].strip("-")
    base = base or fallback
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _number(text: str, what: str) -> float:
    try:
        value = float(text.strip().replace(",", ""))
    except ValueError:
        raise InvalidInput(
            _("%(what)s: %(value)s is not a number") % {"what": what, "value": text.strip()}
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(_("%(what)s: give a finite number") % {"what": what})
    return value


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            _("%(what)s: %(value)s is not a date (YYYY-MM-DD)")
            % {"what": what, "value": text.strip()}
        ) from None


# --- milestones and indicators as the forms write them -----------------------------------------


def parse_milestone_lines(text: str) -> list[dict[str, Any]]:
    """One milestone a line, "due date | title"; blank lines are skipped."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = _("Milestones, line %(n)d") % {"n": n}
        due, sep, title = line.partition("|")
        if not sep or not title.strip() or not due.strip():
            raise InvalidInput(
                _("%(where)s: write “due date | title”, e.g. 2027-06-30 | Train 40 officers")
                % {"where": where}
            )
        out.append({"due": _day(due, where).isoformat(), "title": title.strip(), "where": where})
    return out


def parse_indicator_lines(text: str) -> list[dict[str, Any]]:
    """One indicator a line, "name | unit | baseline | target" (the unit may be empty)."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = _("Indicators, line %(n)d") % {"n": n}
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not parts[0] or not parts[2] or not parts[3]:
            raise InvalidInput(
                _(
                    "%(where)s: write “name | unit | baseline | target”, "
                    "e.g. Officers trained | persons | 0 | 40"
                )
                % {"where": where}
            )
        out.append(
            {
                "name": parts[0],
                "unit": parts[1],
                "baseline": _number(parts[2], where),
                "target": _number(parts[3], where),
                "where": where,
            }
        )
    return out


def milestone_rows(ids: list[str], dues: list[str], titles: list[str]) -> list[dict[str, Any]]:
    """The edit form's milestone rows (hidden id, due, title); empty rows are skipped."""
    out = []
    for n, (mid, due, title) in enumerate(_aligned(ids, dues, titles), start=1):
        if not due.strip() and not title.strip():
            continue
        where = _("Milestone row %(n)d") % {"n": n}
        if not due.strip() or not title.strip():
            raise InvalidInput(_("%(where)s: give a due date and a title") % {"where": where})
        out.append(
            {
                "id": mid.strip() or None,
                "due": _day(due, where).isoformat(),
                "title": title.strip(),
                "where": where,
            }
        )
    return out


def indicator_rows(
    ids: list[str], names: list[str], units: list[str], baselines: list[str], targets: list[str]
) -> list[dict[str, Any]]:
    """The edit form's indicator rows; empty rows are skipped."""
    out = []
    rows = _aligned(ids, names, units, baselines, targets)
    for n, (iid, name, unit, baseline, target) in enumerate(rows, start=1):
        if not (name.strip() or baseline.strip() or target.strip()):
            continue
        where = _("Indicator row %(n)d") % {"n": n}
        if not (name.strip() and baseline.strip() and target.strip()):
            raise InvalidInput(
                _("%(where)s: give a name, a baseline and a target") % {"where": where}
            )
        out.append(
            {
                "id": iid.strip() or None,
                "name": name.strip(),
                "unit": unit.strip(),
                "baseline": _number(baseline, where),
                "target": _number(target, where),
                "where": where,
            }
        )
    return out


def _aligned(*columns: list[str]) -> list[tuple[str, ...]]:
    """Rows from form fields sent once per row; a tampered form with ragged columns is refused
    rather than silently mismatching values and titles."""
    if len({len(c) for c in columns}) > 1:
        raise InvalidInput(_("the form's rows do not line up; reload the page and try again"))
    return list(zip(*columns, strict=True))


def build_milestones(
    items: Iterable[dict[str, Any]], existing: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Milestones for the action body: existing ones keep their id (updates refer to it) and
    the date they were reached; new ones get an id from their title."""
    known = {m["id"]: m for m in existing}
    items = list(items)
    taken = {i["id"] for i in items if i.get("id") in known}
    out = []
    for item in items:
        old = known.get(item.get("id") or "")
        mid = old["id"] if old else slug(item["title"], taken, "milestone")
        m: dict[str, Any] = {"id": mid, "title": item["title"], "due": item["due"]}
        if old and old.get("done_on"):
            m["done_on"] = old["done_on"]
        out.append(m)
    return out


def build_indicators(
    items: Iterable[dict[str, Any]], existing: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    known = {i["id"]: i for i in existing}
    items = list(items)
    taken = {i["id"] for i in items if i.get("id") in known}
    out = []
    for item in items:
        if item["baseline"] == item["target"]:
            raise InvalidInput(
                _("%(where)s: the target equals the baseline") % {"where": item["where"]}
            )
        old = known.get(item.get("id") or "")
        iid = old["id"] if old else slug(item["name"], taken, "indicator")
        ind: dict[str, Any] = {
            "id": iid,
            "name": item["name"],
            "baseline": item["baseline"],
            "target": item["target"],
        }
        if item["unit"]:
            ind["unit"] = item["unit"]
        if old and old.get("current") is not None:
            ind["current"] = old["current"]
        out.append(ind)
    return out


def _check_removals(
    body: dict[str, Any], milestones: list[dict[str, Any]], indicators: list[dict[str, Any]]
) -> None:
    """Removing a milestone or indicator that an update reported on would orphan that update:
    say which one, instead of the schema's bare "unknown milestones"."""
    updates = body.get("updates", [])
    reported_m = {mid for u in updates for mid in u.get("milestones_done", [])}
    reported_i = {iid for u in updates for iid in u.get("values", {})}
    kept_m = {m["id"] for m in milestones}
    kept_i = {i["id"] for i in indicators}
    for m in body.get("milestones", []):
        if m["id"] in reported_m and m["id"] not in kept_m:
            raise InvalidInput(
                _("milestone “%(title)s” was reported in a progress update; it cannot be removed")
                % {"title": m["title"]}
            )
    for i in body.get("indicators", []):
        if i["id"] in reported_i and i["id"] not in kept_i:
            raise InvalidInput(
                _("indicator “%(name)s” has values in progress updates; it cannot be removed")
                % {"name": i["name"]}
            )


# --- the list --------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def index(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        summaries = cm.Portfolio(session, node.id, auth.principal).summaries()
        names = node_names(session, node.id, _own_label(node))
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


def _new_form(
    request: Request,
    auth: Auth,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        peers = approved_peers(session)
        groups = list_groups(session)
    today = clock.now().date().isoformat()
    return page(
        request,
        "mapping/commitments/new.html",
        {
            **_helpers(node),
            "peers": peers,
            "groups": groups,
            "tlps": TLP_LEVELS,
            "form": form or {"adopted": today, "tlp": "GREEN", "to": []},
            "error": error,
        },
        status=status,
    )


@router.get("/new", response_class=HTMLResponse)
def new_commitment(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("mapping.write")
    return _new_form(request, auth)


@router.post("/new", response_class=HTMLResponse)
def create_commitment(
    request: Request,
    auth: PageAuth,
    title: Annotated[str, Form(max_length=300)] = "",
    theme: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
    adopted: Annotated[str, Form(max_length=10)] = "",
    ends: Annotated[str, Form(max_length=10)] = "",
    countries: Annotated[str, Form(max_length=2000)] = "",
    to: Annotated[list[str] | None, Form()] = None,
    tlp: Annotated[str, Form(max_length=16)] = "GREEN",
    recipients: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    auth.principal.require("mapping.write")
    node = node_of(request)
    form = {
        "title": title,
        "theme": theme,
        "text": text,
        "adopted": adopted,
        "ends": ends,
        "countries": countries,
        "to": to or [],
        "tlp": tlp,
        "recipients": recipients,
    }
    body: dict[str, Any] = {
        "title": title,
        "theme": theme,
        "text": text,
        "countries": _split_codes(countries),
    }
    # An empty date field is left out, so the schema says "adopted: Field required".
    if adopted.strip():
        body["adopted"] = adopted.strip()
    if ends.strip():
        body["ends"] = ends.strip()
    try:
        labels = form_labels(tlp=tlp, handling="H0", purpose="cooperation", recipients=recipients)
        with node.db.transaction() as session:
            env = cm.save_commitment(
                session, node.keys, actor=auth.principal, body=body, labels=labels, to=to or []
            )
    except (CorridorError, ValidationError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        return _new_form(request, auth, form=form, error=error_text(exc), status=422)
    return redirect(request, f"/commitments/{env['id']}", _("Commitment recorded."))


# --- the dashboard and the scorecards ---------------------------------------------------------


def _dashboard(request: Request, auth: Auth) -> tuple[dict[str, Any], dict[str, str]]:
    node = node_of(request)
    with node.db.reading() as session:
        countries = node_countries(session, node.id, node.config.country)
        data = cm.Portfolio(session, node.id, auth.principal).dashboard(countries)
        names = node_names(session, node.id, _own_label(node))
    return data, names


def member_labels(members: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    """Members by country name; where a country runs several member nodes, the node's name
    tells their bars apart."""
    countries = [m["country"] for m in members]
    return [
        country_label(m["country"])
        if countries.count(m["country"]) == 1
        else f"{country_label(m['country'])} – {names.get(m['origin'], m['origin'])}"
        for m in members
    ]


def chart_specs(data: dict[str, Any], names: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What dashboard.js draws: categories and series, labels already translated (the script
    only lays them out). Percentages, one decimal; null where nothing is known yet."""
    progress = _("Progress (%)")
    members = data["members"]
    labels = member_labels(members, names)
    return {
        "themes": {
            "unit": "%",
            "max": 100,
            "categories": [_(THEMES[t["theme"]]) for t in data["themes"]],
            "series": [
                {"name": progress, "data": [pct_value(t["progress"]) for t in data["themes"]]}
            ],
        },
        "members": {
            "unit": "%",
            "max": 100,
            "categories": labels,
            "series": [{"name": progress, "data": [pct_value(m["progress"]) for m in members]}],
        },
        "milestones": {
            "unit": "",
            "max": None,
            "categories": labels,
            "series": [
                {
                    "name": _("Done"),
                    "stack": "milestones",
                    "data": [m["milestones_done"] for m in members],
                },
                {
                    "name": _("Not done yet"),
                    "stack": "milestones",
                    "data": [m["milestones_total"] - m["milestones_done"] for m in members],
                },
            ],
        },
    }


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
    countries = sorted(by_country.values(), key=lambda r: country_label(r["country"]))
    return page(
        request,
        "mapping/commitments/scorecards.html",
        {**_helpers(node, names), "countries": countries},
    )


@router.get("/scorecard/{country}", response_class=HTMLResponse)
def scorecard(request: Request, auth: PageAuth, country: str) -> Response:
    node = node_of(request)
    cc = countries.normalise(country)
    if cc != country:
        return redirect(request, f"/commitments/scorecard/{cc}")
    today = clock.now().date()
    with node.db.reading() as session:
        card = cm.Portfolio(session, node.id, auth.principal).scorecard(cc)
        names = node_names(session, node.id, _own_label(node))
    for row in card["commitments"]:
        row["actions"] = [_decorate(a, today) for a in row["actions"]]
    return page(
        request,
        "mapping/commitments/scorecard.html",
        {**_helpers(node, names), "card": card},
    )


# --- one commitment --------------------------------------------------------------------------


def _decorate(
    action: dict[str, Any], today: date, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An action as the templates show it: overdue milestones marked, indicators with their
    attainment, and (given the record's body) the description and the updates newest first."""
    src = body or action
    # Optional keys are filled in, so the templates can test them without "is defined".
    milestones = [
        {
            "done_on": None,
            **m,
            "overdue": not m.get("done_on") and date.fromisoformat(m["due"]) < today,
        }
        for m in src.get("milestones", [])
    ]
    indicators = [
        {"unit": None, "current": None, **i, "attainment": Indicator.model_validate(i).attainment()}
        for i in src.get("indicators", [])
    ]
    out = {**action, "milestones": milestones, "indicators": indicators}
    if body is not None:
        out["description"] = body.get("description")
        out["update_list"] = sorted(body.get("updates", []), key=lambda u: u["on"], reverse=True)
    return out


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
            a["id"]: mapping.get_record(
                session, node.id, actor=auth.principal, type=ACTION, record_id=uuid.UUID(a["id"])
            ).get("body")
            or {}
            for a in detail["action_items"]
        }
        names = node_names(session, node.id, _own_label(node))
    actions = [_decorate(a, today, bodies[a["id"]]) for a in detail["action_items"]]
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


def _status_of(exc: Exception) -> int:
    return exc.status if isinstance(exc, CorridorError) else 422


@router.post("/{commitment_id}/endorse", response_class=HTMLResponse)
def endorse(
    request: Request,
    auth: PageAuth,
    commitment_id: uuid.UUID,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            cm.endorse(
                session,
                node.keys,
                actor=auth.principal,
                commitment_id=commitment_id,
                note=note.strip() or None,
            )
    except CorridorError as exc:
        return _detail(
            request,
            auth,
            commitment_id,
            status=exc.status,
            failed={"kind": "endorse", "error": error_text(exc), "form": {"note": note}},
        )
    return redirect(
        request,
        f"/commitments/{commitment_id}",
        _("Endorsed on behalf of %(node)s.") % {"node": node.config.name},
    )


@router.post("/{commitment_id}/actions", response_class=HTMLResponse)
def add_action(
    request: Request,
    auth: PageAuth,
    commitment_id: uuid.UUID,
    title: Annotated[str, Form(max_length=300)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    milestones: Annotated[str, Form(max_length=20_000)] = "",
    indicators: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    node = node_of(request)
    form = {
        "title": title,
        "owner": owner,
        "description": description,
        "milestones": milestones,
        "indicators": indicators,
    }
    try:
        fields: dict[str, Any] = {
            "title": title,
            "owner": owner,
            "milestones": build_milestones(parse_milestone_lines(milestones), []),
            "indicators": build_indicators(parse_indicator_lines(indicators), []),
        }
        if description.strip():
            fields["description"] = description
        with node.db.transaction() as session:
            env = cm.save_action(
                session,
                node.keys,
                actor=auth.principal,
                commitment_id=commitment_id,
                fields=fields,
                node_country=node.config.country,
            )
    except (CorridorError, ValidationError) as exc:
        return _detail(
            request,
            auth,
            commitment_id,
            status=_status_of(exc),
            failed={"kind": "action", "error": error_text(exc), "form": form},
        )
    return redirect(request, f"/commitments/{commitment_id}#action-{env['id']}", _("Action added."))


@router.post("/{commitment_id}/actions/{action_id}/updates", response_class=HTMLResponse)
def post_update(
    request: Request,
    auth: PageAuth,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    on: Annotated[str, Form(max_length=10)] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
    indicator: Annotated[list[str] | None, Form()] = None,
    value: Annotated[list[str] | None, Form()] = None,
    milestones_done: Annotated[list[str] | None, Form()] = None,
    evidence_title: Annotated[str, Form(max_length=300)] = "",
    evidence_url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    node = node_of(request)
    form = {
        "on": on,
        "text": text,
        "values": dict(zip(indicator or [], value or [], strict=False)),
        "milestones_done": milestones_done or [],
        "evidence_title": evidence_title,
        "evidence_url": evidence_url,
    }
    try:
        values = {
            iid: _number(v, iid) for iid, v in _aligned(indicator or [], value or []) if v.strip()
        }
        evidence = []
        if evidence_url.strip():
            evidence.append(
                {
                    "kind": "link",
                    "title": evidence_title.strip() or evidence_url.strip()[:300],
                    "url": evidence_url.strip(),
                }
            )
        elif evidence_title.strip():
            raise InvalidInput(_("evidence: give the link (https://…) with its title"))
        with node.db.transaction() as session:
            cm.post_update(
                session,
                node.keys,
                actor=auth.principal,
                commitment_id=commitment_id,
                action_id=action_id,
                on=_day(on, _("date")),
                text=text,
                values=values,
                milestones_done=milestones_done or [],
                evidence=evidence,
            )
    except (CorridorError, ValidationError) as exc:
        return _detail(
            request,
            auth,
            commitment_id,
            status=_status_of(exc),
            failed={
                "kind": "update",
                "action": str(action_id),
                "error": error_text(exc),
                "form": form,
            },
        )
    return redirect(
        request, f"/commitments/{commitment_id}#action-{action_id}", _("Progress update posted.")
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
        env = mapping.get_record(
            session, node.id, actor=auth.principal, type=ACTION, record_id=action_id
        )
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
            "milestones": [
                {"id": m["id"], "due": m["due"], "title": m["title"]}
                for m in body.get("milestones", [])
            ],
            "indicators": [
                {
                    "id": i["id"],
                    "name": i["name"],
                    "unit": i.get("unit") or "",
                    "baseline": _plain(i["baseline"]),
                    "target": _plain(i["target"]),
                }
                for i in body.get("indicators", [])
            ],
        }
    blank_m = {"id": "", "due": "", "title": ""}
    blank_i = {"id": "", "name": "", "unit": "", "baseline": "", "target": ""}
    form = {
        **form,
        "milestones": [*form["milestones"], *([blank_m] * EMPTY_ROWS)],
        "indicators": [*form["indicators"], *([blank_i] * EMPTY_ROWS)],
    }
    return page(
        request,
        "mapping/commitments/edit_action.html",
        {
            **_helpers(node),
            "c": detail,
            "action_id": str(action_id),
            "form": form,
            "error": error,
        },
        status=status,
    )


def _plain(value: float) -> str:
    """A number as a user would type it: 40, not 40.0."""
    return f"{value:g}" if float(value).is_integer() else str(value)


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
    title: Annotated[str, Form(max_length=300)] = "",
    owner: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=20_000)] = "",
    m_id: Annotated[list[str] | None, Form()] = None,
    m_due: Annotated[list[str] | None, Form()] = None,
    m_title: Annotated[list[str] | None, Form()] = None,
    i_id: Annotated[list[str] | None, Form()] = None,
    i_name: Annotated[list[str] | None, Form()] = None,
    i_unit: Annotated[list[str] | None, Form()] = None,
    i_baseline: Annotated[list[str] | None, Form()] = None,
    i_target: Annotated[list[str] | None, Form()] = None,
) -> Response:
    auth.principal.require("mapping.write")
    node = node_of(request)
    body = _own_action_body(request, auth, commitment_id, action_id)[1]
    m_cols = [m_id or [], m_due or [], m_title or []]
    i_cols = [i_id or [], i_name or [], i_unit or [], i_baseline or [], i_target or []]
    try:
        milestones = build_milestones(milestone_rows(*m_cols), body.get("milestones", []))
        indicators = build_indicators(indicator_rows(*i_cols), body.get("indicators", []))
        _check_removals(body, milestones, indicators)
        fields: dict[str, Any] = {
            "title": title,
            "owner": owner,
            "country": body["country"],
            "milestones": milestones,
            "indicators": indicators,
        }
        if description.strip():
            fields["description"] = description
        with node.db.transaction() as session:
            cm.save_action(
                session,
                node.keys,
                actor=auth.principal,
                commitment_id=commitment_id,
                fields=fields,
                node_country=node.config.country,
                action_id=action_id,
            )
    except (CorridorError, ValidationError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        form = {
            "title": title,
            "owner": owner,
            "description": description,
            "milestones": [
                {"id": a, "due": b, "title": c}
                for a, b, c in zip(*m_cols, strict=False)
                if b.strip() or c.strip()
            ],
            "indicators": [
                {"id": a, "name": b, "unit": c, "baseline": d, "target": e}
                for a, b, c, d, e in zip(*i_cols, strict=False)
                if b.strip() or d.strip() or e.strip()
            ],
        }
        return _edit_form(
            request,
            auth,
            commitment_id,
            action_id,
            form=form,
            error=error_text(exc),
            status=_status_of(exc),
        )
    return redirect(request, f"/commitments/{commitment_id}#action-{action_id}", _("Action saved."))
