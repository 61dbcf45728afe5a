"""REST API /api/v1/peers: peering for administrators and scripts."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import Field

from corridor.federation import peers as peering
from corridor.federation.cards import own_card_chain
from corridor.federation.models import Peer
from corridor.schemas import ReadModel, StrictModel, UtcDateTime
from corridor.security.principal import Principal
from corridor.web.api import Page
from corridor.web.auth import api_principal, node_of

router = APIRouter(prefix="/api/v1", tags=["federation"])
Actor = Annotated[Principal, Depends(api_principal)]


class PeerRead(ReadModel):
    node_id: str
    name: str
    org: str
    country: str
    url: str
    fingerprint: str
    state: str
    card_version: int
    valid_until: UtcDateTime
    added_at: UtcDateTime
    approved_at: UtcDateTime | None
    last_contact_at: UtcDateTime | None
    last_error: str | None


class PeerImport(StrictModel):
    card: dict[str, Any] | list[dict[str, Any]] = Field(
        description="the peer's card (or chain of card versions), as `corridor node card` prints"
    )
    approve: bool = False


class PeerState(StrictModel):
    state: Literal["approved", "suspended"]


def _read(peer: Peer) -> PeerRead:
    return PeerRead.model_validate(peer)


@router.get("/node/card")
def node_card(request: Request, actor: Actor) -> Any:
    node = node_of(request)
    with node.db.transaction() as session:
        chain = own_card_chain(session, node.id)
    return chain[0] if len(chain) == 1 else chain


@router.get("/peers", response_model=Page[PeerRead])
def list_peers(request: Request, actor: Actor) -> Page[PeerRead]:
    with node_of(request).db.transaction() as session:
        rows = peering.list_peers(session, actor=actor)
        return Page(items=[_read(p) for p in rows], total=len(rows))


@router.post("/peers", response_model=PeerRead, status_code=201)
def import_peer(request: Request, actor: Actor, body: PeerImport) -> PeerRead:
    node = node_of(request)
    with node.db.transaction() as session:
        peer = peering.add_peer(
            session,
            actor=actor,
            own_node_id=node.id,
            card_file=json.dumps(body.card),
            approve=body.approve,
        )
        return _read(peer)


@router.post("/peers/{node_id}/state", response_model=PeerRead)
def set_peer_state(
    request: Request, actor: Actor, node_id: str, body: Annotated[PeerState, Body()]
) -> PeerRead:
    with node_of(request).db.transaction() as session:
        return _read(peering.set_state(session, actor=actor, node_id=node_id, state=body.state))
