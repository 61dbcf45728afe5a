"""What the map draws, from the projections alone: per-country tallies (the choropleth), the
routes, and each challenge's stored summary."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from corridor import clock
from corridor.mapping.challenges.models import ChallengeRow
from corridor.mapping.challenges.schemas import SEVERITY_RANK
from corridor.mapping.challenges.service import Filters, matching
from corridor.mapping.routes.service import list_routes, route_view
from corridor.security.principal import Principal

# What the map needs of each challenge: labels, filter fields, tallies and the stored summary.
MAP_COLUMNS = (
    ChallengeRow.origin,
    ChallengeRow.author,
    ChallengeRow.tlp,
    ChallengeRow.purpose,
    ChallengeRow.recipients,
    ChallengeRow.title,
    ChallengeRow.theme,
    ChallengeRow.severity,
    ChallengeRow.countries,
    ChallengeRow.routes,
    ChallengeRow.identified,
    ChallengeRow.updated_at,
    ChallengeRow.summary,
)


@dataclass
class CountryTally:
    count: int = 0
    max_rank: int = 0
    themes: Counter[str] = field(default_factory=Counter)

    def view(self) -> dict[str, Any]:
        severity = next((s for s, r in SEVERITY_RANK.items() if r == self.max_rank), None)
        return {"count": self.count, "max_severity": severity, "themes": dict(self.themes)}


def map_data(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    filters: Filters = Filters(),
    raw: bool = False,
) -> dict[str, Any]:
    """Everything the map draws (schemas.MapData). With `raw`, each challenge is its stored
    summary's JSON text, to be spliced in (challenges.service.spliced_json)."""
    challenges = matching(session, node_id, actor, filters, *MAP_COLUMNS)
    tallies: dict[str, CountryTally] = defaultdict(CountryTally)
    per_route: Counter[str] = Counter()
    for c in challenges:
        rank = SEVERITY_RANK[c.severity]
        for cc in c.countries:
            t = tallies[cc]
            t.count += 1
            t.max_rank = max(t.max_rank, rank)
            t.themes[c.theme] += 1
        for ref in c.routes:
            per_route[ref["route"]] += 1
    routes = list_routes(session, node_id, actor=actor)
    if filters.route:
        routes = [r for r in routes if r.id == filters.route]
    return {
        "generated_at": clock.iso(clock.now()),
        "filters": filters.echo(),
        "countries": {cc: t.view() for cc, t in sorted(tallies.items())},
        "routes": [route_view(r, per_route[str(r.id)]) for r in routes],
        "challenges": [c.summary if raw else json.loads(c.summary) for c in challenges],
    }
