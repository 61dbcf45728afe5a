"""CIRAM-style risk: threat, vulnerability and impact on ordinal scales of 1 to 5, and the
combination chosen by the analyst, said with every result.

- **Threat** (magnitude and likelihood of the pressure, each 1-5): their geometric mean,
  rounded, so that a large but unlikely pressure and a likely but small one weigh alike.
- **Vulnerability** (the border system's capacity to mitigate it): from a structured checklist
  of capacities (`VULNERABILITY_ITEMS`): each "no" counts 1, "partly" 0.5, "yes" 0, "unknown" is
  left out; the share of gaps gives 1 + 4 × share, rounded. The analyst may set the level
  instead, with a rationale (the checklist is kept beside it).
- **Impact** (humanitarian, security, operational, each 1-5): the highest of the three, since a
  risk is as grave as its worst consequence.

The combinations (`METHODS`), each giving a level (low, medium, high, very high) and a score
from 0 to 1 for ranking:

- `product`: R = T × V × I (1-125); levels at the cubes of 2, 3 and 4 (8, 27, 64), so that a
  risk whose three parts are all "medium" (3) is medium.
- `geometric`: the weighted geometric mean G = exp(Σ wᵢ ln xᵢ / Σ wᵢ) (1-5), weights given per
  part (1 each by default: then it orders as the product); levels at 2, 3 and 4.
- `matrix`: the classic 5 × 5 matrix of likelihood L = round(√(T × V)) (the threat meeting a
  weakness) by consequence C = I; levels by L × C: up to 4 low, up to 9 medium, up to 16 high,
  above very high."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from corridor.i18n import N_

METHODS = {
    "matrix": N_("Risk matrix: likelihood (threat × vulnerability) by impact"),
    "product": N_("Product of the three scales"),
    "geometric": N_("Weighted geometric mean"),
}
LEVELS = ("low", "medium", "high", "very_high")
LEVEL_LABELS = {
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "very_high": N_("Very high"),
}
ANSWERS = {"yes": 0.0, "partly": 0.5, "no": 1.0}
# The capacities of a border section against the threat (CIRAM's vulnerability assessment).
VULNERABILITY_ITEMS = {
    "surveillance": N_("Surveillance covers the section day and night"),
    "detection": N_("Detection and identification capacity (sensors, patrols)"),
    "reaction": N_("Reaction: interception within the time the terrain requires"),
    "staffing": N_("Staff numbers meet the workload"),
    "training": N_("Staff trained on smuggling indicators and document fraud"),
    "document_checks": N_("Second-line document checks at the crossing points"),
    "information": N_("Information exchange with neighbours and partners in real time"),
    "infrastructure": N_("Infrastructure (roads, lighting, barriers) in working order"),
    "integrity": N_("Integrity measures against corruption"),
    "protection": N_("Referral of vulnerable people to protection services"),
}


def _scale(value: float) -> int:
    return max(1, min(5, math.floor(value + 0.5)))


def threat_level(magnitude: int, likelihood: int) -> int:
    return _scale(math.sqrt(magnitude * likelihood))


def vulnerability_level(checklist: list[dict[str, Any]], level: int | None = None) -> int:
    """The analyst's level if set, else the checklist's share of gaps; 3 (the middle) when the
    checklist says nothing."""
    if level is not None:
        return level
    answers = [ANSWERS[c["answer"]] for c in checklist if c.get("answer") in ANSWERS]
    if not answers:
        return 3
    return _scale(1 + 4 * sum(answers) / len(answers))


def impact_level(humanitarian: int, security: int, operational: int) -> int:
    return max(humanitarian, security, operational)


@dataclass(frozen=True)
class Risk:
    method: str
    threat: int
    vulnerability: int
    impact: int
    likelihood: int  # the matrix's row: round(√(T × V))
    value: float  # the method's own figure: T×V×I, G, or L×C
    score: float  # 0 to 1, for ranking across methods
    level: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "threat": self.threat,
            "vulnerability": self.vulnerability,
            "impact": self.impact,
            "likelihood": self.likelihood,
            "value": round(self.value, 3),
            "score": round(self.score, 4),
            "level": self.level,
        }


def _band(value: float, bounds: tuple[float, float, float]) -> str:
    for level, bound in zip(LEVELS, bounds, strict=False):
        if value <= bound:
            return level
    return LEVELS[-1]


def combine(
    threat: int,
    vulnerability: int,
    impact: int,
    method: str = "matrix",
    weights: dict[str, float] | None = None,
) -> Risk:
    likelihood = _scale(math.sqrt(threat * vulnerability))
    if method == "product":
        value = float(threat * vulnerability * impact)
        return Risk(method, threat, vulnerability, impact, likelihood, value,
                    (value - 1) / 124, _band(value, (8, 27, 64)))  # fmt: skip
    if method == "geometric":
        w = {"threat": 1.0, "vulnerability": 1.0, "impact": 1.0, **(weights or {})}
        total = w["threat"] + w["vulnerability"] + w["impact"]
        value = math.exp(
            (w["threat"] * math.log(threat) + w["vulnerability"] * math.log(vulnerability)
             + w["impact"] * math.log(impact)) / total
        )  # fmt: skip
        # Bounds a hair above 2, 3 and 4: a mean of exactly 3 (all "medium") is medium.
        return Risk(method, threat, vulnerability, impact, likelihood, value, (value - 1) / 4,
                    _band(value, (2 + 1e-9, 3 + 1e-9, 4 + 1e-9)))  # fmt: skip
    if method == "matrix":
        value = float(likelihood * impact)
        return Risk(method, threat, vulnerability, impact, likelihood, value,
                    (value - 1) / 24, _band(value, (4, 9, 16)))  # fmt: skip
    raise ValueError(f"method: one of {', '.join(METHODS)}")


def assess(body: dict[str, Any]) -> Risk:
    """The risk of an assessment's body (schemas.AssessmentBody)."""
    t, v, i = body["threat"], body["vulnerability"], body["impact"]
    return combine(
        threat_level(t["magnitude"], t["likelihood"]),
        vulnerability_level(v.get("checklist", []), v.get("level")),
        impact_level(i["humanitarian"], i["security"], i["operational"]),
        body.get("method", "matrix"),
        body.get("weights"),
    )
