"""REST API: /api/v1/risk/profiles (risk profiles for front-line officers, as records)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from corridor.records.schemas import WithdrawIn
from corridor.risk.profiles import service
from corridor.risk.profiles.records import PROFILE
from corridor.risk.profiles.schemas import ProfileBody, ProfileIn, ProfileOut
from corridor.web.endpoints import Api, answer, read_record, save_record, withdraw_record

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])


@router.get("/profiles")
def listed(api: Api) -> Response:
    """The profiles the caller may see, the valid ones first."""
    with api.reading() as session:
        rows = service.listed(session, api.node.id, actor=api.actor)
        items = [
            {
                "id": str(r.id),
                "title": r.title,
                "route": r.route,
                "nationalities": r.nationalities,
                "valid_until": r.valid_until.isoformat() if r.valid_until else None,
                "lapsed": service.is_lapsed(r),
                "origin": r.origin,
                "version": r.version,
                "tlp": r.tlp,
            }
            for r in rows
        ]
    return answer({"items": items})


@router.post("/profiles", status_code=201, response_model=ProfileOut)
def create(api: Api, payload: ProfileIn) -> Response:
    return save_record(api, save=service.save_profile, payload=payload, body=ProfileBody)


@router.get("/profiles/{profile_id}", response_model=ProfileOut)
def read(api: Api, profile_id: uuid.UUID) -> Response:
    api.actor.require("risk.read")
    return read_record(api, type=PROFILE, record_id=profile_id)


@router.put("/profiles/{profile_id}", response_model=ProfileOut)
def update(api: Api, profile_id: uuid.UUID, payload: ProfileIn) -> Response:
    return save_record(
        api, save=service.save_profile, payload=payload, body=ProfileBody, record_id=profile_id
    )


@router.post("/profiles/{profile_id}/withdraw", response_model=ProfileOut)
def withdraw(api: Api, profile_id: uuid.UUID, payload: WithdrawIn) -> Response:
    return withdraw_record(api, type=PROFILE, record_id=profile_id, payload=payload)
