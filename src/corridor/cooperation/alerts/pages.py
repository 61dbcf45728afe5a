"""Alerts in the web UI: a live list and map of alerts, the detail page with Acknowledge (and,
for the sender, each recipient's status, updated live), and the compose form.

Live updates: every record received from a partner (an alert, or a receipt about ours) is
announced by server-sent events; the list and the status table refresh themselves through HTMX
(`corridor-record from:body`) and static/js/alerts.js redraws the map and shows a notification
for a new alert (urgent ones highlighted)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.alerts import service as alerts
from corridor.cooperation.alerts.models import AlertRow
from corridor.cooperation.alerts.records import SEVERITIES, TYPES
from corridor.errors import CorridorError, InvalidInput, NotFound
from corridor.federation import receipts
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.mapping import geo
from corridor.mapping.routes.service import list_routes
from corridor.records.projection import visible
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page, redirect
from corridor.web.sharing import SharingForm, sharing_context, sharing_fields

router = APIRouter(include_in_schema=False, prefix="/alerts")
PageAuth = Annotated[Auth, Depends(page_auth)]


STATES = {
    "active": N_("Active"),
    "expired": N_("Expired"),
    "withdrawn": N_("Withdrawn"),
}
PROGRESS = {
    "pending": N_("pending"),
    "delivered": N_("delivered"),
    "read": N_("read"),
    "acknowledged": N_("acknowledged"),
}
_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$")


def _names(session: Session, request: Request) -> dict[str, str]:
    node = node_of(request)
    return node_names(session, node.id, f"{node.config.name} ({node.config.country})")


def _common() -> dict[str, Any]:
    return {"types": TYPES, "severities": SEVERITIES, "states": STATES, "progress": PROGRESS}


def _i18n_json() -> str:
    """What alerts.js shows, translated here (called by the template once page() activated the
    reader's language)."""
    return json.dumps(
        {
            "new": _("New alert"),
            "urgent": _("URGENT alert"),
            "open": _("Open"),
            "dismiss": _("Dismiss"),
            "failed": _("The alerts could not be loaded. Try again in a moment."),
            "count_one": _("1 active alert on the map"),
            "count_other": _("{n} active alerts on the map"),
            "types": {k: _(v) for k, v in TYPES.items()},
            "severities": {k: _(v) for k, v in SEVERITIES.items()},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _listing(request: Request, auth: Auth) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        items = alerts.list_alerts(session, node.id, actor=auth.principal, limit=300)
        acks = alerts.acknowledgements(
            session, [i.row.id for i in items if i.row.origin == node.id]
        )
        names = _names(session, request)
    return {"items": items, "acks": acks, "names": names, **_common()}


@router.get("", response_class=HTMLResponse)
def index(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("records.read")
    ctx = _listing(request, auth)
    return page(
        request,
        "cooperation/alerts/index.html",
        {
            **ctx,
            "vendor": geo.VENDOR,
            "i18n_json": _i18n_json,
            "disclaimer": geo.DISCLAIMER,
        },
    )


@router.get("/_list", response_class=HTMLResponse)
def rows(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("records.read")
    return page(request, "cooperation/alerts/_list.html", _listing(request, auth))


# --- compose ------------------------------------------------------------------------------


def parse_area(text: str) -> dict[str, Any] | None:
    """The area field: a GeoJSON geometry (or Feature), or positions as `lon,lat` — one is a
    point, several (one per line or separated by `;`) a polygon, closed if the user did not."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"area: not valid GeoJSON ({exc.msg})") from None
        if isinstance(obj, dict) and obj.get("type") == "Feature":
            obj = obj.get("geometry")
        return geo.validate_geometry(obj, where="area")
    points: list[list[float]] = []
    for part in re.split(r"[;\n]+", text):
        if not part.strip():
            continue
        m = _PAIR.match(part)
        if m is None:
            raise InvalidInput(
                f"area: {part.strip()[:40]!r} is not 'longitude,latitude' (e.g. 26.95,37.12)"
            )
        points.append([float(m.group(1)), float(m.group(2))])
    if len(points) == 1:
        return geo.validate_geometry({"type": "Point", "coordinates": points[0]}, where="area")
    if points[0] != points[-1]:
        points.append(points[0])
    if len(points) < 4:
        raise InvalidInput("area: a polygon needs at least three distinct positions")
    return geo.validate_geometry({"type": "Polygon", "coordinates": [points]}, where="area")


def _parse_time(value: str) -> datetime | None:
    """A datetime-local value, taken as UTC (the form says so)."""
    if not value.strip():
        return None
    try:
        return clock.parse(value.strip())
    except ValueError:
        raise InvalidInput(f"valid until: {value!r} is not a date and time") from None


def _compose(
    request: Request,
    auth: Auth,
    *,
    status: int = 200,
    sharing: SharingForm | None = None,
    **extra: Any,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        offered = sharing_context(session, auth, approved_peers(session))
        routes = list_routes(session, node.id, actor=auth.principal)
    return page(
        request,
        "cooperation/alerts/compose.html",
        {
            **offered,
            "routes": routes,
            "sharing": sharing or SharingForm(tlp="AMBER"),
            "form": extra.pop("form", {}),
            **_common(),
            **extra,
        },
        status=status,
    )


@router.get("/new", response_class=HTMLResponse)
def compose(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("records.write")
    return _compose(request, auth)


@router.post("/new", response_class=HTMLResponse)
def send(
    request: Request,
    auth: PageAuth,
    sharing: Annotated[SharingForm, Depends(sharing_fields(default_tlp="AMBER"))],
    type: Annotated[str, Form(max_length=40)] = "",
    severity: Annotated[str, Form(max_length=16)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
    area: Annotated[str, Form(max_length=200_000)] = "",
    countries: Annotated[str, Form(max_length=600)] = "",
    route: Annotated[str, Form(max_length=36)] = "",
    valid_until: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    node = node_of(request)
    form = {
        "type": type,
        "severity": severity,
        "title": title,
        "text": text,
        "area": area,
        "countries": countries,
        "route": route,
        "valid_until": valid_until,
    }
    try:
        try:
            labels = sharing.labels()
            route_id = uuid.UUID(route) if route else None
        except ValueError:
            raise InvalidInput(f"route: {route!r} is not a route id") from None
        new = alerts.NewAlert(
            type=type,
            severity=severity,
            title=title,
            text=text,
            area=parse_area(area),
            route=route_id,
            countries=tuple(c for c in re.split(r"[\s,;]+", countries) if c),
            valid_until=_parse_time(valid_until),
        )
        with node.db.transaction() as session:
            env = alerts.send(
                session,
                node.keys,
                actor=auth.principal,
                region=node.config.country,
                to=sharing.addressed(),
                alert=new,
                labels=labels,
            )
    except CorridorError as exc:
        detail = exc.detail
        errors = exc.extra.get("errors")
        if errors:
            detail += ": " + "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))} {e.get('msg', '')}".strip()
                for e in errors
            )
        return _compose(request, auth, status=422, error=detail, form=form, sharing=sharing)
    return redirect(request, f"/alerts/{env['id']}", _("Alert sent."))


# --- one alert ------------------------------------------------------------------------------


def _status_rows(
    session: Session, envelope: dict[str, Any], names: dict[str, str]
) -> list[dict[str, Any]]:
    out = []
    for node_id, st in alerts.recipients(session, envelope).items():
        out.append(
            {
                "node": node_id,
                "name": names.get(node_id, node_id),
                "progress": alerts.progress(st),
                **{s: st.get(s) for s in receipts.STATUSES},
            }
        )
    return out


@router.get("/{alert_id}", response_class=HTMLResponse)
def detail(request: Request, auth: PageAuth, alert_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        env, row = alerts.read(session, node.keys, actor=auth.principal, alert_id=alert_id)
        names = _names(session, request)
        own = env["origin"] == node.id
        status_rows = _status_rows(session, env, names) if own else []
        route = None
        body = env.get("body") or {}
        if body.get("route"):
            routes = {str(r.id): r for r in list_routes(session, node.id, actor=auth.principal)}
            route = routes.get(body["route"])
    return page(
        request,
        "cooperation/alerts/detail.html",
        {
            "e": env,
            "row": row,
            "body": body,
            "state": alerts.state_of(row, clock.now()),
            "own": own,
            "status_rows": status_rows,
            "names": names,
            "route": route,
            "area_json": json.dumps(body.get("area")) if body.get("area") else "",
            "vendor": geo.VENDOR,
            "i18n_json": _i18n_json,
            "disclaimer": geo.DISCLAIMER,
            **_common(),
        },
    )


@router.get("/{alert_id}/_status", response_class=HTMLResponse)
def status_table(request: Request, auth: PageAuth, alert_id: uuid.UUID) -> HTMLResponse:
    """The sender's per-recipient table, refreshed live as receipts arrive. Built from the
    projection and the receipts (no body is read, so polling it is not an audited read)."""
    auth.principal.require("records.read")
    node = node_of(request)
    with node.db.reading() as session:
        row = session.get(AlertRow, alert_id)
        if row is None or row.origin != node.id or not visible(auth.principal, row, node.id):
            raise NotFound(f"no alert {alert_id}")
        names = _names(session, request)
        status_rows = _status_rows(
            session, {"id": str(row.id), "audience": {"nodes": row.audience}}, names
        )
    return page(
        request,
        "cooperation/alerts/_status.html",
        {"status_rows": status_rows, "row": row, **_common()},
    )


@router.post("/{alert_id}/acknowledge")
def acknowledge(request: Request, auth: PageAuth, alert_id: uuid.UUID) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            alerts.acknowledge(session, node.keys, actor=auth.principal, alert_id=alert_id)
    except CorridorError as exc:
        return redirect(request, f"/alerts/{alert_id}", exc.detail)
    return redirect(request, f"/alerts/{alert_id}", _("Acknowledged: the sending agency is told."))


@router.post("/{alert_id}/withdraw")
def withdraw(
    request: Request,
    auth: PageAuth,
    alert_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            alerts.withdraw(
                session,
                node.keys,
                actor=auth.principal,
                alert_id=alert_id,
                reason=reason or "withdrawn by the sender",
            )
    except CorridorError as exc:
        return redirect(request, f"/alerts/{alert_id}", exc.detail)
    return redirect(
        request, f"/alerts/{alert_id}", _("Alert withdrawn: every recipient node purges it.")
    )
