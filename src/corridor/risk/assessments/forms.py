"""The assessment form's fields, kept as typed so an error can show them back; the checklist
as one select per capacity (`check_<item>`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from pydantic import BaseModel, ValidationError

from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.risk.assessments.schemas import AssessmentBody
from corridor.risk.ciram import VULNERABILITY_ITEMS
from corridor.schemas import field_errors

Short = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=20_000)]
Choice = Annotated[str, Form(max_length=20)]
FIELD_LABELS = {
    "title": N_("Title"),
    "scope": N_("What is assessed"),
    "period_from": N_("From"),
    "period_to": N_("To"),
    "threat": N_("Threat"),
    "vulnerability": N_("Vulnerability"),
    "impact": N_("Impact"),
    "method": N_("Method"),
    "weights": N_("Weights"),
    "challenges": N_("Challenges"),
}


class AssessmentForm(BaseModel):
    title: Short = ""
    scope_kind: Choice = "route"
    route: Short = ""
    border_section: Short = ""
    country: Short = ""
    nationality: Short = ""
    period_from: Choice = ""
    period_to: Choice = ""
    magnitude: Choice = "3"
    likelihood: Choice = "3"
    threat_rationale: Long = ""
    check_surveillance: Choice = "unknown"
    check_detection: Choice = "unknown"
    check_reaction: Choice = "unknown"
    check_staffing: Choice = "unknown"
    check_training: Choice = "unknown"
    check_document_checks: Choice = "unknown"
    check_information: Choice = "unknown"
    check_infrastructure: Choice = "unknown"
    check_integrity: Choice = "unknown"
    check_protection: Choice = "unknown"
    vulnerability_level: Choice = ""
    vulnerability_rationale: Long = ""
    humanitarian: Choice = "3"
    security: Choice = "3"
    operational: Choice = "3"
    impact_rationale: Long = ""
    method: Choice = "matrix"
    weight_threat: Choice = "1"
    weight_vulnerability: Choice = "1"
    weight_impact: Choice = "1"
    challenges: Annotated[list[str], Form()] = []
    summary: Long = ""
    recommendations: Long = ""

    @classmethod
    def of_body(cls, body: dict[str, Any]) -> AssessmentForm:
        scope, t, v, i = body["scope"], body["threat"], body["vulnerability"], body["impact"]
        checks = {f"check_{c['item']}": c["answer"] for c in v.get("checklist", [])}
        weights = body.get("weights") or {}
        return cls(
            title=body["title"],
            scope_kind=scope["kind"],
            route=scope.get("route") or "",
            border_section=scope.get("border_section") or "",
            country=scope.get("country") or "",
            nationality=scope.get("nationality") or "",
            period_from=body.get("period_from") or "",
            period_to=body.get("period_to") or "",
            magnitude=str(t["magnitude"]),
            likelihood=str(t["likelihood"]),
            threat_rationale=t.get("rationale", ""),
            vulnerability_level=str(v["level"]) if v.get("level") else "",
            vulnerability_rationale=v.get("rationale", ""),
            humanitarian=str(i["humanitarian"]),
            security=str(i["security"]),
            operational=str(i["operational"]),
            impact_rationale=i.get("rationale", ""),
            method=body.get("method", "matrix"),
            weight_threat=str(weights.get("threat", 1)),
            weight_vulnerability=str(weights.get("vulnerability", 1)),
            weight_impact=str(weights.get("impact", 1)),
            challenges=list(body.get("challenges", [])),
            summary=body.get("summary", ""),
            recommendations=body.get("recommendations", ""),
            **checks,
        )

    def checklist(self) -> list[tuple[str, str]]:
        return [(item, getattr(self, f"check_{item}")) for item in VULNERABILITY_ITEMS]

    def body(self) -> dict[str, Any]:
        """The assessment's body, checked; InvalidInput names each field as the form does."""
        scope = {
            k: v.strip()
            for k, v in (
                ("kind", self.scope_kind),
                ("route", self.route),
                ("border_section", self.border_section),
                ("country", self.country),
                ("nationality", self.nationality),
            )
            if v.strip()
        }
        body: dict[str, Any] = {
            "title": self.title.strip(),
            "scope": scope,
            "threat": {
                "magnitude": self.magnitude,
                "likelihood": self.likelihood,
                "rationale": self.threat_rationale.strip(),
            },
            "vulnerability": {
                "checklist": [
                    {"item": item, "answer": answer} for item, answer in self.checklist()
                ],
                "rationale": self.vulnerability_rationale.strip(),
            },
            "impact": {
                "humanitarian": self.humanitarian,
                "security": self.security,
                "operational": self.operational,
                "rationale": self.impact_rationale.strip(),
            },
            "method": self.method,
            "challenges": [c for c in self.challenges if c],
            "summary": self.summary.strip(),
            "recommendations": self.recommendations.strip(),
        }
        if self.vulnerability_level.strip():
            body["vulnerability"]["level"] = self.vulnerability_level.strip()
        for key in ("period_from", "period_to"):
            if getattr(self, key).strip():
                body[key] = getattr(self, key).strip()
        if self.method == "geometric":
            body["weights"] = {
                "threat": self.weight_threat,
                "vulnerability": self.weight_vulnerability,
                "impact": self.weight_impact,
            }
        try:
            checked = AssessmentBody.model_validate(_numbers(body))
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc, FIELD_LABELS)) from None
        return checked.model_dump(mode="json", exclude_none=True)


def _numbers(body: dict[str, Any]) -> dict[str, Any]:
    """The form's numbers as numbers (the body model is strict); a text left as it is, for the
    model to name."""

    def num(value: Any, kind: type) -> Any:
        try:
            return kind(value)
        except (TypeError, ValueError):
            return value

    for part, keys in (("threat", ("magnitude", "likelihood")),
                       ("impact", ("humanitarian", "security", "operational")),
                       ("vulnerability", ("level",))):  # fmt: skip
        for key in keys:
            if key in body[part]:
                body[part][key] = num(body[part][key], int)
    if "weights" in body:
        body["weights"] = {k: num(v, float) for k, v in body["weights"].items()}
    return body
