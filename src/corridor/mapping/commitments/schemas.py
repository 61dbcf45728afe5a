"""The bodies of commitments, endorsements and actions, and the API's requests and answers."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field, model_validator

from corridor.countries import CountryCode
from corridor.mapping.schemas import Evidence, ShortText, Theme
from corridor.records.labels import Labels
from corridor.records.schemas import Answer, Shared, record_out
from corridor.schemas import CountryCodes, StrictModel

NODE_ID = r"^[a-z2-7]{26}$"


class CommitmentBody(StrictModel):
    title: str = ShortText
    theme: Theme
    text: str = Field(min_length=1, max_length=20_000)
    adopted: date
    ends: date | None = None
    countries: CountryCodes = Field(default_factory=list, max_length=250)

    @model_validator(mode="after")
    def _period(self) -> CommitmentBody:
        if self.ends and self.ends < self.adopted:
            raise ValueError("a commitment cannot end before it is adopted")
        return self


class EndorsementBody(StrictModel):
    commitment: uuid.UUID
    origin: str = Field(pattern=NODE_ID, description="node that holds the commitment")
    on: date
    note: str | None = Field(default=None, max_length=2000)


MILESTONE_ID = r"^[a-z0-9][a-z0-9_-]{0,39}$"


class Milestone(StrictModel):
    id: str = Field(pattern=MILESTONE_ID)
    title: str = ShortText
    due: date
    done_on: date | None = None


class Indicator(StrictModel):
    id: str = Field(pattern=MILESTONE_ID)
    name: str = ShortText
    unit: str | None = Field(default=None, max_length=50)
    baseline: float
    target: float
    current: float | None = None

    @model_validator(mode="after")
    def _moves(self) -> Indicator:
        if self.target == self.baseline:
            raise ValueError(f"indicator {self.id!r}: the target equals the baseline")
        return self

    def attainment(self) -> float | None:
        """Share of the way from baseline to target (0-1); works for falling targets too."""
        if self.current is None:
            return None
        share = (self.current - self.baseline) / (self.target - self.baseline)
        return max(0.0, min(1.0, share))


class Update(StrictModel):
    id: uuid.UUID
    on: date
    text: str = Field(min_length=1, max_length=10_000)
    values: dict[str, float] = Field(default_factory=dict, max_length=50)
    milestones_done: list[str] = Field(default_factory=list, max_length=100)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    author: str = Field(min_length=1, max_length=80)


class ActionBody(StrictModel):
    """A member's own action under a commitment; its updates travel in new versions of it, so
    only the node that owns the action can ever report progress on it."""

    commitment: uuid.UUID
    commitment_origin: str = Field(pattern=NODE_ID)
    title: str = ShortText
    description: str | None = Field(default=None, max_length=20_000)
    owner: str = Field(min_length=1, max_length=200)
    country: CountryCode
    milestones: list[Milestone] = Field(default_factory=list, max_length=100)
    indicators: list[Indicator] = Field(default_factory=list, max_length=50)
    updates: list[Update] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _consistent(self) -> ActionBody:
        for kind, items in (("milestone", self.milestones), ("indicator", self.indicators)):
            ids = [i.id for i in items]
            if len(ids) != len(set(ids)):
                raise ValueError(f"{kind} ids must be unique within an action")
        milestones = {m.id for m in self.milestones}
        indicators = {i.id for i in self.indicators}
        for u in self.updates:
            unknown = set(u.milestones_done) - milestones
            if unknown:
                raise ValueError(f"update {u.id}: unknown milestones {sorted(unknown)}")
            unknown = set(u.values) - indicators
            if unknown:
                raise ValueError(f"update {u.id}: unknown indicators {sorted(unknown)}")
        return self


# --- the API: requests ------------------------------------------------------------------------


class CommitmentIn(Shared, CommitmentBody):
    pass


class EndorseIn(StrictModel):
    note: str | None = Field(default=None, max_length=2000)


class ActionIn(StrictModel):
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    owner: str = Field(min_length=1, max_length=200)
    country: str | None = Field(default=None, description="default: this node's country")
    milestones: list[Milestone] = Field(default_factory=list, max_length=100)
    indicators: list[Indicator] = Field(default_factory=list, max_length=50)


class UpdateIn(StrictModel):
    on: date
    text: str = Field(min_length=1, max_length=10_000)
    values: dict[str, float] = Field(default_factory=dict, max_length=50)
    milestones_done: list[str] = Field(default_factory=list, max_length=100)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)


# --- the API: answers -------------------------------------------------------------------------

CommitmentOut = record_out(CommitmentBody, "CommitmentOut")
EndorsementOut = record_out(EndorsementBody, "EndorsementOut")
ActionOut = record_out(ActionBody, "ActionOut")
Share = Field(description="0-1; null while nothing is known yet")


class MilestoneDue(Answer):
    id: str
    title: str
    due: date


class CommitmentActionView(Answer):
    """A member's action with its progress (progress.action_view)."""

    id: str
    commitment: str
    origin: str
    country: str
    title: str
    owner: str
    milestones: list[Milestone]
    indicators: list[Indicator]
    updates: int = Field(description="progress updates posted")
    last_update: date | None
    updated_at: str
    milestones_total: int
    milestones_done: int
    overdue: list[MilestoneDue]
    attainment: float | None = Share
    progress: float | None = Share


class CommitmentSummary(Answer):
    id: str
    title: str
    theme: Theme
    origin: str
    adopted: date
    ends: date | None
    countries: list[str]
    tlp: str
    updated_at: str
    endorsed_by: list[str] = Field(description="node ids of the members that endorsed it")
    actions: int
    progress: float | None = Share
    overdue: int = Field(description="overdue milestones of its actions")


class CommitmentList(Answer):
    items: list[CommitmentSummary]


class EndorsementView(Answer):
    id: str
    origin: str
    on: date
    note: str | None


class CommitmentDetail(CommitmentSummary):
    text: str
    labels: Labels
    version: int
    endorsements: list[EndorsementView]
    action_items: list[CommitmentActionView]


class ThemeProgress(Answer):
    theme: Theme
    commitments: int
    actions: int
    progress: float | None = Share
    overdue: int


class MemberProgress(Answer):
    origin: str
    country: str
    actions: int
    progress: float | None = Share
    milestones_done: int
    milestones_total: int
    overdue: int
    endorsements: int


class OverdueMilestone(MilestoneDue):
    action: str
    action_title: str
    commitment: str
    commitment_title: str
    origin: str
    country: str


class CommitmentDashboard(Answer):
    generated_at: str
    commitments: int
    themes: list[ThemeProgress]
    members: list[MemberProgress]
    overdue: list[OverdueMilestone]


class ScorecardCommitment(Answer):
    commitment: CommitmentSummary
    actions: list[CommitmentActionView]
    progress: float | None = Share


class CountryScorecard(Answer):
    country: str
    generated_at: str
    commitments: list[ScorecardCommitment]
    actions: int
    progress: float | None = Share
    milestones_done: int
    milestones_total: int
    overdue: int
