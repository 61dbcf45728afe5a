"""REST API: /api/v1/map."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from corridor.mapping.challenges.api import Filters
from corridor.mapping.challenges.service import spliced_json
from corridor.mapping.map import service as the_map
from corridor.mapping.map.schemas import MapData
from corridor.web.endpoints import Api

router = APIRouter(prefix="/api/v1", tags=["mapping"])


@router.get("/map", response_model=MapData)
def map_data(api: Api, f: Filters) -> Response:
    with api.reading() as session:
        data = the_map.map_data(session, api.node.id, actor=api.actor, filters=f, raw=True)
    # The challenges' stored summaries are spliced in as they are (2,000 of them, no decoding).
    return Response(spliced_json(data, "challenges"), media_type="application/json")
