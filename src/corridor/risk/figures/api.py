"""REST API: /api/v1/risk/figures (aggregates of the indicator store shared as records)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from corridor.records.schemas import WithdrawIn
from corridor.risk.figures import service
from corridor.risk.figures.records import FIGURES
from corridor.risk.figures.schemas import FiguresBody, FiguresIn, FiguresOut
from corridor.web.endpoints import Api, answer, read_record, save_record, withdraw_record

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])


@router.get("/figures")
def listed(api: Api) -> Response:
    """The figures shared by this node and its partners that the caller may see."""
    with api.reading() as session:
        rows = service.listed(session, api.node.id, actor=api.actor)
        items = [
            {
                "id": str(r.id),
                "title": r.title,
                "indicator": r.indicator,
                "period": r.period,
                "route": r.route,
                "nationality": r.nationality,
                "country": r.country,
                "dataset": r.dataset_title,
                "first": r.first,
                "last": r.last,
                "origin": r.origin,
                "version": r.version,
                "tlp": r.tlp,
                "purpose": r.purpose,
            }
            for r in rows
        ]
    return answer({"items": items})


@router.post("/figures", status_code=201, response_model=FiguresOut)
def create(api: Api, payload: FiguresIn) -> Response:
    """Share the figures of a selection of the indicator store (the node computes them): a
    series per month, quarter or year over the span asked, and a breakdown if asked. The
    dataset's labels bind the record's (refused naming the label otherwise)."""
    return save_record(api, save=service.save_figures, payload=payload, body=FiguresBody)


@router.get("/figures/{figures_id}", response_model=FiguresOut)
def read(api: Api, figures_id: uuid.UUID) -> Response:
    api.actor.require("risk.read")
    return read_record(api, type=FIGURES, record_id=figures_id)


@router.put("/figures/{figures_id}", response_model=FiguresOut)
def update(api: Api, figures_id: uuid.UUID, payload: FiguresIn) -> Response:
    """A new version: the figures recomputed from the store as it is now."""
    return save_record(
        api, save=service.save_figures, payload=payload, body=FiguresBody, record_id=figures_id
    )


@router.post("/figures/{figures_id}/withdraw", response_model=FiguresOut)
def withdraw(api: Api, figures_id: uuid.UUID, payload: WithdrawIn) -> Response:
    return withdraw_record(api, type=FIGURES, record_id=figures_id, payload=payload)
