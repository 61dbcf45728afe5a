"""What the mapping API modules share (routes/, challenges/, commitments/ and map/ each have an
`api.py` with its router): one course for a change to a record (save, withdraw, endorse,
report progress) and for reading one, each answered as the record (`RecordOut`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from corridor.mapping import service as mapping
from corridor.mapping.schemas import Shared
from corridor.records.schemas import WithdrawIn, record_view
from corridor.web.endpoints import ApiCall, answer


def signed_record(
    api: ApiCall, service: Callable[..., dict[str, Any]], status: int = 200, **fields: Any
) -> JSONResponse:
    """Run a service that signs one record (`ApiCall.run`, the service's own keyword arguments
    in `fields`); once it is committed, answer that record with `status`."""
    with api.transaction() as session:
        envelope = api.run(session, service, **fields)
    return answer(record_view(envelope), status)


def save_record(
    api: ApiCall,
    *,
    save: mapping.SaveOwn,
    payload: Shared,
    body: type[BaseModel],
    record_id: uuid.UUID | None = None,
) -> JSONResponse:
    """Create one of this node's records (no `record_id`: 201) or change it, through `save`."""
    new = record_id is None
    return signed_record(
        api,
        save,
        201 if new else 200,
        body=payload.body(body),
        record_id=record_id,
        **payload.sharing(new=new),
    )


def withdraw_record(
    api: ApiCall, *, type: str, record_id: uuid.UUID, payload: WithdrawIn
) -> JSONResponse:
    return signed_record(
        api, mapping.withdraw, type=type, record_id=record_id, reason=payload.reason
    )


def read_record(api: ApiCall, *, type: str, record_id: uuid.UUID) -> JSONResponse:
    with api.transaction() as session:
        envelope = mapping.get_record(
            session, api.node.id, actor=api.actor, type=type, record_id=record_id
        )
    return answer(record_view(envelope))
