"""The review of possible duplicates in the web UI, and splitting a merged entity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from corridor.entities.access import member_role, open_case
from corridor.entities.resolution import service as resolution
from corridor.entities.resolution.schemas import CandidateId
from corridor.entities.service import context_of
from corridor.errors import CorridorError
from corridor.i18n import gettext as _
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False)
PageAuth = Annotated[Auth, Depends(page_auth)]


@router.get("/cases/{ref}/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, auth: PageAuth, ref: str) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        case = open_case(session, actor=auth.principal, ref=ref)
        role = member_role(session, auth.principal, case)
        items = resolution.queue(
            session, actor=auth.principal, ctx=context_of(node), case_ref=str(case.id), limit=50
        )
    return page(
        request,
        "entities/duplicates.html",
        {
            "case": case,
            "items": items,
            "can_write": role in ("owner", "member") and case.status == "open",
        },
    )


@router.post("/cases/{ref}/duplicates")
def duplicates_detect(request: Request, auth: PageAuth, ref: str) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            found = resolution.detect(
                session, actor=auth.principal, ctx=context_of(node), case_ref=ref
            )
    except CorridorError as exc:
        return redirect(request, f"/cases/{ref}/duplicates", exc.detail)
    return redirect(
        request,
        f"/cases/{ref}/duplicates",
        _("%(n)d entities compared in %(c)d pairs; %(p)d new pair(s) to review.")
        % {"n": found.entities, "c": found.compared, "p": found.proposed},
    )


@router.post("/cases/{ref}/duplicates/{candidate_id}")
def duplicates_decide(
    request: Request,
    auth: PageAuth,
    ref: str,
    candidate_id: CandidateId,
    decision: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            resolution.decide(
                session,
                actor=auth.principal,
                ctx=context_of(node),
                candidate_id=candidate_id,
                decision=decision,
            )
    except CorridorError as exc:
        return redirect(request, f"/cases/{ref}/duplicates", exc.detail)
    return redirect(request, f"/cases/{ref}/duplicates", _("Decision recorded."))


@router.post("/entities/{entity_id}/split")
def entity_split(request: Request, auth: PageAuth, entity_id: str) -> Response:
    node = node_of(request)
    try:
        with node.db.transaction() as session:
            resolution.split(
                session, actor=auth.principal, ctx=context_of(node), entity_id=entity_id
            )
    except CorridorError as exc:
        return redirect(request, f"/entities/{entity_id}", exc.detail)
    return redirect(request, f"/entities/{entity_id}", _("Split: it stands alone again."))
