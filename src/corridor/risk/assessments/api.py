"""REST API: /api/v1/risk/assessments (CIRAM-style risk assessments as records)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from corridor.records.owned import get_record
from corridor.records.schemas import WithdrawIn, record_view
from corridor.risk import ciram
from corridor.risk.assessments import service
from corridor.risk.assessments.records import ASSESSMENT
from corridor.risk.assessments.schemas import (
    AssessmentBody,
    AssessmentIn,
    AssessmentOut,
    RankedList,
)
from corridor.web.endpoints import Api, answer, save_record, withdraw_record

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])


@router.get("/assessments", response_model=RankedList)
def ranked(api: Api) -> Response:
    """The assessments the caller may see, the highest risk first, each with its threat,
    vulnerability, impact, likelihood, method, score and level."""
    with api.reading() as session:
        items = [
            service.ranked_view(r) for r in service.ranked(session, api.node.id, actor=api.actor)
        ]
    return answer({"items": items})


@router.post("/assessments", status_code=201, response_model=AssessmentOut)
def create(api: Api, payload: AssessmentIn) -> Response:
    return save_record(api, save=service.save_assessment, payload=payload, body=AssessmentBody)


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut)
def read(api: Api, assessment_id: uuid.UUID) -> Response:
    """The assessment as recorded, with its risk as its method combines it."""
    api.actor.require("risk.read")
    with api.transaction() as session:
        envelope = get_record(
            session, api.node.id, actor=api.actor, type=ASSESSMENT, record_id=assessment_id
        )
    view = record_view(envelope)
    if envelope.get("body"):
        view["risk"] = ciram.assess(envelope["body"]).to_dict()
    return answer(view)


@router.put("/assessments/{assessment_id}", response_model=AssessmentOut)
def update(api: Api, assessment_id: uuid.UUID, payload: AssessmentIn) -> Response:
    return save_record(
        api,
        save=service.save_assessment,
        payload=payload,
        body=AssessmentBody,
        record_id=assessment_id,
    )


@router.post("/assessments/{assessment_id}/withdraw", response_model=AssessmentOut)
def withdraw(api: Api, assessment_id: uuid.UUID, payload: WithdrawIn) -> Response:
    return withdraw_record(api, type=ASSESSMENT, record_id=assessment_id, payload=payload)
