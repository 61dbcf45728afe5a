"""Shared indicator figures in the web UI: /risk/figures (this node's and partners'), one
record's page (the chart, the figures, the breakdown, the source and licence), and the form that
shares a selection of the workbench (its link carries the selection)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from corridor import formats
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.records.owned import get_record
from corridor.risk import service as risk
from corridor.risk.breakdown import Part
from corridor.risk.figures import service
from corridor.risk.figures.forms import FIELD_LABELS, FiguresForm
from corridor.risk.figures.records import FIGURES
from corridor.risk.pages import BY_LABELS, PERIOD_LABELS, indicator_label
from corridor.risk.sources.common import code_name
from corridor.web.auth import Auth, node_of
from corridor.web.own_records import OwnRecords, node_owned
from corridor.web.params import PageAuth
from corridor.web.render import own_label, page
from corridor.web.sharing import SharingForm

router = APIRouter(include_in_schema=False, prefix="/risk/figures")


def _form_context(session: Session, node: Node, auth: Auth) -> dict[str, Any]:
    sets = risk.datasets(session, actor=auth.principal)
    return {
        "datasets": sets,
        "indicators": sorted({i for d in sets for i in (d.coverage or {})}),
        "indicator_label": indicator_label,
        "periods": PERIOD_LABELS,
        "by_labels": BY_LABELS,
    }


FORMS = OwnRecords(
    path="/risk/figures",
    template="risk/figures_form.html",
    blank=lambda _node: FiguresForm(),
    of_body=FiguresForm.of_body,
    recorded=N_("Figures shared."),
    updated=N_("Figures recomputed and shared again (version %(v)d)."),
    context=_form_context,
    addressed=lambda _peers: SharingForm(tlp="CLEAR", purpose="risk-analysis"),
    fields=FIELD_LABELS,
    **node_owned(FIGURES, service.save_figures, permission="risk.assess", peers=approved_peers),
)


@router.get("", response_class=HTMLResponse)
def listed(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        rows = service.listed(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "risk/figures.html",
        {
            "rows": rows,
            "names": names,
            "code_name": code_name,
            "indicator_label": indicator_label,
            "may_write": auth.principal.has("risk.assess"),
        },
    )


FORMS.mount(router, FiguresForm)


def chart_of(body: dict[str, Any]) -> dict[str, Any]:
    """The chart of a figures record, as the workbench's script draws it."""
    title = indicator_label(body["selection"]["indicator"])
    return {
        "title": title,
        "labels": [formats.period(p["period"]) for p in body["items"]],
        "values": [p["value"] for p in body["items"]],
        "names": {
            "value": title,
            "up": _("Surge"),
            "down": _("Drop"),
            "forecast": _("Forecast"),
            "save": _("Save as image"),
        },
        "anomalies": [],
    }


@router.get("/{figures_id}", response_class=HTMLResponse)
def detail(request: Request, auth: PageAuth, figures_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require("risk.read")
    node = node_of(request)
    with node.db.transaction() as session:
        env = get_record(session, node.id, actor=auth.principal, type=FIGURES, record_id=figures_id)
        names = node_names(session, node.id, own_label(request))
    body = env.get("body") or None
    parts = None
    if body and body.get("breakdown"):
        made = body["breakdown"]
        parts = [
            {
                **Part(p.get("key"), p["value"], p.get("previous") or 0).to_dict(made["total"]),
                "others": p.get("others"),
            }
            for p in made["items"]
        ]
    return page(
        request,
        "risk/figures_record.html",
        {
            "e": env,
            "b": body,
            "chart": chart_of(body) if body and body.get("items") else None,
            "parts": parts,
            "names": names,
            "code_name": code_name,
            "indicator_label": indicator_label,
            "by_labels": BY_LABELS,
            "periods": PERIOD_LABELS,
            "can_edit": FORMS.can_edit(env, node.id, auth),
            "home": FORMS.path,
        },
    )
