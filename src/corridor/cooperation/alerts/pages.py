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
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.alerts import service as alerts
from corridor.cooperation.alerts.models import AlertRow
from corridor.cooperation.alerts.records import SEVERITIES, TYPES
from corridor.errors import InvalidInput, NotFound
from corridor.federation import receipts
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_, pgettext
from corridor.i18n import gettext as _
from corridor.mapping import geo
from corridor.mapping.forms import split_codes
from corridor.mapping.routes.service import list_routes
from corridor.node.service import Node
from corridor.records.projection import visible
from corridor.web.auth import Auth, node_of
from corridor.web.forms import act_form, parse_time, typed, withdraw_route
from corridor.web.params import PageAuth, Title
from corridor.web.render import live_list, own_label, page
from corridor.web.sharing import AmberSharing, ComposePage

router = APIRouter(include_in_schema=False, prefix="/alerts")


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


def _common() -> dict[str, Any]:
    return {"types": TYPES, "severities": SEVERITIES, "states": STATES, "progress": PROGRESS}


def _i18n_json() -> str:
    """What alerts.js shows, translated here (called by the template once page() activated the
    reader's language)."""
    return json.dumps(
        {
            "new": _("New alert"),
            "urgent": _("URGENT alert"),
            "open": pgettext("link", "Open"),
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


def _listing(request: Request, auth: PageAuth) -> dict[str, Any]:
    auth.principal.require("records.read")
    node = node_of(request)
    with node.db.reading() as session:
        items = alerts.list_alerts(session, node.id, actor=auth.principal, limit=300)
        acks = alerts.acknowledgements(
            session, [i.row.id for i in items if i.row.origin == node.id]
        )
        names = node_names(session, node.id, own_label(request))
    # The map of the page (its rows alone need none of it).
    drawn = {"i18n_json": _i18n_json, "disclaimer": geo.DISCLAIMER}
    return {"items": items, "acks": acks, "names": names, **drawn, **_common()}


live_list(router, "cooperation/alerts/index.html", "cooperation/alerts/_list.html", _listing)


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


class AlertForm(BaseModel):
    """The alert form's own fields, as typed (its sharing fields are a SharingForm)."""

    type: Annotated[str, Form(max_length=40)] = ""
    severity: Annotated[str, Form(max_length=16)] = ""
    title: Title = ""
    text: Annotated[str, Form(max_length=20_000)] = ""
    area: Annotated[str, Form(max_length=200_000)] = ""
    countries: Annotated[str, Form(max_length=600)] = ""
    route: Annotated[str, Form(max_length=36)] = ""
    valid_until: Annotated[str, Form(max_length=40)] = ""

    def alert(self) -> alerts.NewAlert:
        """The alert to send; InvalidInput names the field of a mistake."""
        try:
            route_id = uuid.UUID(self.route) if self.route else None
        except ValueError:
            raise InvalidInput(f"route: {self.route!r} is not a route id") from None
        return alerts.NewAlert(
            type=self.type,
            severity=self.severity,
            title=self.title,
            text=self.text,
            area=parse_area(self.area),
            route=route_id,
            countries=tuple(split_codes(self.countries)),
            valid_until=parse_time(self.valid_until, N_("valid until")),
        )


def _compose_context(session: Session, node: Node, auth: Auth) -> dict[str, Any]:
    # The routes an alert can cite.
    return {"routes": list_routes(session, node.id, actor=auth.principal), **_common()}


COMPOSE = ComposePage(
    "cooperation/alerts/compose.html", AlertForm, approved_peers, _compose_context
)


COMPOSE.mount(router)


@router.post("/new", response_class=HTMLResponse)
def send(
    request: Request,
    auth: PageAuth,
    form: Annotated[AlertForm, Depends(typed(AlertForm))],
    share: AmberSharing,
) -> Response:
    def save(session: Session, node: Node) -> dict[str, Any]:
        return alerts.send(
            session,
            node.keys,
            actor=auth.principal,
            region=node.config.country,
            to=share.addressed(),
            alert=form.alert(),
            labels=share.labels(),
        )

    def done(env: dict[str, Any]) -> tuple[str, str]:
        return f"/alerts/{env['id']}", _("Alert sent.")

    return COMPOSE.posted(request, auth, form, share, save=save, done=done)


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
        names = node_names(session, node.id, own_label(request))
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
        names = node_names(session, node.id, own_label(request))
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
    def act(session: Session, node: Node) -> object:
        return alerts.acknowledge(session, node.keys, actor=auth.principal, alert_id=alert_id)

    done = N_("Acknowledged: the sending agency is told.")
    return act_form(request, auth, act=act, back=f"/alerts/{alert_id}", done=done)


WITHDRAWN = N_("Alert withdrawn: every recipient node purges it.")
withdraw_route(router, alerts.withdraw, "alert_id", WITHDRAWN, "withdrawn by the sender")
