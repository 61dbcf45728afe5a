"""Input and response models of entity resolution (see `entities.schemas.Answer`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import Field

from corridor.entities.schemas import Answer, EntityOut
from corridor.schemas import MAX_INT32, StrictModel, UtcDateTime

# A duplicate candidate's row id (an Integer column).
CandidateId = Annotated[int, Path(ge=1, le=MAX_INT32)]


class CompareIn(StrictModel):
    a: dict[str, Any]
    b: dict[str, Any]


class DedupeIn(StrictModel):
    case: str | None = Field(default=None, max_length=80)


class DecisionIn(StrictModel):
    decision: Literal["same", "different", "unsure"]


class MergeIn(StrictModel):
    keep: str = Field(min_length=1, max_length=128)
    merge: str = Field(min_length=1, max_length=128)


class ReasonOut(Answer):
    """Why two entities compare as they do on one feature, and its weight in the score."""

    feature: str
    outcome: str
    a_value: str
    b_value: str
    weight: float
    detail: str


class ComparisonOut(Answer):
    """Two entities compared. `match` is the verdict on the identity (True: the same; False:
    different; None: unsure, for a person to review); a name alone never makes it True, and
    names that agree never make it False. `name_match` is the names' own verdict, for callers
    who have nothing but names."""

    score: float = Field(description="P(same | evidence), 0 to 1")
    match: bool | None = Field(description="same (true), different (false) or unsure (null)")
    name_match: bool | None = Field(
        description="the names agree (true), differ (false), are only similar or absent (null)"
    )
    name_level: Literal["agree", "partial", "conflict"] | None = Field(
        description="how the most similar pair of names compares; null when a side has no name"
    )
    reasons: list[ReasonOut]


class DetectionOut(Answer):
    entities: int
    compared: int
    proposed: int
    already_known: int


class CandidateOut(Answer):
    """A pair in the review queue, with the comparison's reasons as they were stored."""

    id: int
    score: float
    status: str
    reasons: list[dict[str, Any]]
    case_id: uuid.UUID | None
    a: EntityOut
    b: EntityOut
    decided_by: str | None
    decided_at: UtcDateTime | None


class CandidateList(Answer):
    items: list[CandidateOut]


class DecisionOut(Answer):
    id: int
    status: str
    decided_by: str | None
