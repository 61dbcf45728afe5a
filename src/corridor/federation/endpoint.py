"""/federation/v1: what other nodes call. The card is public; everything else is signed by the
calling node (RFC 9421) and accepted only from approved peers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from corridor.audit import service as audit
from corridor.errors import Unauthenticated
from corridor.federation import checkpoints, delivery, nonces, transport
from corridor.federation.cards import own_card_chain
from corridor.federation.peers import verification_keys
from corridor.schemas import MAX_INT64
from corridor.security.principal import Principal
from corridor.web.auth import client_ip, node_of

router = APIRouter(prefix="/federation/v1", include_in_schema=False)


@router.get("/card")
def card(request: Request) -> JSONResponse:
    """This node's card (the chain of versions when its key was rotated)."""
    node = node_of(request)
    with node.db.transaction() as session:
        chain = own_card_chain(session, node.id)
    return JSONResponse(chain[0] if len(chain) == 1 else chain)


def authenticate(request: Request, body: bytes) -> str:
    """The approved peer that signed this request (RFC 9421, nonce claimed once), or
    Unauthenticated (audited)."""
    node = node_of(request)

    def current_key(node_id: str) -> bytes | None:
        with node.db.reading() as session:
            keys = verification_keys(session, node_id)
        return keys[0] if keys else None

    try:
        return transport.verify(
            method=request.method,
            url=str(request.url),
            headers=dict(request.headers),
            body=body,
            own_id=node.id,
            public_key_for=current_key,
            claim_nonce=lambda origin, nonce, until: nonces.claim(node.db, origin, nonce, until),
        )
    except Unauthenticated as exc:
        audit.append_now(
            node.db,
            actor=Principal(kind="system", handle="federation", ip=client_ip(request)),
            action="federation.refused",
            outcome="denied",
            detail={"path": request.url.path, "reason": exc.detail[:300]},
        )
        raise


@router.post("/inbox")
async def inbox(request: Request) -> dict[str, Any]:
    body = await request.body()
    node = node_of(request)
    peer_id = await run_in_threadpool(authenticate, request, body)
    batch = delivery.parse_batch(body)
    return await run_in_threadpool(delivery.answer_push, node, peer_id, batch.items)


@router.get("/feed")
async def feed(
    request: Request,
    since: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
    limit: Annotated[int, Query(ge=1, le=delivery.MAX_BATCH)] = delivery.BATCH,
) -> dict[str, Any]:
    node = node_of(request)
    peer_id = await run_in_threadpool(authenticate, request, b"")
    return await run_in_threadpool(delivery.serve_feed, node, peer_id, since, limit)


@router.get("/audit/checkpoints")
async def audit_checkpoints(
    request: Request,
    origin: Annotated[str, Query(pattern=r"^[a-z2-7]{26}$")],
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=checkpoints.PAGE)] = checkpoints.PAGE,
) -> dict[str, Any]:
    """The audit checkpoints this node holds of `origin`, as signed envelopes; only the
    origin itself may ask (see `checkpoints.serve`)."""
    node = node_of(request)
    peer_id = await run_in_threadpool(authenticate, request, b"")
    return await run_in_threadpool(checkpoints.serve, node, peer_id, origin, after, limit)
