"""The `risk.profile` record type: owned by the node whose analysts write it (`risk.assess`);
it may link the assessment it draws on (whose labels then bind its own)."""

from __future__ import annotations

from datetime import date
from typing import Any

from corridor.records.flow import Flow
from corridor.records.owned import register_owned
from corridor.risk.profiles.models import ProfileRow
from corridor.risk.profiles.schemas import ProfileBody

PROFILE = "risk.profile"


def _fill(row: ProfileRow, body: dict[str, Any]) -> None:
    row.title = body["title"]
    row.route = body.get("route")
    row.nationalities = list(body.get("nationalities", []))
    until = body.get("valid_until")
    row.valid_until = date.fromisoformat(until) if until else None
    row.assessment = body.get("assessment")


register_owned(
    PROFILE,
    body=ProfileBody,
    model=ProfileRow,
    fill=_fill,
    title="Risk profile",
    flow=Flow(embeds=("link",), editors=("risk.assess",)),
)
