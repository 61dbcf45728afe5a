"""The commitment record types: a `commitment` is owned by the node that proposed it; each
member signs its own `commitment.endorsement` and owns its own `commitment.action`. Progress
updates are new versions of the action record, so only the action's owner can report them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from corridor.mapping.commitments.models import ActionRow, CommitmentRow, EndorsementRow
from corridor.mapping.commitments.schemas import ActionBody, CommitmentBody, EndorsementBody
from corridor.mapping.records import MAINTAINED
from corridor.records.flow import Flow
from corridor.records.owned import day, register_owned

COMMITMENT = "commitment"
ENDORSEMENT = "commitment.endorsement"
ACTION = "commitment.action"


def _fill_commitment(row: CommitmentRow, body: dict[str, Any]) -> None:
    row.title = body["title"]
    row.theme = body["theme"]
    row.adopted = date.fromisoformat(body["adopted"])
    row.ends = day(body.get("ends"))
    row.countries = body.get("countries", [])


def _fill_endorsement(row: EndorsementRow, body: dict[str, Any]) -> None:
    row.commitment_id = uuid.UUID(body["commitment"])
    row.endorsed_on = date.fromisoformat(body["on"])
    row.note = body.get("note")


def _fill_action(row: ActionRow, body: dict[str, Any]) -> None:
    row.commitment_id = uuid.UUID(body["commitment"])
    row.country = body["country"]
    row.title = body["title"]
    row.owner = body["owner"]
    row.milestones = body.get("milestones", [])
    row.indicators = body.get("indicators", [])
    updates = body.get("updates", [])
    row.updates = len(updates)
    row.last_update = max((date.fromisoformat(u["on"]) for u in updates), default=None)


register_owned(
    COMMITMENT,
    body=CommitmentBody,
    model=CommitmentRow,
    fill=_fill_commitment,
    title="Commitment",
    flow=Flow(editors=MAINTAINED),
)
# Endorsements and actions answer a commitment.
register_owned(
    ENDORSEMENT,
    body=EndorsementBody,
    model=EndorsementRow,
    fill=_fill_endorsement,
    title="Endorsement",
    flow=Flow(embeds=("reply",), editors=MAINTAINED),
)
register_owned(
    ACTION,
    body=ActionBody,
    model=ActionRow,
    fill=_fill_action,
    title="Commitment action",
    flow=Flow(embeds=("reply",), editors=MAINTAINED),
)
