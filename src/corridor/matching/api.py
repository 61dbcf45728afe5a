"""REST API of hit/no-hit (/api/v1/matching) and the holder's evaluation endpoint that partner
nodes call (/federation/v1/matching/evaluate, signed by the calling node)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from corridor.audit import service as audit
from corridor.errors import InvalidInput
from corridor.federation.endpoint import authenticate
from corridor.matching import evaluation, service
from corridor.matching.models import HitOnOurs
from corridor.matching.schemas import CheckIn, CheckOut, HitList, HitOnOursOut
from corridor.web.auth import node_of
from corridor.web.endpoints import Api

router = APIRouter(tags=["matching"])
API = "/api/v1/matching"


@router.post(API + "/check", response_model=CheckOut)
def check(api: Api, payload: CheckIn) -> CheckOut:
    """Does any partner know these selectors? Phones in any national notation (give
    `country`), names in any script (a `birth_year` narrows them). Each hit names the partner
    node, the selector type, the partner's referral handle and its level (`exact` or
    `name`), nothing else; the partner is told of the hit. No value leaves this node."""
    queries = [
        service.Query(s.type, s.value, s.country.upper() if s.country else None, s.birth_year)
        for s in payload.selectors
    ]
    outcome = service.check(api.node, actor=api.actor, queries=queries)
    return CheckOut.model_validate(service.as_json(outcome))


@router.get(API + "/hits", response_model=HitList)
def hits(api: Api) -> HitList:
    """The hits partners made on this node's data: which handle, of which entity, who asked
    (node and person) and when, newest first."""
    api.actor.require("matching.hits")
    with api.transaction() as session:
        rows = session.scalars(select(HitOnOurs).order_by(HitOnOurs.at.desc()).limit(1000)).all()
        audit.append(session, actor=api.actor, action="matching.hits", detail={"count": len(rows)})
        items = [
            HitOnOursOut(
                id=str(r.id),
                handle=r.handle,
                entity=r.entity_id,
                type=r.type,
                level=r.level,
                node=r.node,
                author=r.author,
                at=r.at,
            )
            for r in rows
        ]
    return HitList(items=items)


@router.post("/federation/v1/matching/evaluate", include_in_schema=False)
async def evaluate(request: Request) -> dict[str, Any]:
    body = await request.body()
    peer = await run_in_threadpool(authenticate, request, body)
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput("body: not JSON", field="body") from None
    return await run_in_threadpool(evaluation.evaluate, node_of(request), peer, data)
