"""REST API: link analysis of a case, saved charts, exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from corridor.entities.analysis import service as analysis
from corridor.entities.analysis.schemas import (
    ChartIn,
    ChartList,
    ChartOut,
    FactList,
    FactOut,
    GraphOut,
    KeyPlayers,
    PathsOut,
)
from corridor.web.endpoints import Api

router = APIRouter(prefix="/api/v1", tags=["entities"])


@router.get("/cases/{ref}/graph")
def case_graph(
    api: Api,
    ref: str,
    seed: Annotated[list[str] | None, Query(max_length=50)] = None,
    hops: Annotated[int, Query(ge=0, le=analysis.MAX_HOPS)] = 1,
    selectors: bool = True,
    limit: Annotated[int, Query(ge=10, le=5000)] = 500,
    chart: Annotated[str | None, Query(max_length=120)] = None,
    fold: bool = True,
) -> GraphOut:
    """The case's graph (or the neighbourhood of `seed`), with centrality and communities;
    with `chart`, the positions and pins of that saved chart. With `fold` (the default), the
    leaves of a hub that has many are one cluster node (`kind` "cluster", `hub`, `count`,
    `members`); `fold=false` with `seed` set to the hub lists them."""
    with api.transaction() as session:
        view = analysis.case_graph(
            session,
            actor=api.actor,
            case_ref=ref,
            seeds=seed,
            hops=hops,
            selectors=selectors,
            limit=limit,
            fold=fold,
        )
        saved = (
            analysis.chart_named(session, actor=api.actor, case_ref=ref, name=chart)
            if chart
            else None
        )
        layout = saved.layout if saved else {}
        return GraphOut(
            nodes=view.elements["nodes"],
            edges=view.elements["edges"],
            truncated=view.truncated,
            positions=layout.get("positions", {}),
            pinned=layout.get("pinned", []),
        )


@router.get("/cases/{ref}/graph/paths")
def case_paths(
    api: Api,
    ref: str,
    a: Annotated[str, Query(max_length=128)],
    b: Annotated[str, Query(max_length=128)],
) -> PathsOut:
    with api.transaction() as session:
        found = analysis.paths(session, actor=api.actor, case_ref=ref, a=a, b=b)
        return PathsOut.model_validate({"paths": found})


@router.get("/cases/{ref}/graph/metrics")
def case_metrics(api: Api, ref: str) -> KeyPlayers:
    with api.transaction() as session:
        return KeyPlayers.model_validate(
            analysis.key_players(session, actor=api.actor, case_ref=ref)
        )


@router.get("/cases/{ref}/graph/timeline")
def case_graph_timeline(api: Api, ref: str) -> FactList:
    with api.transaction() as session:
        items = analysis.case_timeline(session, actor=api.actor, case_ref=ref)
        return FactList(items=[FactOut.model_validate(i.to_dict()) for i in items])


@router.get("/cases/{ref}/charts")
def list_charts(api: Api, ref: str) -> ChartList:
    with api.transaction() as session:
        rows = analysis.charts(session, actor=api.actor, case_ref=ref)
        return ChartList(items=[ChartOut.model_validate(c) for c in rows])


@router.post("/cases/{ref}/charts", status_code=201)
def save_chart(api: Api, ref: str, payload: ChartIn) -> ChartOut:
    with api.transaction() as session:
        return ChartOut.model_validate(
            analysis.save_chart(
                session,
                actor=api.actor,
                case_ref=ref,
                name=payload.name,
                layout=payload.as_layout(),
            )
        )


@router.get("/cases/{ref}/export", response_class=Response)
def export_case(
    api: Api,
    ref: str,
    format: Annotated[str, Query(pattern="^(ftm|csv|gexf|graphml)$")] = "ftm",
) -> Response:
    with api.transaction() as session:
        case, chunks = analysis.export_case(session, actor=api.actor, case_ref=ref, fmt=format)
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
