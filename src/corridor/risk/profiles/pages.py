"""Risk profiles in the web UI: /risk/profiles (the list, valid ones first), one profile's
page (a card a front-line officer reads or prints), and the form for this node's own."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from corridor import clock
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.node.service import Node
from corridor.records.owned import get_record
from corridor.risk.assessments import service as assessments
from corridor.risk.profiles import service
from corridor.risk.profiles.forms import ProfileForm
from corridor.risk.profiles.records import PROFILE
from corridor.risk.sources.common import code_name
from corridor.web.auth import Auth, node_of
from corridor.web.own_records import OwnRecords, node_owned
from corridor.web.params import PageAuth
from corridor.web.render import own_label, page
from corridor.web.sharing import SharingForm

router = APIRouter(include_in_schema=False, prefix="/risk/profiles")


def _form_context(session: Session, node: Node, auth: Auth) -> dict[str, Any]:
    return {"assessment_rows": assessments.ranked(session, node.id, actor=auth.principal)}


FORMS = OwnRecords(
    path="/risk/profiles",
    template="risk/profile_form.html",
    blank=lambda _node: ProfileForm(),
    of_body=ProfileForm.of_body,
    recorded=N_("Risk profile recorded."),
    updated=N_("Risk profile updated (version %(v)d)."),
    context=_form_context,
    addressed=lambda _peers: SharingForm(tlp="AMBER", purpose="risk-analysis"),
    **node_owned(PROFILE, service.save_profile, permission="risk.assess", peers=approved_peers),
)


@router.get("", response_class=HTMLResponse)
def listed(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        rows = service.listed(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "risk/profiles.html",
        {
            "rows": rows,
            "lapsed": {r.id for r in rows if service.is_lapsed(r)},
            "names": names,
            "code_name": code_name,
            "may_write": auth.principal.has("risk.assess"),
        },
    )


FORMS.mount(router, ProfileForm)


@router.get("/{profile_id}", response_class=HTMLResponse)
def detail(request: Request, auth: PageAuth, profile_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require("risk.read")
    node = node_of(request)
    with node.db.transaction() as session:
        env = get_record(session, node.id, actor=auth.principal, type=PROFILE, record_id=profile_id)
        body = env.get("body") or {}
        linked = None
        if body.get("assessment"):
            row = assessments.visible_assessment(
                session, node.id, auth.principal, body["assessment"]
            )
            linked = {"id": body["assessment"], "title": row.title if row else None}
        names = node_names(session, node.id, own_label(request))
    until = body.get("valid_until")
    return page(
        request,
        "risk/profile.html",
        {
            "e": env,
            "b": body,
            "linked": linked,
            "lapsed": until is not None and str(until) < clock.now().date().isoformat(),
            "names": names,
            "code_name": code_name,
            "can_edit": FORMS.can_edit(env, node.id, auth),
            "home": FORMS.path,
        },
    )
