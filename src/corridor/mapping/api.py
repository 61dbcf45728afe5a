"""What the mapping API modules share (routes/, challenges/, commitments/ and map/ each have an
`api.py` with its router): one course for saving, reading and withdrawing a record."""

from __future__ import annotations

import uuid

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from corridor.mapping import service as mapping
from corridor.mapping.schemas import Shared
from corridor.records.schemas import WithdrawIn, record_view
from corridor.web.endpoints import ApiCall, answer


def save_record(
    api: ApiCall,
    *,
    save: mapping.SaveOwn,
    payload: Shared,
    body: type[BaseModel],
    record_id: uuid.UUID | None = None,
) -> JSONResponse:
    """Create one of this node's records (no `record_id`: 201) or change it, through `save`;
    the answer is the saved record."""
    with api.transaction() as session:
        envelope = save(
            session,
            api.node.keys,
            actor=api.actor,
            body=payload.body(body),
            record_id=record_id,
            **payload.sharing(new=record_id is None),
        )
    return answer(record_view(envelope), 201 if record_id is None else 200)


def withdraw_record(
    api: ApiCall, *, type: str, record_id: uuid.UUID, payload: WithdrawIn
) -> JSONResponse:
    with api.transaction() as session:
        envelope = mapping.withdraw(
            session,
            api.node.keys,
            actor=api.actor,
            type=type,
            record_id=record_id,
            reason=payload.reason,
        )
    return answer(record_view(envelope))


def read_record(api: ApiCall, *, type: str, record_id: uuid.UUID) -> JSONResponse:
    with api.transaction() as session:
        envelope = mapping.get_record(
            session, api.node.id, actor=api.actor, type=type, record_id=record_id
        )
    return answer(record_view(envelope))
