"""REST API of entity resolution: /api/v1/entities/compare, /dedupe, /candidates, /merge and
/{id}/split.

Mounted before the entities' own router: `/entities/candidates` must not be read as the entity
with the id "candidates"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from corridor.entities.resolution import service as resolution
from corridor.entities.resolution.schemas import (
    CandidateId,
    CandidateList,
    CandidateOut,
    CompareIn,
    ComparisonOut,
    DecisionIn,
    DecisionOut,
    DedupeIn,
    DetectionOut,
    MergeIn,
)
from corridor.entities.schemas import EntityOut
from corridor.entities.service import context_of
from corridor.security.principal import Principal
from corridor.web.auth import api_principal, api_reader, node_of

router = APIRouter(prefix="/api/v1", tags=["entities"])
Actor = Annotated[Principal, Depends(api_principal)]
# For the POST routes that only compute an answer (see `web.auth.api_reader`).
Reader = Annotated[Principal, Depends(api_reader)]


@router.post("/entities/compare")
def compare_entities(request: Request, actor: Reader, payload: CompareIn) -> ComparisonOut:
    actor.require("entities.read")
    node = node_of(request)
    result = resolution.compare_entities(payload.a, payload.b, ctx=context_of(node))
    return ComparisonOut.model_validate(result.to_dict())


@router.post("/entities/dedupe")
def detect_duplicates(request: Request, actor: Actor, payload: DedupeIn) -> DetectionOut:
    node = node_of(request)
    with node.db.transaction() as session:
        found = resolution.detect(session, actor=actor, ctx=context_of(node), case_ref=payload.case)
        return DetectionOut.model_validate(found)


def candidate_out(c: resolution.Candidate) -> CandidateOut:
    return CandidateOut(
        id=c.row.id,
        score=c.row.score,
        status=c.row.status,
        reasons=c.row.reasons,
        case_id=c.row.case_id,
        a=EntityOut.model_validate(c.a),
        b=EntityOut.model_validate(c.b),
        decided_by=c.row.decided_by,
        decided_at=c.row.decided_at,
    )


@router.get("/entities/candidates")
def list_candidates(
    request: Request,
    actor: Actor,
    case: str | None = None,
    status: Annotated[str, Query(pattern="^(pending|same|different|unsure)$")] = "pending",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CandidateList:
    node = node_of(request)
    with node.db.transaction() as session:
        items = resolution.queue(
            session, actor=actor, ctx=context_of(node), case_ref=case, status=status, limit=limit
        )
        return CandidateList(items=[candidate_out(c) for c in items])


@router.post("/entities/candidates/{candidate_id}/decision")
def decide_candidate(
    request: Request, actor: Actor, candidate_id: CandidateId, payload: DecisionIn
) -> DecisionOut:
    node = node_of(request)
    with node.db.transaction() as session:
        row = resolution.decide(
            session,
            actor=actor,
            ctx=context_of(node),
            candidate_id=candidate_id,
            decision=payload.decision,
        )
        return DecisionOut.model_validate(row)


@router.post("/entities/merge")
def merge_entities(request: Request, actor: Actor, payload: MergeIn) -> EntityOut:
    node = node_of(request)
    with node.db.transaction() as session:
        kept = resolution.merge(
            session,
            actor=actor,
            ctx=context_of(node),
            keep_id=payload.keep,
            merge_id=payload.merge,
        )
        return EntityOut.model_validate(kept)


@router.post("/entities/{entity_id}/split")
def split_entity(request: Request, actor: Actor, entity_id: str) -> EntityOut:
    node = node_of(request)
    with node.db.transaction() as session:
        return EntityOut.model_validate(
            resolution.split(session, actor=actor, ctx=context_of(node), entity_id=entity_id)
        )
