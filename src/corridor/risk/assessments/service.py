"""Risk assessments: write one (the challenges it links checked and bound by the flow rule),
rank the ones a user may see, place them on the risk matrix."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from corridor.mapping.challenges.service import link_challenge
from corridor.records import flow
from corridor.records.owned import SaveOwn, visible_row, visible_rows
from corridor.risk import ciram
from corridor.risk.assessments.models import AssessmentRow
from corridor.risk.assessments.records import ASSESSMENT
from corridor.risk.assessments.schemas import AssessmentBody
from corridor.security.principal import Principal


def _challenge_sources(
    session: Session, node_id: str, actor: Principal, body: dict[str, Any]
) -> list[flow.Source]:
    """The challenges an assessment links, as flow sources (their labels bind its own)."""
    ids = AssessmentBody.model_validate(body).challenges
    return [
        link_challenge(session, node_id, actor, ref, where=f"challenges[{i}]")[1]
        for i, ref in enumerate(ids)
    ]


# Record an assessment of this node, or (with `record_id`) a new version of one.
save_assessment = SaveOwn(ASSESSMENT, check=_challenge_sources)


def ranked(session: Session, node_id: str, *, actor: Principal) -> list[AssessmentRow]:
    """The assessments this actor may see, the highest risk first."""
    actor.require("risk.read")
    rows = visible_rows(session, AssessmentRow, node_id, actor)
    return sorted(rows, key=lambda r: (-r.score, r.title.casefold()))


def visible_assessment(
    session: Session, node_id: str, actor: Principal, assessment_id: str | uuid.UUID
) -> AssessmentRow | None:
    actor.require("risk.read")
    return visible_row(session, AssessmentRow, node_id, actor, assessment_id)


def ranked_view(row: AssessmentRow) -> dict[str, Any]:
    scope = {
        k: v
        for k, v in (
            ("kind", row.scope_kind),
            ("route", row.route),
            ("border_section", row.border_section),
            ("country", row.country),
            ("nationality", row.nationality),
        )
        if v is not None
    }
    risk = ciram.Risk(
        row.method, row.threat, row.vulnerability, row.impact, row.likelihood, 0.0, row.score,
        row.level,
    )  # fmt: skip
    view = risk.to_dict()
    view.pop("value")
    return {
        "id": str(row.id),
        "title": row.title,
        "origin": row.origin,
        "version": row.version,
        "scope": scope,
        "tlp": row.tlp,
        "risk": view,
    }


def matrix(rows: list[AssessmentRow]) -> list[list[list[AssessmentRow]]]:
    """The risk matrix: cells[likelihood - 1][impact - 1] hold the assessments placed there."""
    cells: list[list[list[AssessmentRow]]] = [[[] for _ in range(5)] for _ in range(5)]
    for row in rows:
        cells[row.likelihood - 1][row.impact - 1].append(row)
    return cells
