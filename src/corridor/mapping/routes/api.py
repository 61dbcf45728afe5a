"""REST API: /api/v1/routes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from corridor.mapping.routes import service as routes
from corridor.mapping.routes.records import ROUTE
from corridor.mapping.routes.schemas import RouteBody, RouteIn, RouteList, RouteOut
from corridor.records.schemas import WithdrawIn
from corridor.web.endpoints import Api, answer, read_record, save_record, withdraw_record

router = APIRouter(prefix="/api/v1", tags=["mapping"])


@router.get("/routes", response_model=RouteList)
def list_routes(api: Api) -> Response:
    with api.reading() as session:
        items = [
            routes.route_view(r) for r in routes.list_routes(session, api.node.id, actor=api.actor)
        ]
    return answer({"items": items})


@router.post("/routes", status_code=201, response_model=RouteOut)
def create_route(api: Api, payload: RouteIn) -> Response:
    return save_record(api, save=routes.save_route, payload=payload, body=RouteBody)


@router.get("/routes/{route_id}", response_model=RouteOut)
def get_route(api: Api, route_id: uuid.UUID) -> Response:
    return read_record(api, type=ROUTE, record_id=route_id)


@router.put("/routes/{route_id}", response_model=RouteOut)
def update_route(api: Api, route_id: uuid.UUID, payload: RouteIn) -> Response:
    return save_record(
        api, save=routes.save_route, payload=payload, body=RouteBody, record_id=route_id
    )


@router.post("/routes/{route_id}/withdraw", response_model=RouteOut)
def withdraw_route(api: Api, route_id: uuid.UUID, payload: WithdrawIn) -> Response:
    return withdraw_record(api, type=ROUTE, record_id=route_id, payload=payload)
