"""The joint spaces API's input and answers."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import Field

from corridor.cooperation.spaces.records import (
    MAX_ENTITY_REFS,
    MAX_MEMBERS,
    MAX_POST_ATTACHMENTS,
    EntityRef,
)
from corridor.records.attachments import AttachmentIn, AttachmentRead
from corridor.records.labels import Forward, LabelsIn, Purpose
from corridor.records.schemas import origin_field
from corridor.schemas import ReadModel, StrictModel


class SpaceCreate(LabelsIn):
    name: str = Field(min_length=1, max_length=200)
    purpose_text: str = Field(default="", max_length=5000, description="what the members work on")
    reference: str = Field(min_length=1, max_length=100)
    case_reference: str | None = Field(default=None, max_length=100)
    members: list[str] = Field(min_length=1, max_length=MAX_MEMBERS, description="node ids")


class MembersIn(StrictModel):
    members: list[str] = Field(min_length=1, max_length=MAX_MEMBERS)


class PostCreate(LabelsIn):
    text: str = Field(min_length=1, max_length=20_000)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_POST_ATTACHMENTS)
    entities: list[EntityRef] = Field(default_factory=list, max_length=MAX_ENTITY_REFS)
    task: uuid.UUID | None = None
    completes: bool = False


class AssigneeIn(StrictModel):
    node: str = Field(min_length=26, max_length=26)
    person: str | None = Field(default=None, max_length=200)


class TaskCreate(LabelsIn):
    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)
    assignee: AssigneeIn
    due: date


class TaskUpdate(StrictModel):
    status: Literal["open", "done", "cancelled"] | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    note: str | None = Field(default=None, max_length=5000)
    due: date | None = None
    assignee: AssigneeIn | None = None


class SpaceShareIn(LabelsIn):
    entities: list[str] = Field(min_length=1, max_length=2000)
    note: str = Field(default="", max_length=5000)
    with_related: bool = True
    # Investigation data by default, not to be passed on (as the entities module's share).
    purpose: Purpose = "enforcement"
    forward: Forward = "none"


# --- answers ------------------------------------------------------------------------------------

_DELIVERY = "the writer's view only: member node -> pending, delivered or rejected"


class SpaceSummary(ReadModel):
    id: str
    name: str
    reference: str
    case_reference: str | None
    owner: str
    members: list[str] = Field(description="every member node, the owner first")
    removed: list[str] = Field(description="nodes removed from the space")
    tlp: str
    purpose: str
    version: int
    state: str = Field(description="active or withdrawn")
    member_here: bool = Field(description="this node may still write in it")
    you_were_removed: bool
    updated_at: str | None


class SpaceList(ReadModel):
    items: list[SpaceSummary]


class SpacePostRead(ReadModel):
    id: str
    from_: str = origin_field("the member node that wrote it")
    author: str
    text: str
    attachments: list[AttachmentRead]
    entities: list[dict[str, Any]] = Field(description="id, schema and caption of each")
    task: str | None = Field(description="the task it concerns")
    completes: bool = Field(description="the assignee reports the task done")
    tlp: str
    purpose: str
    posted_at: str | None
    delivery: dict[str, str] | None = Field(default=None, description=_DELIVERY)


class TaskAssigneeRead(ReadModel):
    node: str
    person: str | None


class TaskReportRead(ReadModel):
    post: str = Field(description="the post in which the assignee reported it done")
    at: str | None


class SpaceTaskRead(ReadModel):
    id: str
    title: str
    note: str
    created_by: str = Field(description="the node that created it (and alone changes it)")
    author: str
    assignee: TaskAssigneeRead
    due: str
    status: str = Field(description="open, done or cancelled")
    overdue: bool
    reported_done: TaskReportRead | None
    tlp: str
    version: int
    updated_at: str | None
    delivery: dict[str, str] | None = Field(default=None, description=_DELIVERY)


class SpaceRead(SpaceSummary):
    """A space with the posts and tasks the reader may see."""

    purpose_text: str = Field(description="what the members work on")
    labels: dict[str, Any]
    withdrawn_reason: str | None
    posts: list[SpacePostRead]
    tasks: list[SpaceTaskRead]
    receipts: dict[str, dict[str, str]] = Field(
        description="the owner's view: member node -> {receipt status: when}"
    )


class SpaceSharedRead(ReadModel):
    id: str = Field(description="the share record")
    to: list[str]
    entities: list[str] = Field(description="ids of the entities shared")


class SpaceShareRead(ReadModel):
    share: SpaceSharedRead
    post: str = Field(description="the post noting the share in the thread")
