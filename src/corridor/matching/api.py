"""REST API of hit/no-hit (/api/v1/matching) and the holder's evaluation endpoint that partner
nodes call (/federation/v1/matching/evaluate, signed by the calling node)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from corridor.errors import InvalidInput
from corridor.federation.endpoint import authenticate
from corridor.matching import evaluation, runs, service
from corridor.matching.models import CheckRun
from corridor.matching.schemas import (
    CheckIn,
    CheckOut,
    HitList,
    HitOnOursOut,
    HitOut,
    RunIn,
    RunOut,
    RunResult,
    SelectorOut,
)
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


@router.post(API + "/runs", response_model=RunOut, status_code=202)
def start_run(api: Api, payload: RunIn) -> RunOut:
    """Check many selectors (up to 100,000) or every entity of a case as a job; follow it with
    `GET /api/v1/matching/runs/{id}` (progress, then the selectors with hits)."""
    if bool(payload.selectors) == bool(payload.case):
        raise InvalidInput("selectors: give either selectors or a case", field="selectors")
    with api.transaction() as session:
        if payload.case:
            run = runs.start_case(session, api.node, actor=api.actor, ref=payload.case)
        else:
            queries = [s.model_dump(exclude_none=True) for s in payload.selectors]
            for q in queries:
                if "country" in q:
                    q["country"] = q["country"].upper()
            title = payload.title or f"{len(queries)} selectors"
            run = runs.start(
                session,
                actor=api.actor,
                queries=queries,
                title=title,
                region=api.node.config.country,
            )
        return _run_out(run)


@router.get(API + "/runs/{run_id}", response_model=RunOut)
def get_run(api: Api, run_id: uuid.UUID) -> RunOut:
    with api.reading() as session:
        return _run_out(runs.get(session, actor=api.actor, run_id=run_id))


def _run_out(run: CheckRun) -> RunOut:
    results = [
        RunResult(selector=SelectorOut(**q), hits=[HitOut(**h) for h in hits])
        for q, hits in zip(run.queries, run.results, strict=False)
        if hits
    ]
    return RunOut(
        id=str(run.id),
        title=run.title,
        kind=run.kind,
        state=run.state,
        total=run.total,
        done=run.done,
        hits=run.hits,
        error=run.error,
        created_at=run.created_at,
        finished_at=run.finished_at,
        results=results,
    )


@router.get(API + "/hits", response_model=HitList)
def hits(api: Api) -> HitList:
    """The hits partners made on this node's data: which handle, of which entity, who asked
    (node and person) and when, newest first."""
    with api.transaction() as session:
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
            for r in service.hits_on_ours(session, actor=api.actor)
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
