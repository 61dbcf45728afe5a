"""The `route` record type: owned by the node that records it, kept up by its working roles."""

from __future__ import annotations

from typing import Any

from corridor.mapping.records import MAINTAINED
from corridor.mapping.routes.models import RouteRow
from corridor.mapping.routes.schemas import RouteBody
from corridor.records.flow import Flow
from corridor.records.owned import register_owned

ROUTE = "route"


def _fill_route(row: RouteRow, body: dict[str, Any]) -> None:
    row.name = body["name"]
    row.legs = body["legs"]
    row.countries = RouteBody.model_validate(body).countries()


register_owned(
    ROUTE,
    body=RouteBody,
    model=RouteRow,
    fill=_fill_route,
    title="Route",
    flow=Flow(editors=MAINTAINED),
)
