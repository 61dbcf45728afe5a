"""REST API /api/v1/peers: peering for administrators and scripts."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from corridor.federation import groups as sharing
from corridor.federation import peers as peering
from corridor.federation.cards import own_card_chain
from corridor.federation.models import Peer
from corridor.federation.schemas import (
    GroupCreate,
    GroupList,
    GroupMembers,
    GroupRead,
    PeerImport,
    PeerRead,
    PeerState,
)
from corridor.records import groups
from corridor.records.schemas import Envelope
from corridor.schemas import Page
from corridor.web.endpoints import Api, envelope_response

router = APIRouter(prefix="/api/v1", tags=["federation"])


def _read(peer: Peer) -> PeerRead:
    return PeerRead.model_validate(peer)


@router.get("/node/card", response_model=Envelope | list[Envelope])
def node_card(api: Api) -> Response:
    """This node's signed card, or the chain of its versions once its key was rotated, as
    `corridor node card` prints it for a peer's administrator."""
    with api.transaction() as session:
        chain = own_card_chain(session, api.node.id)
    return envelope_response(chain[0] if len(chain) == 1 else chain)


@router.get("/peers", response_model=Page[PeerRead])
def list_peers(api: Api) -> Page[PeerRead]:
    with api.transaction() as session:
        rows = peering.list_peers(session, actor=api.actor)
        return Page(items=[_read(p) for p in rows], total=len(rows))


@router.post("/peers", response_model=PeerRead, status_code=201)
def import_peer(api: Api, body: PeerImport) -> PeerRead:
    with api.transaction() as session:
        peer = peering.add_peer(
            session,
            actor=api.actor,
            own_node_id=api.node.id,
            card_file=json.dumps(body.card),
            approve=body.approve,
        )
        return _read(peer)


@router.post("/peers/{node_id}/state", response_model=PeerRead)
def set_peer_state(api: Api, node_id: str, body: Annotated[PeerState, Body()]) -> PeerRead:
    with api.transaction() as session:
        return _read(peering.set_state(session, actor=api.actor, node_id=node_id, state=body.state))


def _group(envelope: dict[str, Any], own_id: str) -> GroupRead:
    body = envelope.get("body") or {}
    return GroupRead(
        id=envelope["id"],
        version=envelope["version"],
        owner=envelope["origin"],
        own=envelope["origin"] == own_id,
        name=body.get("name"),
        description=body.get("description", ""),
        members=body.get("members", []),
    )


@router.get("/groups", response_model=GroupList)
def list_groups(api: Api) -> GroupList:
    """Sharing groups this node knows: its own and those of peers it belongs to."""
    api.actor.require("account.self")
    with api.reading() as session:
        return GroupList(
            items=[_group(g.envelope, api.node.id) for g in groups.list_groups(session)]
        )


@router.post("/groups", response_model=GroupRead, status_code=201)
def create_group(api: Api, body: GroupCreate) -> GroupRead:
    with api.transaction() as session:
        env = api.run(
            session,
            sharing.create_group,
            name=body.name,
            description=body.description,
            members=body.members,
        )
        return _group(env, api.node.id)


@router.put("/groups/{group_id}/members", response_model=GroupRead)
def set_group_members(api: Api, group_id: uuid.UUID, body: GroupMembers) -> GroupRead:
    with api.transaction() as session:
        env = api.run(session, sharing.set_members, group_id=group_id, members=body.members)
        return _group(env, api.node.id)
