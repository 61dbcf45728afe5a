"""The link graph of a case in the web UI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from corridor.entities.access import open_case
from corridor.entities.analysis import service as analysis
from corridor.entities.ftm import entity_schemata
from corridor.web.auth import node_of
from corridor.web.params import PageAuth
from corridor.web.render import page

router = APIRouter(include_in_schema=False)


def _vendored(prefix: str) -> str:
    """The directory of a vendored library, e.g. cytoscape-3.33.1 (the version is in its name)."""
    base = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor"
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
        case = open_case(session, actor=auth.principal, ref=ref)
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
        case = open_case(session, actor=auth.principal, ref=ref)
        metrics = analysis.key_players(session, actor=auth.principal, case_ref=str(case.id))
        timeline = analysis.case_timeline(session, actor=auth.principal, case_ref=str(case.id))
    return page(
        request,
        "entities/_graph_analysis.html",
        {"case": case, "metrics": metrics, "timeline": timeline[:500]},
    )
