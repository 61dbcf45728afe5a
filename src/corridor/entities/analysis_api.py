"""REST API: link analysis of a case, saved charts, exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from corridor.entities import analysis
from corridor.entities.api import Actor, iso
from corridor.schemas import StrictModel
from corridor.web.auth import node_of

router = APIRouter(prefix="/api/v1", tags=["entities"])


@router.get("/cases/{ref}/graph")
def case_graph(
    request: Request,
    actor: Actor,
    ref: str,
    seed: Annotated[list[str] | None, Query(max_length=50)] = None,
    hops: Annotated[int, Query(ge=0, le=analysis.MAX_HOPS)] = 1,
    selectors: bool = True,
    limit: Annotated[int, Query(ge=10, le=5000)] = 500,
    chart: Annotated[str | None, Query(max_length=120)] = None,
) -> dict[str, Any]:
    """The case's graph (or the neighbourhood of `seed`), with centrality and communities;
    with `chart`, the positions and pins of that saved chart."""
    node = node_of(request)
    with node.db.transaction() as session:
        view = analysis.case_graph(
            session,
            actor=actor,
            case_ref=ref,
            seeds=seed,
            hops=hops,
            selectors=selectors,
            limit=limit,
        )
        saved = (
            analysis.chart_named(session, actor=actor, case_ref=ref, name=chart) if chart else None
        )
        layout = saved.layout if saved else {}
        return {
            **view.elements,
            "truncated": view.truncated,
            "positions": layout.get("positions", {}),
            "pinned": layout.get("pinned", []),
        }


@router.get("/cases/{ref}/graph/paths")
def case_paths(
    request: Request,
    actor: Actor,
    ref: str,
    a: Annotated[str, Query(max_length=128)],
    b: Annotated[str, Query(max_length=128)],
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return {"paths": analysis.paths(session, actor=actor, case_ref=ref, a=a, b=b)}


@router.get("/cases/{ref}/graph/metrics")
def case_metrics(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return analysis.key_players(session, actor=actor, case_ref=ref)


@router.get("/cases/{ref}/graph/timeline")
def case_graph_timeline(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        items = analysis.case_timeline(session, actor=actor, case_ref=ref)
        return {"items": [i.to_dict() for i in items]}


class ChartIn(StrictModel):
    """A chart as the graph view saves it: node positions and pinned nodes (given either as
    `layout` or as top-level `positions`/`pinned`)."""

    name: str = Field(default="Main chart", min_length=1, max_length=120)
    layout: dict[str, Any] | None = None
    positions: dict[str, dict[str, float]] | None = None
    pinned: list[str] | None = Field(default=None, max_length=20_000)

    def as_layout(self) -> dict[str, Any]:
        if self.layout is not None:
            return self.layout
        return {"positions": self.positions or {}, "pinned": self.pinned or []}


def chart_dict(c: Any) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "name": c.name,
        "layout": c.layout,
        "created_by": c.created_by,
        "updated_at": iso(c.updated_at),
    }


@router.get("/cases/{ref}/charts")
def list_charts(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return {
            "items": [chart_dict(c) for c in analysis.charts(session, actor=actor, case_ref=ref)]
        }


@router.post("/cases/{ref}/charts", status_code=201)
def save_chart(request: Request, actor: Actor, ref: str, payload: ChartIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return chart_dict(
            analysis.save_chart(
                session, actor=actor, case_ref=ref, name=payload.name, layout=payload.as_layout()
            )
        )


@router.get("/cases/{ref}/export")
def export_case(
    request: Request,
    actor: Actor,
    ref: str,
    format: Annotated[str, Query(pattern="^(ftm|csv|gexf|graphml)$")] = "ftm",
) -> Response:
    node = node_of(request)
    with node.db.transaction() as session:
        case, chunks = analysis.export_case(session, actor=actor, case_ref=ref, fmt=format)
        body = b"".join(chunks)
    media, ext = analysis.EXPORT_FORMATS[format]
    safe_ref = "".join(c if c.isalnum() or c in "-_" else "_" for c in case.reference)
    name = f"{safe_ref}-TLP_{case.tlp.replace('+', '_')}.{ext}"
    return Response(
        body,
        media_type=media,
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "x-content-type-options": "nosniff",
        },
    )
