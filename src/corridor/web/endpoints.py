"""What every JSON endpoint of /api/v1 starts from and how its answer leaves.

An endpoint takes `api: Api` (the node that answers and who is calling, one parameter instead
of the request and the actor) and runs its service call inside `api.transaction()` or
`api.reading()`: one transaction that is committed when the block ends, so before the answer
is sent. That is why it is a plain context manager in the endpoint and not a FastAPI
dependency with `yield`, whose exit may run after the answer has left: a client must never
read an answer whose change is not committed yet.

The courses every module's endpoints share are `ApiCall`'s: `run` (a service that acts with
the node's keys, given the session, the keys and the caller), `delete` (a deletion answered
204) and `attachment` (a file of a record the caller may read). The services differ in their
own keyword arguments, which typing cannot express for "any service taking a session, the keys
and an actor": those are passed on unchecked by mypy, and each route's tests call it.

The answers: `as_json` (a finished model, serialised once), `answer` (what the services built,
as it is), `envelope_response` (a signed envelope untouched), `file_response` (a download);
`only_set` for a route whose answer carries only the fields it has.

The routes of node-owned records (records.owned: routes, challenges, commitments,
assessments) share one course per change and for reading one, each answered as the record
(`records.schemas.RecordOut`): `save_record`, `withdraw_record`, `read_record`, and
`signed_record` for any other service that signs one record."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from corridor.node.service import Node
from corridor.records import owned
from corridor.records.attachments import Download, download
from corridor.records.schemas import Shared, WithdrawIn, record_view
from corridor.security.principal import Principal
from corridor.web.auth import api_principal, node_of

T = TypeVar("T")

# The caller of an /api/v1 route (see `web.auth.api_principal`: a route that may change state
# refuses a read-only credential before it reads the body).
Actor = Annotated[Principal, Depends(api_principal)]


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One call of the API: the node that answers it and the principal who makes it."""

    node: Node
    actor: Principal

    def transaction(self) -> AbstractContextManager[Session]:
        """One unit of work: committed when the block ends (before the answer is sent), rolled
        back on any error."""
        return self.node.db.transaction()

    def reading(self) -> AbstractContextManager[Session]:
        """A transaction that only reads (it does not queue behind writers on SQLite)."""
        return self.node.db.reading()

    def run(self, session: Session, service: Callable[..., T], /, *args: Any, **fields: Any) -> T:
        """Call a service that acts with the node's keys the way they all take it:
        `service(session, node keys, *args, actor=the caller, **fields)` (the fields are the
        service's own keyword arguments, passed on as given)."""
        return service(session, self.node.keys, *args, actor=self.actor, **fields)

    def attachment(
        self, read: Callable[..., dict[str, Any]], index: int, /, **ids: Any
    ) -> Response:
        """File `index` of a record the caller reads through `read` (`run`: an audited read,
        committed before the file is handed out as a download)."""
        with self.transaction() as session:
            envelope = self.run(session, read, **ids)
        return file_response(download(envelope.get("body"), index))

    def delete(self, service: Callable[..., object], /, **fields: Any) -> Response:
        """Run a deletion, `service(session, actor=the caller, **fields)`, in one transaction;
        once it is committed, answer 204 and no body."""
        with self.transaction() as session:
            service(session, actor=self.actor, **fields)
        return Response(status_code=204)


async def api_call(request: Request, actor: Actor) -> ApiCall:
    return ApiCall(node_of(request), actor)


Api = Annotated[ApiCall, Depends(api_call)]


def only_set(model: type[BaseModel]) -> dict[str, Any]:
    """A route's options for an answer that carries only the fields it has (a withdrawn record
    has no text, only the sender sees its recipients): `@router.get(path, **only_set(X))`."""
    return {"response_model": model, "response_model_exclude_unset": True}


def file_response(file: Download) -> Response:
    """A file of a record handed out as a download (`records.attachments`)."""
    return Response(file.content, media_type=file.media_type, headers=file.headers)


def as_json(model: BaseModel) -> Response:
    """The finished model, serialised once. FastAPI would validate it against the route's
    response_model again before serialising (a twentieth of the CPU of a 20-item list);
    the response_model still describes the route in the OpenAPI document."""
    return Response(model.model_dump_json(), media_type="application/json")


def answer(data: Any, status: int = 200) -> JSONResponse:
    """The JSON answer, as the services built it. Each endpoint declares its response_model,
    which describes the answer in the OpenAPI document (tests hold the answers to it); FastAPI
    does not rebuild the answer through it, so the JSON stays exactly what it was (a number the
    records store as 40 is not answered as 40.0) and a long list is not validated twice."""
    return JSONResponse(jsonable_encoder(data), status_code=status)


def envelope_response(envelope: dict[str, Any] | list[dict[str, Any]]) -> JSONResponse:
    """A stored envelope (or chain of versions) handed out as it is, for its signature to
    check (`records.schemas`): the route's response_model=Envelope documents it only."""
    return JSONResponse(envelope)


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
    save: owned.SaveOwn,
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
    return signed_record(api, owned.withdraw, type=type, record_id=record_id, reason=payload.reason)


def read_record(api: ApiCall, *, type: str, record_id: uuid.UUID) -> JSONResponse:
    with api.transaction() as session:
        envelope = owned.get_record(
            session, api.node.id, actor=api.actor, type=type, record_id=record_id
        )
    return answer(record_view(envelope))
