"""The link graph of a case and the review of possible duplicates in the web UI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from corridor.entities import analysis, cases, resolution
from corridor.entities.api import CandidateId, ctx_of
from corridor.entities.pages import PageAuth, entity_schemata
from corridor.errors import CorridorError
from corridor.i18n import gettext as _
from corridor.web.auth import node_of
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False)


def _vendored(prefix: str) -> str:
    """The directory of a vendored library, e.g. cytoscape-3.33.1 (the version is in its name)."""
    base = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor"
    found = sorted(p.name for p in base.glob(f"{prefix}-*") if p.is_dir())
    if not found:
        raise RuntimeError(f"vendored {prefix} is missing from the package")
    return found[-1]


@router.get("/cases/{ref}/graph", response_class=HTMLResponse)
def graph_page(
    request: Request,
    auth: PageAuth,
    ref: str,
    seed: Annotated[str | None, Query(max_length=128)] = None,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        case = cases.open_case(session, actor=auth.principal, ref=ref)
        saved = analysis.charts(session, actor=auth.principal, case_ref=str(case.id))
    return page(
        request,
        "entities/graph.html",
        {
            "case": case,
            "seed": seed,
            "schemata": entity_schemata(),
            "cytoscape_dir": _vendored("cytoscape"),
            "chart": next((c for c in saved if c.name == "Main chart"), None),
        },
    )


@router.get("/cases/{ref}/graph/_analysis", response_class=HTMLResponse)
def graph_analysis(request: Request, auth: PageAuth, ref: str) -> HTMLResponse:
    """Case-wide key players, networks and timeline: loaded after the graph page (seconds on a
    case of tens of thousands of entities)."""
    node = node_of(request)
    with node.db.transaction() as session:
        case = cases.open_case(session, actor=auth.principal, ref=ref)
        metrics = analysis.key_players(session, actor=auth.principal, case_ref=str(case.id))
        timeline = analysis.case_timeline(session, actor=auth.principal, case_ref=str(case.id))
    return page(
        request,
        "entities/_graph_analysis.html",
        {"case": case, "metrics": metrics, "timeline": timeline[:500]},
    )


# --- resolution -------------------------------------------------------------------------------


@router.get("/cases/{ref}/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, auth: PageAuth, ref: str) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        case = cases.open_case(session, actor=auth.principal, ref=ref)
        role = cases.member_role(session, auth.principal, case)
        items = resolution.queue(
            session, actor=auth.principal, ctx=ctx_of(node), case_ref=str(case.id), limit=50
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
            found = resolution.detect(session, actor=auth.principal, ctx=ctx_of(node), case_ref=ref)
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
                ctx=ctx_of(node),
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
            resolution.split(session, actor=auth.principal, ctx=ctx_of(node), entity_id=entity_id)
    except CorridorError as exc:
        return redirect(request, f"/entities/{entity_id}", exc.detail)
    return redirect(request, f"/entities/{entity_id}", _("Split: it stands alone again."))
