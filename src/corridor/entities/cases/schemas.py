"""Input and response models of cases and case work (see `entities.schemas.Answer`)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from corridor.entities.cases.tasks import MAX_TASK_DETAILS, MAX_TASK_TITLE
from corridor.entities.schemas import Answer
from corridor.records.labels import TLP, Handling, Purpose
from corridor.schemas import StrictModel, UtcDateTime

DUE = "a date (the end of that day, UTC) or a time in ISO 8601 (UTC unless it has an offset)"


# --- input ------------------------------------------------------------------------------------


class CaseCreate(StrictModel):
    reference: str
    title: str
    summary: str = ""
    tlp: TLP = "AMBER"
    purpose: Purpose = "enforcement"
    handling: Handling = "H0"
    # Its entities' selectors and names enter the node's hit/no-hit index (as the flow rule
    # allows: never a protection, risk-analysis, TLP:RED case).
    matching: bool = False


class MatchingIn(StrictModel):
    matching: bool


class MemberIn(StrictModel):
    kind: Literal["user", "unit"]
    handle: str = Field(min_length=2, max_length=40)
    role: Literal["owner", "member", "reader"] = "member"


class StatusIn(StrictModel):
    status: Literal["open", "closed", "archived"]


class NoteIn(StrictModel):
    # Length is checked by the service, which says what the limit is.
    text: str
    tlp: TLP | None = None


class TaskIn(StrictModel):
    title: str = Field(max_length=MAX_TASK_TITLE)
    details: str = Field(default="", max_length=MAX_TASK_DETAILS)
    owner: str | None = Field(default=None, max_length=40)
    due: str | None = Field(default=None, max_length=40, description=DUE)


class TaskPatch(StrictModel):
    """Only the fields sent change; `owner` or `due` sent as null are cleared."""

    status: Literal["open", "done", "cancelled"] | None = None
    title: str | None = Field(default=None, max_length=MAX_TASK_TITLE)
    details: str | None = Field(default=None, max_length=MAX_TASK_DETAILS)
    owner: str | None = Field(default=None, max_length=40)
    due: str | None = Field(default=None, max_length=40, description=DUE)


# --- answers ----------------------------------------------------------------------------------


class CaseOut(Answer):
    """A case (read from a `Case` row); `your_role` where the answer names it."""

    id: uuid.UUID
    reference: str
    title: str
    summary: str
    status: str
    tlp: str
    purpose: str
    handling: str
    matching: bool = False
    created_by: str
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None
    your_role: str | None = None


class CaseList(Answer):
    items: list[CaseOut]


class MemberOut(Answer):
    kind: str
    handle: str
    role: str
    added_at: UtcDateTime | None


class CaseDetail(CaseOut):
    members: list[MemberOut]


class NoteOut(Answer):
    id: uuid.UUID
    author: str
    text: str
    tlp: str
    created_at: UtcDateTime | None


class NoteList(Answer):
    items: list[NoteOut]


class FileOut(Answer):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    sha256: str
    tlp: str
    uploaded_by: str
    uploaded_at: UtcDateTime | None


class FileList(Answer):
    items: list[FileOut]


class FileUploaded(FileOut):
    # True when the case already held this content: the answer is the existing file (200).
    duplicate: bool


class TaskOut(Answer):
    id: uuid.UUID
    title: str
    details: str
    owner: str | None
    due: UtcDateTime | None
    status: str
    overdue: bool
    created_by: str
    created_at: UtcDateTime | None
    closed_at: UtcDateTime | None


class TaskList(Answer):
    items: list[TaskOut]


class Participant(Answer):
    id: str
    caption: str


class TimelineItemOut(Answer):
    start: str
    end: str | None
    kind: str
    action: str
    title: str
    ref: str
    actor: str | None
    participants: list[Participant]
    details: dict[str, str]


class TimelineOut(Answer):
    items: list[TimelineItemOut]
    total: int
