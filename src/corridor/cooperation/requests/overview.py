"""The overview of requests for assistance by partner, both ways: open requests, counts by state
and response times (to the first answer, partial included) with the share answered by the
deadline."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.requests.service import OPEN_STATES, visible_rows, with_states
from corridor.security.principal import Principal


def _percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (None without values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


@dataclass
class PartnerStats:
    node: str
    total: int = 0
    open: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    hours: list[float] = field(default_factory=list)  # time to first answer
    on_time: int = 0
    due: int = 0  # answered, or past the deadline without an answer

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "total": self.total,
            "open": self.open,
            "overdue": self.by_state.get("overdue", 0),
            "by_state": dict(sorted(self.by_state.items())),
            "answered": len(self.hours),
            "median_hours": _round(statistics.median(self.hours) if self.hours else None),
            "p90_hours": _round(_percentile(self.hours, 0.9)),
            "on_time_share": round(self.on_time / self.due, 3) if self.due else None,
        }


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 2)


def overview(session: Session, node_id: str, *, actor: Principal) -> dict[str, Any]:
    """Open requests by partner, both ways, with response times (to the first answer, partial
    included), the share answered by the deadline and counts by state."""
    now = clock.now()
    rows = visible_rows(session, node_id, actor=actor, box="all")
    items = with_states(session, node_id, rows, now, read=False)  # read times are not counted here
    sent: dict[str, PartnerStats] = {}
    received: dict[str, PartnerStats] = {}
    totals: dict[str, dict[str, int]] = {"sent": {}, "received": {}}
    for item in items:
        row = item.request
        mine = row.origin == node_id
        totals["sent" if mine else "received"][item.state] = (
            totals["sent" if mine else "received"].get(item.state, 0) + 1
        )
        for view in item.recipients:
            partner = view.node if mine else row.origin
            stats = (sent if mine else received).setdefault(partner, PartnerStats(partner))
            stats.total += 1
            stats.by_state[view.state] = stats.by_state.get(view.state, 0) + 1
            if view.state in OPEN_STATES:
                stats.open += 1
            deadline = clock.as_utc(row.deadline)
            if view.first_answer_at is not None:
                answered = clock.as_utc(view.first_answer_at)
                stats.hours.append((answered - clock.as_utc(row.sent_at)).total_seconds() / 3600)
                stats.due += 1
                stats.on_time += answered <= deadline
            elif view.state == "overdue":
                stats.due += 1
    return {
        "generated_at": clock.iso(now),
        "sent": [s.as_dict() for s in sorted(sent.values(), key=lambda s: (-s.open, s.node))],
        "received": [
            s.as_dict() for s in sorted(received.values(), key=lambda s: (-s.open, s.node))
        ],
        "totals": {k: dict(sorted(v.items())) for k, v in totals.items()},
    }
