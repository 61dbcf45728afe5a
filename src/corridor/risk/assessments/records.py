"""The `risk.assessment` record type: owned by the node whose Risk Analysis Unit writes it, kept
up by its analysts (`risk.assess`); it links the challenges it assesses (their labels bind its
own). Each change is a new version of the record: assessments are versioned and shared as
records."""

from __future__ import annotations

from typing import Any

from corridor.records.flow import Flow
from corridor.records.owned import register_owned
from corridor.risk import ciram
from corridor.risk.assessments.models import AssessmentRow
from corridor.risk.assessments.schemas import AssessmentBody

ASSESSMENT = "risk.assessment"
EDITORS = ("risk.assess",)


def _fill(row: AssessmentRow, body: dict[str, Any]) -> None:
    scope = body["scope"]
    risk = ciram.assess(body)
    row.title = body["title"]
    row.scope_kind = scope["kind"]
    row.route = scope.get("route")
    row.border_section = scope.get("border_section")
    row.nationality = scope.get("nationality")
    row.country = scope.get("country")
    row.threat, row.vulnerability, row.impact = risk.threat, risk.vulnerability, risk.impact
    row.likelihood = risk.likelihood
    row.method = risk.method
    row.score = risk.score
    row.level = risk.level
    row.challenges = list(body.get("challenges", []))


register_owned(
    ASSESSMENT,
    body=AssessmentBody,
    model=AssessmentRow,
    fill=_fill,
    title="Risk assessment",
    flow=Flow(embeds=("link",), editors=EDITORS),
)
