"""The `route` record type: owned by the node that records it, kept up by its working roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from corridor.mapping.records import MAINTAINED, register_type
from corridor.mapping.routes.models import RouteRow
from corridor.mapping.routes.schemas import RouteBody
from corridor.records.flow import Flow
from corridor.records.projection import labelled_row

ROUTE = "route"


def _project_route(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, RouteRow, envelope)
    row.name = body["name"]
    row.legs = body["legs"]
    row.countries = RouteBody.model_validate(body).countries()


register_type(
    ROUTE,
    body=RouteBody,
    project=_project_route,
    model=RouteRow,
    title="Route",
    flow=Flow(editors=MAINTAINED),
)
