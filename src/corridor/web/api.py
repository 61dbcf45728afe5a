"""REST API /api/v1 for the core: node, me, users, units, tokens, audit, records, jobs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from corridor import __version__
from corridor.audit import service as audit
from corridor.audit.schemas import AuditRead, VerifyRead
from corridor.events import broker_for
from corridor.jobs import queue
from corridor.jobs.models import Job
from corridor.jobs.schemas import JobRead, JobsRead
from corridor.node.schemas import NodeRead
from corridor.records import service as records
from corridor.records.schemas import Envelope, EnvelopePage, RevokeBody
from corridor.schemas import MAX_INT64, Page
from corridor.security import service as security
from corridor.security.models import Unit, User
from corridor.security.schemas import (
    ReadingUpdate,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UnitCreate,
    UnitRead,
    UserCreate,
    UserCreated,
    UserRead,
    UserUpdate,
)
from corridor.web.admin import export_response, parse_filter
from corridor.web.endpoints import Api, as_json, envelope_response

router = APIRouter(prefix="/api/v1")


def _user_read(user: User) -> UserRead:
    return UserRead.model_validate(user)


# --- node and me -------------------------------------------------------------------------


@router.get("/node", response_model=NodeRead, tags=["node"])
def get_node(api: Api) -> NodeRead:
    node = api.node
    c = node.config
    return NodeRead(
        id=node.id,
        name=c.name,
        org=c.org,
        country=c.country,
        url=c.url,
        fingerprint=node.fingerprint,
        version=__version__,
    )


@router.get("/me", response_model=UserRead, tags=["users"])
def me(api: Api) -> UserRead:
    with api.reading() as session:
        return _user_read(security.find_user(session, api.actor.handle))


@router.patch("/me", response_model=UserRead, tags=["users"])
def update_me(api: Api, body: ReadingUpdate) -> UserRead:
    """The caller's own language, time zone and second calendar."""
    given = {name: getattr(body, name) for name in body.model_fields_set}
    with api.transaction() as session:
        user = security.find_user(session, api.actor.handle)
        return _user_read(security.set_reading(session, actor=api.actor, user=user, **given))


# --- users and units ---------------------------------------------------------------------


@router.get("/users", response_model=Page[UserRead], tags=["users"])
def list_users(api: Api) -> Response:
    with api.reading() as session:
        users = security.list_users(session, actor=api.actor)
        return as_json(Page[UserRead](items=[_user_read(u) for u in users], total=len(users)))


@router.post("/users", response_model=UserCreated, status_code=201, tags=["users"])
def create_user(api: Api, body: UserCreate) -> UserCreated:
    one_time = None if body.password else security.generate_password()
    with api.transaction() as session:
        unit = security.find_unit(session, body.unit) if body.unit else None
        user = security.create_user(
            session,
            actor=api.actor,
            email=body.email,
            role=body.role,
            password=body.password or one_time or "",
            display_name=body.display_name,
            unit=unit,
            must_change_password=one_time is not None,
        )
        return UserCreated(user=_user_read(user), one_time_password=one_time)


@router.get("/users/{ref}", response_model=UserRead, tags=["users"])
def get_user(api: Api, ref: str) -> UserRead:
    api.actor.require("users.manage")
    with api.reading() as session:
        return _user_read(security.find_user(session, ref))


@router.patch("/users/{ref}", response_model=UserRead, tags=["users"])
def update_user(api: Api, ref: str, body: UserUpdate) -> UserRead:
    api.actor.require("users.manage")
    with api.transaction() as session:
        user = security.find_user(session, ref)
        unit: Unit | bool | None = False
        if body.unit is not None:
            unit = security.find_unit(session, body.unit) if body.unit else None
        security.update_user(
            session,
            actor=api.actor,
            user=user,
            role=body.role,
            unit=unit,
            display_name=body.display_name,
            disabled=body.disabled,
        )
        return _user_read(user)


@router.post("/users/{ref}/reset-password", response_model=UserCreated, tags=["users"])
def reset_password(api: Api, ref: str) -> UserCreated:
    api.actor.require("users.manage")
    with api.transaction() as session:
        user = security.find_user(session, ref)
        password = security.reset_password(session, actor=api.actor, user=user)
        return UserCreated(user=_user_read(user), one_time_password=password)


@router.get("/units", response_model=Page[UnitRead], tags=["users"])
def list_units(api: Api) -> Response:
    with api.reading() as session:
        units = security.list_units(session, actor=api.actor)
        return as_json(
            Page[UnitRead](items=[UnitRead.model_validate(u) for u in units], total=len(units))
        )


@router.post("/units", response_model=UnitRead, status_code=201, tags=["users"])
def create_unit(api: Api, body: UnitCreate) -> UnitRead:
    with api.transaction() as session:
        unit = security.create_unit(
            session, actor=api.actor, name=body.name, description=body.description
        )
        return UnitRead.model_validate(unit)


# --- tokens ------------------------------------------------------------------------------


@router.get("/tokens", response_model=Page[TokenRead], tags=["tokens"])
def list_tokens(api: Api) -> Response:
    with api.reading() as session:
        user = security.find_user(session, api.actor.handle)
        toks = security.list_tokens(session, actor=api.actor, user=user)
        return as_json(
            Page[TokenRead](items=[TokenRead.model_validate(t) for t in toks], total=len(toks))
        )


