"""REST API: /api/v1/commitments, with endorsements, actions and progress updates."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from corridor import countries
from corridor.errors import NotFound
from corridor.federation.peers import node_countries
from corridor.mapping.commitments import service as cm
from corridor.mapping.commitments.progress import Portfolio
from corridor.mapping.commitments.records import ACTION, COMMITMENT
from corridor.mapping.commitments.schemas import (
    ActionIn,
    ActionOut,
    CommitmentBody,
    CommitmentDashboard,
    CommitmentDetail,
    CommitmentIn,
    CommitmentList,
    CommitmentOut,
    CountryScorecard,
    EndorseIn,
    EndorsementOut,
    UpdateIn,
)
from corridor.mapping.schemas import Theme
from corridor.records.owned import get_record
from corridor.records.schemas import WithdrawIn, record_view
from corridor.web.endpoints import Api, ApiCall, answer, save_record, signed_record, withdraw_record

router = APIRouter(prefix="/api/v1", tags=["mapping"])


@router.get("/commitments", response_model=CommitmentList)
def list_commitments(api: Api, theme: Theme | None = None) -> Response:
    with api.reading() as session:
        return answer({"items": Portfolio(session, api.node.id, api.actor).summaries(theme)})


@router.get("/commitments/dashboard", response_model=CommitmentDashboard)
def dashboard(api: Api) -> Response:
    with api.reading() as session:
        country_of = node_countries(session, api.node.id, api.node.config.country)
        return answer(Portfolio(session, api.node.id, api.actor).dashboard(country_of))


@router.get("/commitments/scorecard/{country}", response_model=CountryScorecard)
def scorecard(api: Api, country: str) -> Response:
    cc = countries.normalise(country)
    with api.reading() as session:
        return answer(Portfolio(session, api.node.id, api.actor).scorecard(cc))


@router.post("/commitments", status_code=201, response_model=CommitmentOut)
def create_commitment(api: Api, payload: CommitmentIn) -> Response:
    return save_record(api, save=cm.save_commitment, payload=payload, body=CommitmentBody)


@router.get("/commitments/{commitment_id}", response_model=CommitmentDetail)
def get_commitment(api: Api, commitment_id: uuid.UUID) -> Response:
    with api.transaction() as session:
        detail = cm.commitment_detail(
            session, api.node.id, actor=api.actor, commitment_id=commitment_id
        )
    return answer(detail)


@router.put("/commitments/{commitment_id}", response_model=CommitmentOut)
def update_commitment(api: Api, commitment_id: uuid.UUID, payload: CommitmentIn) -> Response:
    return save_record(
        api,
        save=cm.save_commitment,
        payload=payload,
        body=CommitmentBody,
        record_id=commitment_id,
    )


@router.post("/commitments/{commitment_id}/withdraw", response_model=CommitmentOut)
def withdraw_commitment(api: Api, commitment_id: uuid.UUID, payload: WithdrawIn) -> Response:
    return withdraw_record(api, type=COMMITMENT, record_id=commitment_id, payload=payload)


@router.post("/commitments/{commitment_id}/endorse", status_code=201, response_model=EndorsementOut)
def endorse(api: Api, commitment_id: uuid.UUID, payload: EndorseIn) -> Response:
    return signed_record(api, cm.endorse, 201, commitment_id=commitment_id, note=payload.note)


def _action_fields(payload: ActionIn, node_country: str) -> dict[str, Any]:
    fields = payload.model_dump(mode="json", exclude_none=True)
    fields["country"] = countries.normalise(payload.country or node_country)
    return fields


def _save_action(
    api: ApiCall,
    commitment_id: uuid.UUID,
    payload: ActionIn,
    action_id: uuid.UUID | None = None,
) -> Response:
    country = api.node.config.country
    return signed_record(
        api,
        cm.save_action,
        201 if action_id is None else 200,
        commitment_id=commitment_id,
        fields=_action_fields(payload, country),
        node_country=country,
        action_id=action_id,
    )


@router.post("/commitments/{commitment_id}/actions", status_code=201, response_model=ActionOut)
def create_action(api: Api, commitment_id: uuid.UUID, payload: ActionIn) -> Response:
    return _save_action(api, commitment_id, payload)


@router.get("/commitments/{commitment_id}/actions/{action_id}", response_model=ActionOut)
def get_action(api: Api, commitment_id: uuid.UUID, action_id: uuid.UUID) -> Response:
    with api.transaction() as session:
        env = get_record(session, api.node.id, actor=api.actor, type=ACTION, record_id=action_id)
        if (env.get("body") or {}).get("commitment") != str(commitment_id):
            raise NotFound(f"no action {action_id} under commitment {commitment_id}")
    return answer(record_view(env))


@router.put("/commitments/{commitment_id}/actions/{action_id}", response_model=ActionOut)
def update_action(
    api: Api,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: ActionIn,
) -> Response:
    return _save_action(api, commitment_id, payload, action_id)


@router.post(
    "/commitments/{commitment_id}/actions/{action_id}/updates",
    status_code=201,
    response_model=ActionOut,
)
def post_update(
    api: Api,
    commitment_id: uuid.UUID,
    action_id: uuid.UUID,
    payload: UpdateIn,
) -> Response:
    return signed_record(
        api,
        cm.post_update,
        201,
        commitment_id=commitment_id,
        action_id=action_id,
        on=payload.on,
        text=payload.text,
        values=payload.values,
        milestones_done=payload.milestones_done,
        evidence=[e.model_dump(mode="json", exclude_none=True) for e in payload.evidence],
    )
