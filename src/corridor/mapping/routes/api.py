"""REST API: /api/v1/routes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from corridor.mapping.api import Actor, answer, read_record, save_record, withdraw_record
from corridor.mapping.routes import service as routes
from corridor.mapping.routes.records import ROUTE
from corridor.mapping.routes.schemas import RouteBody, RouteIn, RouteList, RouteOut
from corridor.mapping.schemas import WithdrawIn
from corridor.web.auth import node_of

router = APIRouter(prefix="/api/v1", tags=["mapping"])


@router.get("/routes", response_model=RouteList)
def list_routes(request: Request, actor: Actor) -> Response:
    node = node_of(request)
    with node.db.reading() as session:
        items = [routes.route_view(r) for r in routes.list_routes(session, node.id, actor=actor)]
    return answer({"items": items})


@router.post("/routes", status_code=201, response_model=RouteOut)
def create_route(request: Request, actor: Actor, payload: RouteIn) -> Response:
    return save_record(request, actor, save=routes.save_route, payload=payload, body=RouteBody)


@router.get("/routes/{route_id}", response_model=RouteOut)
def get_route(request: Request, actor: Actor, route_id: uuid.UUID) -> Response:
    return read_record(request, actor, type=ROUTE, record_id=route_id)


@router.put("/routes/{route_id}", response_model=RouteOut)
def update_route(request: Request, actor: Actor, route_id: uuid.UUID, payload: RouteIn) -> Response:
    return save_record(
        request, actor, save=routes.save_route, payload=payload, body=RouteBody, record_id=route_id
    )


@router.post("/routes/{route_id}/withdraw", response_model=RouteOut)
def withdraw_route(
    request: Request, actor: Actor, route_id: uuid.UUID, payload: WithdrawIn
) -> Response:
    return withdraw_record(request, actor, type=ROUTE, record_id=route_id, payload=payload)
