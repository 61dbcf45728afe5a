"""Record types of the mapping module and their projections.

`route`, `challenge` and `commitment` are owned by the node that records them;
`commitment.endorsement` and `commitment.action` by the member that endorses or acts. Progress
updates are new versions of the action record, so only the action's owner can report them."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from corridor import clock
from corridor.mapping.models import (
    ActionRow,
    ChallengeRow,
    CommitmentRow,
    EndorsementRow,
    RouteRow,
)
from corridor.mapping.schemas import (
    ActionBody,
    ChallengeBody,
    CommitmentBody,
    EndorsementBody,
    RouteBody,
)
from corridor.records.flow import Flow
from corridor.records.projection import Labelled, labelled_row
from corridor.records.registry import RecordType, register

ROUTE = "route"
CHALLENGE = "challenge"
COMMITMENT = "commitment"
ENDORSEMENT = "commitment.endorsement"
ACTION = "commitment.action"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _project_route(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, RouteRow, envelope)
    row.name = body["name"]
    row.legs = body["legs"]
    row.countries = RouteBody.model_validate(body).countries()


def _project_challenge(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, ChallengeRow, envelope)
    row.title = body["title"]
    row.theme = body["theme"]
    row.severity = body.get("severity", "medium")
    row.trend = body.get("trend", "unknown")
    row.status = body.get("status", "open")
    row.countries = body["countries"]
    row.regions = body.get("regions", [])
    row.routes = body.get("routes", [])
    row.locations = body.get("locations", [])
    row.evidence = len(body.get("evidence", []))
    row.owner = body.get("owner")
    row.identified = _day(body.get("identified"))
    row.review_date = _day(body.get("review_date"))
    row.summary = json.dumps(challenge_summary(row), ensure_ascii=False, separators=(",", ":"))


def challenge_summary(row: ChallengeRow) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "theme": row.theme,
        "severity": row.severity,
        "trend": row.trend,
        "status": row.status,
        "countries": row.countries,
        "regions": row.regions,
        "routes": row.routes,
        "origin": row.origin,
        "owner": row.owner,
        "identified": row.identified.isoformat() if row.identified else None,
        "review_date": row.review_date.isoformat() if row.review_date else None,
        "updated_at": clock.iso(row.updated_at),
        "tlp": row.tlp,
        "evidence": row.evidence,
        "locations": row.locations,
    }


def _project_commitment(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, CommitmentRow, envelope)
    row.title = body["title"]
    row.theme = body["theme"]
    row.adopted = date.fromisoformat(body["adopted"])
    row.ends = _day(body.get("ends"))
    row.countries = body.get("countries", [])


def _project_endorsement(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, EndorsementRow, envelope)
    row.commitment_id = uuid.UUID(body["commitment"])
    row.endorsed_on = date.fromisoformat(body["on"])
    row.note = body.get("note")


def _project_action(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, ActionRow, envelope)
    row.commitment_id = uuid.UUID(body["commitment"])
    row.country = body["country"]
    row.title = body["title"]
    row.owner = body["owner"]
    row.milestones = body.get("milestones", [])
    row.indicators = body.get("indicators", [])
    updates = body.get("updates", [])
    row.updates = len(updates)
    row.last_update = max((date.fromisoformat(u["on"]) for u in updates), default=None)


def _purge(model: type[Labelled]) -> Any:
    def purge(session: Session, envelope: dict[str, Any]) -> None:
        session.execute(delete(model).where(model.id == uuid.UUID(envelope["id"])))  # type: ignore[attr-defined]

    return purge


# Node-owned: the node's picture, kept up by its working roles (mapping.write) as a team.
# A challenge links the route it cites; endorsements and actions answer a commitment.
_MAINTAINED = ("mapping.write",)
for _name, _body, _project, _model, _title, _flow in (
    (ROUTE, RouteBody, _project_route, RouteRow, "Route", Flow(editors=_MAINTAINED)),
    (
        CHALLENGE,
        ChallengeBody,
        _project_challenge,
        ChallengeRow,
        "Challenge",
        Flow(embeds=("link",), editors=_MAINTAINED),
    ),
    (
        COMMITMENT,
        CommitmentBody,
        _project_commitment,
        CommitmentRow,
        "Commitment",
        Flow(editors=_MAINTAINED),
    ),
    (
        ENDORSEMENT,
        EndorsementBody,
        _project_endorsement,
        EndorsementRow,
        "Endorsement",
        Flow(embeds=("reply",), editors=_MAINTAINED),
    ),
    (
        ACTION,
        ActionBody,
        _project_action,
        ActionRow,
        "Commitment action",
        Flow(embeds=("reply",), editors=_MAINTAINED),
    ),
):
    # National and regional challenges and commitments carry no personal data: reading
    # them is not audited one by one (writes and receipts still are).
    register(
        RecordType(
            name=_name,
            body=_body,
            flow=_flow,
            project=_project,
            purge=_purge(_model),
            sensitive=False,
            title=_title,
        )
    )
