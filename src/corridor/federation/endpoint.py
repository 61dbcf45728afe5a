"""/federation/v1: what other nodes call. The card is public; everything else is signed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from corridor.federation.cards import own_card_chain
from corridor.web.auth import node_of

router = APIRouter(prefix="/federation/v1", include_in_schema=False)


@router.get("/card")
def card(request: Request) -> JSONResponse:
    """This node's card (the chain of versions when its key was rotated)."""
    node = node_of(request)
    with node.db.transaction() as session:
        chain = own_card_chain(session, node.id)
    return JSONResponse(chain[0] if len(chain) == 1 else chain)
