"""What the mapping API modules share (routes/, challenges/, commitments/ and map/ each have an
`api.py` with its router): the caller, and one course for saving and withdrawing a record."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from corridor.mapping import service as mapping
from corridor.mapping.schemas import Shared, WithdrawIn, record_view
from corridor.security.principal import Principal
from corridor.web.auth import api_principal, node_of

Actor = Annotated[Principal, Depends(api_principal)]


def answer(data: Any, status: int = 200) -> JSONResponse:
    """The JSON answer, as the services built it. Each endpoint declares its response_model,
    which describes the answer in the OpenAPI document (tests hold the answers to it); FastAPI
    does not rebuild the answer through it, so the JSON stays exactly what it was (a number the
    records store as 40 is not answered as 40.0) and a long list is not validated twice."""
    return JSONResponse(jsonable_encoder(data), status_code=status)


def save_record(
    request: Request,
    actor: Principal,
    *,
    save: mapping.SaveOwn,
    payload: Shared,
    body: type[BaseModel],
    record_id: uuid.UUID | None = None,
) -> JSONResponse:
    """Create one of this node's records (no `record_id`: 201) or change it, through `save`;
    the answer is the saved record."""
    node = node_of(request)
    with node.db.transaction() as session:
        envelope = save(
            session,
            node.keys,
            actor=actor,
            body=payload.body(body),
            record_id=record_id,
            **payload.sharing(new=record_id is None),
        )
    return answer(record_view(envelope), 201 if record_id is None else 200)


def withdraw_record(
    request: Request, actor: Principal, *, type: str, record_id: uuid.UUID, payload: WithdrawIn
) -> JSONResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        envelope = mapping.withdraw(
            session, node.keys, actor=actor, type=type, record_id=record_id, reason=payload.reason
        )
    return answer(record_view(envelope))


def read_record(
    request: Request, actor: Principal, *, type: str, record_id: uuid.UUID
) -> JSONResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        envelope = mapping.get_record(session, node.id, actor=actor, type=type, record_id=record_id)
    return answer(record_view(envelope))