@router.post("/tokens", response_model=TokenCreated, status_code=201, tags=["tokens"])
def create_token(api: Api, body: TokenCreate) -> TokenCreated:
    with api.transaction() as session:
        user = security.find_user(session, body.user or api.actor.handle)
        secret, tok = security.create_token(
            session,
            actor=api.actor,
            user=user,
            name=body.name,
            scopes=list[str](body.scopes),
            expires_at=body.expires_at,
        )
        return TokenCreated(token=secret, info=TokenRead.model_validate(tok))


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response, tags=["tokens"])
def revoke_token(api: Api, token_id: uuid.UUID) -> Response:
    return api.delete(security.revoke_token, token_id=token_id)


# --- audit -------------------------------------------------------------------------------


@router.get("/audit", response_model=Page[AuditRead], tags=["audit"])
def list_audit(
    api: Api,
    action: Annotated[str | None, Query(max_length=80)] = None,
    actor_handle: Annotated[str | None, Query(alias="actor", max_length=80)] = None,
    outcome: Annotated[str | None, Query(max_length=16)] = None,
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
) -> Response:
    api.actor.require("audit.read")
    f = parse_filter(action, actor_handle, outcome, since, until)
    with api.transaction() as session:
        entries, total = audit.search(session, f, limit=limit, before_seq=before)
        audit.append(session, actor=api.actor, action="audit.read", detail={"count": len(entries)})
        nxt = str(entries[-1].seq) if len(entries) == limit else None
        return as_json(
            Page[AuditRead](
                items=[AuditRead.model_validate(e) for e in entries], next=nxt, total=total
            )
        )


@router.get("/audit/verify", response_model=VerifyRead, tags=["audit"])
def verify_audit(api: Api) -> VerifyRead:
    api.actor.require("audit.read")
    with api.transaction() as session:
        r = audit.verify(session)
        audit.append(
            session,
            actor=api.actor,
            action="audit.verify",
            outcome="ok" if r.ok else "error",
            detail={"checked": r.checked},
        )
    return VerifyRead(ok=r.ok, checked=r.checked, broken_seq=r.broken_seq, reason=r.reason)


@router.get(
    "/audit/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the audit log, one entry a line (jsonl) or a row (csv)",
            "content": {"application/x-ndjson": {}, "text/csv": {}},
        }
    },
    tags=["audit"],
)
def export_audit(
    api: Api,
    format: Annotated[str, Query(pattern="^(csv|jsonl)$")] = "jsonl",
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    api.actor.require("audit.read")
    f = parse_filter(None, None, None, since, until)
    return export_response(api.node, api.actor, f, format)


# --- records -----------------------------------------------------------------------------


@router.get("/records", response_model=EnvelopePage, tags=["records"])
def list_records(
    api: Api,
    type: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    before: uuid.UUID | None = None,
) -> Response:
    with api.reading() as session:
        items = records.visible_page(
            session, api.node.id, actor=api.actor, type=type, limit=limit, before=before
        )
    sensitive = records.sensitive_ids(items)
    if sensitive:
        # Audited before anything leaves: the answer goes only once the entry is committed.
        with api.transaction() as session:
            records.audit_listing(session, actor=api.actor, type=type, ids=sensitive)
    nxt = items[-1]["id"] if len(items) == limit else None
    # The stored envelopes as they are (records.schemas): documented as Envelope, not parsed.
    return as_json(Page[dict[str, Any]](items=items, next=nxt))


@router.get("/records/{record_id}", response_model=Envelope, tags=["records"])
def get_record(api: Api, record_id: uuid.UUID) -> Response:
    with api.transaction() as session:
        envelope = records.get_visible(session, api.node.id, actor=api.actor, record_id=record_id)
    return envelope_response(envelope)


@router.post("/records/{record_id}/revoke", response_model=Envelope, tags=["records"])
def revoke_record(api: Api, record_id: uuid.UUID, body: RevokeBody) -> Response:
    """Withdraw an own record: the answer is its signed tombstone."""
    with api.transaction() as session:
        records.get_visible(session, api.node.id, actor=api.actor, record_id=record_id)
        tombstone = api.run(session, records.revoke, record_id=record_id, reason=body.reason)
    return envelope_response(tombstone)


# --- jobs --------------------------------------------------------------------------------


@router.get("/jobs", response_model=JobsRead, tags=["jobs"])
def list_jobs(
    api: Api,
    state: Annotated[str, Query(pattern="^(queued|running|done|dead)$")] = "dead",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    api.actor.require("jobs.manage")
    with api.transaction() as session:
        jobs = session.scalars(
            select(Job).where(Job.state == state).order_by(Job.updated_at.desc()).limit(limit)
        ).all()
        return as_json(
            JobsRead(counts=queue.counts(session), items=[JobRead.model_validate(j) for j in jobs])
        )


@router.post("/jobs/{job_id}/retry", response_model=JobRead, tags=["jobs"])
def retry_job(api: Api, job_id: uuid.UUID) -> JobRead:
    api.actor.require("jobs.manage")
    with api.transaction() as session:
        job = queue.retry_dead(session, job_id)
        audit.append(
            session, actor=api.actor, action="job.retry", object_type="job", object_id=str(job_id)
        )
        return JobRead.model_validate(job)


# --- real time ---------------------------------------------------------------------------


@router.get("/events", tags=["events"], response_class=StreamingResponse)
async def events(request: Request, api: Api) -> StreamingResponse:
    """Server-sent events: `record` events (type, id, origin, state) for what arrives from
    peers and that you may see. Fetch the record itself through its API."""
    broker = broker_for(api.node.db.engine, api.node.id)
    return StreamingResponse(
        broker.stream(api.actor, request.is_disconnected),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )
