"""The `challenge` record type: owned by the node that records it; it links the routes it cites
(their labels bind its own)."""

from __future__ import annotations

import json
from typing import Any

from corridor import clock
from corridor.mapping.challenges.models import ChallengeRow
from corridor.mapping.challenges.schemas import ChallengeBody
from corridor.mapping.records import MAINTAINED
from corridor.records.flow import Flow
from corridor.records.owned import day, register_owned

CHALLENGE = "challenge"


def _fill_challenge(row: ChallengeRow, body: dict[str, Any]) -> None:
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
    row.identified = day(body.get("identified"))
    row.review_date = day(body.get("review_date"))
    row.summary = json.dumps(challenge_summary(row), ensure_ascii=False, separators=(",", ":"))


def challenge_summary(row: ChallengeRow) -> dict[str, Any]:
    """A challenge as the map and the list answer it (schemas.ChallengeSummary)."""
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


register_owned(
    CHALLENGE,
    body=ChallengeBody,
    model=ChallengeRow,
    fill=_fill_challenge,
    title="Challenge",
    flow=Flow(embeds=("link",), editors=MAINTAINED),
)
