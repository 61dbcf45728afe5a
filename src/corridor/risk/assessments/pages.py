"""Risk assessments in the web UI: /risk/assessments (the ranking and the risk matrix), one
assessment's page, and the form that writes, changes and withdraws this node's own."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.mapping.challenges import service as challenges
from corridor.node.service import Node
from corridor.records.owned import get_record
from corridor.risk import ciram
from corridor.risk.assessments import service
from corridor.risk.assessments.forms import AssessmentForm
from corridor.risk.assessments.records import ASSESSMENT
from corridor.risk.models import Dataset
from corridor.risk.sources.common import code_name
from corridor.web.auth import Auth, node_of
from corridor.web.own_records import OwnRecords, node_owned
from corridor.web.params import PageAuth
from corridor.web.render import own_label, page
from corridor.web.sharing import SharingForm

router = APIRouter(include_in_schema=False, prefix="/risk/assessments")
SCOPE_LABELS = {
    "route": N_("A route"),
    "border_section": N_("A border section"),
    "nationality": N_("A nationality"),
}
ANSWER_LABELS = {
    "yes": N_("In place"),
    "partly": N_("Partly"),
    "no": N_("Missing"),
    "unknown": N_("Not known"),
}


def _vocabularies() -> dict[str, Any]:
    return {
        "scopes": SCOPE_LABELS,
        "items": ciram.VULNERABILITY_ITEMS,
        "answers": ANSWER_LABELS,
        "methods": ciram.METHODS,
        "levels": ciram.LEVEL_LABELS,
        "code_name": code_name,
    }


def _form_context(session: Session, node: Node, auth: Auth) -> dict[str, Any]:
    """The routes the indicators know (for the route field) and the challenges to link."""
    routes: set[str] = set()
    for coverage in session.scalars(select(Dataset.coverage)):
        for seen in (coverage or {}).values():
            routes.update(seen.get("routes", []))
    return {
        "known_routes": sorted(routes),
        "challenge_rows": challenges.list_challenges(session, node.id, actor=auth.principal),
        **_vocabularies(),
    }


FORMS = OwnRecords(
    path="/risk/assessments",
    template="risk/assessment_form.html",
    blank=lambda _node: AssessmentForm(),
    of_body=AssessmentForm.of_body,
    recorded=N_("Assessment recorded."),
    updated=N_("Assessment updated (version %(v)d)."),
    context=_form_context,
    addressed=lambda _peers: SharingForm(tlp="AMBER", purpose="risk-analysis"),
    **node_owned(
        ASSESSMENT, service.save_assessment, permission="risk.assess", peers=approved_peers
    ),
)


@router.get("", response_class=HTMLResponse)
def ranking(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        rows = service.ranked(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "risk/assessments.html",
        {
            "rows": rows,
            "matrix": service.matrix(rows),
            "names": names,
            "may_write": auth.principal.has("risk.assess"),
            **_vocabularies(),
        },
    )


FORMS.mount(router, AssessmentForm)


@router.get("/{assessment_id}", response_class=HTMLResponse)
def detail(request: Request, auth: PageAuth, assessment_id: uuid.UUID) -> HTMLResponse:
    auth.principal.require("risk.read")
    node = node_of(request)
    with node.db.transaction() as session:
        env = get_record(
            session, node.id, actor=auth.principal, type=ASSESSMENT, record_id=assessment_id
        )
        body = env.get("body") or {}
        linked = []
        for ref in body.get("challenges", []):
            row = challenges.visible_challenge(session, node.id, auth.principal, ref)
            linked.append({"id": ref, "title": row.title if row else None})
        names = node_names(session, node.id, own_label(request))
    risk = ciram.assess(body) if body else None
    return page(
        request,
        "risk/assessment.html",
        {
            "e": env,
            "b": body,
            "risk": risk,
            "linked": linked,
            "names": names,
            "can_edit": FORMS.can_edit(env, node.id, auth),
            "home": FORMS.path,
            **_vocabularies(),
        },
    )
