"""REST API: /api/v1/challenges, with the CSV and GeoJSON exports."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corridor import countries
from corridor.mapping.challenges import exports
from corridor.mapping.challenges import service as challenges
from corridor.mapping.challenges.records import CHALLENGE
from corridor.mapping.challenges.schemas import (
    ChallengeBody,
    ChallengeIn,
    ChallengeList,
    ChallengeOut,
    Severity,
    Status,
)
from corridor.mapping.routes import service as routes
from corridor.mapping.schemas import Theme
from corridor.records.schemas import WithdrawIn
from corridor.web.endpoints import Api, read_record, save_record, withdraw_record

router = APIRouter(prefix="/api/v1", tags=["mapping"])


def filters(
    theme: Annotated[list[Theme] | None, Query()] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[list[Status] | None, Query()] = None,
    route: uuid.UUID | None = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    origin: Annotated[str | None, Query(pattern=r"^[a-z2-7]{26}$")] = None,
    since: date | None = None,
    until: date | None = None,
) -> challenges.Filters:
    """The filters of the network view (the list, the exports, the map) from the query."""
    return challenges.Filters(
        themes=tuple(theme or ()),
        severities=tuple(severity or ()),
        statuses=tuple(status or ()),
        route=route,
        country=countries.normalise(country) if country else None,
        origin=origin,
        since=since,
        until=until,
    )


Filters = Annotated[challenges.Filters, Depends(filters)]


@router.get("/challenges", response_model=ChallengeList)
def list_challenges(api: Api, f: Filters) -> Response:
    with api.reading() as session:
        rows = challenges.list_challenges(session, api.node.id, actor=api.actor, filters=f)
        items = [r.summary for r in rows]
    # The stored summaries are spliced in as they are (see models.ChallengeRow.summary).
    return Response(
        challenges.spliced_json({"items": items}, "items"), media_type="application/json"
    )


@router.get(
    "/challenges/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the challenges as CSV"}},
)
def export_csv(api: Api, f: Filters) -> Response:
    with api.reading() as session:
        rows = challenges.list_challenges(session, api.node.id, actor=api.actor, filters=f)
        names = {
            str(r.id): r.name for r in routes.list_routes(session, api.node.id, actor=api.actor)
        }
    return Response(
        exports.export_csv(rows, names),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="challenges.csv"'},
    )


@router.get(
    "/challenges/export.geojson",
    response_class=Response,
    responses={
        200: {
            "content": {"application/geo+json": {}},
            "description": "the challenges and routes as a GeoJSON FeatureCollection",
        }
    },
)
def export_geojson(api: Api, f: Filters) -> Response:
    with api.reading() as session:
        rows = challenges.list_challenges(session, api.node.id, actor=api.actor, filters=f)
        drawn = routes.list_routes(session, api.node.id, actor=api.actor)
        if f.route:
            drawn = [r for r in drawn if r.id == f.route]
        data = exports.export_geojson(rows, drawn)
    return Response(
        json.dumps(data, ensure_ascii=False),
        media_type="application/geo+json",
        headers={"content-disposition": 'attachment; filename="challenges.geojson"'},
    )


@router.post("/challenges", status_code=201, response_model=ChallengeOut)
def create_challenge(api: Api, payload: ChallengeIn) -> Response:
    return save_record(api, save=challenges.save_challenge, payload=payload, body=ChallengeBody)


@router.get("/challenges/{challenge_id}", response_model=ChallengeOut)
def get_challenge(api: Api, challenge_id: uuid.UUID) -> Response:
    return read_record(api, type=CHALLENGE, record_id=challenge_id)


@router.put("/challenges/{challenge_id}", response_model=ChallengeOut)
def update_challenge(api: Api, challenge_id: uuid.UUID, payload: ChallengeIn) -> Response:
    return save_record(
        api,
        save=challenges.save_challenge,
        payload=payload,
        body=ChallengeBody,
        record_id=challenge_id,
    )


@router.post(
    "/challenges/{challenge_id}/withdraw",
    response_model=ChallengeOut,
)
def withdraw_challenge(api: Api, challenge_id: uuid.UUID, payload: WithdrawIn) -> Response:
    return withdraw_record(api, type=CHALLENGE, record_id=challenge_id, payload=payload)
