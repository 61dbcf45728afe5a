"""The aggregates of commitments: each action's progress (milestones reached, indicators'
attainment), each commitment's, and the portfolio a user may see, by theme, member and country,
for the dashboard, the scorecards and reports."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from corridor import clock
from corridor.mapping.commitments.models import ActionRow, CommitmentRow, EndorsementRow
from corridor.mapping.commitments.schemas import Indicator
from corridor.mapping.schemas import THEMES
from corridor.records.owned import visible_rows
from corridor.security.principal import Principal


def action_progress(row: ActionRow, today: date) -> dict[str, Any]:
    milestones = row.milestones
    done = [m for m in milestones if m.get("done_on")]
    overdue = [
        m for m in milestones if not m.get("done_on") and date.fromisoformat(m["due"]) < today
    ]
    attainments = [
        a
        for a in (Indicator.model_validate(i).attainment() for i in row.indicators)
        if a is not None
    ]
    parts = []
    if milestones:
        parts.append(len(done) / len(milestones))
    if attainments:
        parts.append(sum(attainments) / len(attainments))
    return {
        "milestones_total": len(milestones),
        "milestones_done": len(done),
        "overdue": [{"id": m["id"], "title": m["title"], "due": m["due"]} for m in overdue],
        "attainment": round(sum(attainments) / len(attainments), 3) if attainments else None,
        "progress": round(sum(parts) / len(parts), 3) if parts else None,
    }


def action_view(row: ActionRow, today: date) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "commitment": str(row.commitment_id),
        "origin": row.origin,
        "country": row.country,
        "title": row.title,
        "owner": row.owner,
        "milestones": row.milestones,
        "indicators": row.indicators,
        "updates": row.updates,
        "last_update": row.last_update.isoformat() if row.last_update else None,
        "updated_at": clock.iso(row.updated_at),
        **action_progress(row, today),
    }


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


def commitment_summary(
    row: CommitmentRow, endorsements: list[EndorsementRow], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "theme": row.theme,
        "origin": row.origin,
        "adopted": row.adopted.isoformat(),
        "ends": row.ends.isoformat() if row.ends else None,
        "countries": row.countries,
        "tlp": row.tlp,
        "updated_at": clock.iso(row.updated_at),
        "endorsed_by": sorted(e.origin for e in endorsements),
        "actions": len(actions),
        "progress": _mean([a["progress"] for a in actions]),
        "overdue": sum(len(a["overdue"]) for a in actions),
    }


class Portfolio:
    """Every commitment, endorsement and action this user may see, loaded once."""

    def __init__(self, session: Session, node_id: str, actor: Principal) -> None:
        self.today = clock.now().date()
        self.commitments: list[CommitmentRow] = sorted(
            visible_rows(session, CommitmentRow, node_id, actor),
            key=lambda c: (list(THEMES).index(c.theme), c.title.lower()),
        )
        self.endorsements: dict[uuid.UUID, list[EndorsementRow]] = defaultdict(list)
        for e in visible_rows(session, EndorsementRow, node_id, actor):
            self.endorsements[e.commitment_id].append(e)
        self.actions: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for a in visible_rows(session, ActionRow, node_id, actor):
            self.actions[a.commitment_id].append(action_view(a, self.today))
        for acts in self.actions.values():
            acts.sort(key=lambda a: (a["country"], a["title"].lower()))

    def summaries(self, theme: str | None = None) -> list[dict[str, Any]]:
        return [
            commitment_summary(c, self.endorsements[c.id], self.actions[c.id])
            for c in self.commitments
            if theme is None or c.theme == theme
        ]

    def dashboard(self, country_of: dict[str, str]) -> dict[str, Any]:
        """Progress per theme and per member, and every overdue milestone."""
        by_theme: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_member: dict[str, list[dict[str, Any]]] = defaultdict(list)
        overdue: list[dict[str, Any]] = []
        for c in self.commitments:
            for a in self.actions[c.id]:
                by_theme[c.theme].append(a)
                by_member[a["origin"]].append(a)
                for m in a["overdue"]:
                    overdue.append(
                        {
                            **m,
                            "action": a["id"],
                            "action_title": a["title"],
                            "commitment": str(c.id),
                            "commitment_title": c.title,
                            "origin": a["origin"],
                            "country": a["country"],
                        }
                    )
        overdue.sort(key=lambda m: m["due"])
        return {
            "generated_at": clock.iso(clock.now()),
            "commitments": len(self.commitments),
            "themes": [
                {
                    "theme": t,
                    "commitments": sum(1 for c in self.commitments if c.theme == t),
                    "actions": len(by_theme[t]),
                    "progress": _mean([a["progress"] for a in by_theme[t]]),
                    "overdue": sum(len(a["overdue"]) for a in by_theme[t]),
                }
                for t in THEMES
                if any(c.theme == t for c in self.commitments)
            ],
            "members": sorted(
                (
                    {
                        "origin": origin,
                        "country": country_of.get(origin) or acts[0]["country"],
                        "actions": len(acts),
                        "progress": _mean([a["progress"] for a in acts]),
                        "milestones_done": sum(a["milestones_done"] for a in acts),
                        "milestones_total": sum(a["milestones_total"] for a in acts),
                        "overdue": sum(len(a["overdue"]) for a in acts),
                        "endorsements": sum(
                            1 for es in self.endorsements.values() for e in es if e.origin == origin
                        ),
                    }
                    for origin, acts in by_member.items()
                ),
                key=lambda m: m["country"],
            ),
            "overdue": overdue,
        }

    def scorecard(self, country: str) -> dict[str, Any]:
        """One country's actions under every commitment, with their progress."""
        rows: list[dict[str, Any]] = []
        for c in self.commitments:
            acts = [a for a in self.actions[c.id] if a["country"] == country]
            if acts:
                rows.append(
                    {
                        "commitment": commitment_summary(
                            c, self.endorsements[c.id], self.actions[c.id]
                        ),
                        "actions": acts,
                        "progress": _mean([a["progress"] for a in acts]),
                    }
                )
        acts = [a for r in rows for a in r["actions"]]
        return {
            "country": country,
            "generated_at": clock.iso(clock.now()),
            "commitments": rows,
            "actions": len(acts),
            "progress": _mean([a["progress"] for a in acts]),
            "milestones_done": sum(a["milestones_done"] for a in acts),
            "milestones_total": sum(a["milestones_total"] for a in acts),
            "overdue": sum(len(a["overdue"]) for a in acts),
        }
