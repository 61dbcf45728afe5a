"""REST API of search: /api/v1/search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from corridor.entities.access import open_case
from corridor.entities.search import service as search
from corridor.entities.search.schemas import Facets, FacetValue, HitOut, SearchOut
from corridor.security.principal import Principal
from corridor.web.auth import api_principal, node_of

router = APIRouter(prefix="/api/v1", tags=["entities"])
Actor = Annotated[Principal, Depends(api_principal)]


@router.get("/search")
def search_entities(
    request: Request,
    actor: Actor,
    q: Annotated[str, Query(min_length=1, max_length=search.MAX_QUERY)],
    schema: str | None = None,
    case: str | None = None,
    country: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    partners: bool = False,
    origin: Annotated[
        str | None,
        Query(
            max_length=64,
            description="only entities from this node (a peer's node id; this node's own id "
            "for its own entities)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SearchOut:
    node = node_of(request)
    with node.db.transaction() as session:
        case_id = open_case(session, actor=actor, ref=case).id if case else None
        result = search.search(
            session,
            actor=actor,
            node_id=node.id,
            q=q,
            schema=schema,
            case_id=case_id,
            country=country,
            date_from=date_from,
            date_to=date_to,
            partners_only=partners,
            origin=origin,
            limit=limit,
            default_region=node.config.country,
        )
        return SearchOut(
            items=[HitOut.model_validate(h.to_dict()) for h in result.items],
            candidates=result.total_candidates,
            found=result.found,
            facets=Facets.model_validate(
                {
                    name: [FacetValue(value=v, count=n) for v, n in values]
                    for name, values in result.facets.items()
                }
            ),
        )
