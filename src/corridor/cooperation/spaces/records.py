"""Record types of joint case spaces and their projections.

- `space` belongs to the owner node: name, purpose, reference, members (the owner implied).
  A membership change is a new version; a removed node gets that version (its copy shows the
  removal) and nothing after it.
- `space.post` and `space.task` belong to the member that writes them; their audience is the
  space's members as the writer's copy lists them. A receiver refuses them unless the writer
  (and the receiver itself) is a member per the receiver's own copy of the space, so a removed
  node can neither keep receiving nor keep posting.
- A task's status changes only at the node that created it (a new version); the assignee
  reports completion by a post linking the task."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import Field, field_validator, model_validator
from sqlalchemy import delete
from sqlalchemy.orm import Session

from corridor.cooperation.notifications.registry import Notice
from corridor.cooperation.notifications.registry import register as register_notice
from corridor.cooperation.spaces.models import SpaceLabelled, SpacePostRow, SpaceRow, SpaceTaskRow
from corridor.errors import NotFound, PermissionDenied
from corridor.federation.receipts import WANTS_RECEIPTS
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.keys import NODE_ID_PATTERN, NODE_ID_RE, own_node_id
from corridor.records.attachments import Attachment, check_total, listed
from corridor.records.flow import Flow
from corridor.records.projection import labelled_row
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

SPACE = "space"
POST = "space.post"
TASK = "space.task"

MAX_MEMBERS = 100
MAX_POST_ATTACHMENTS = 5
# Posts are conversation, not file storage: a small total per post (files go to a case).
MAX_POST_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ENTITY_REFS = 100
TASK_STATUSES = ("open", "done", "cancelled")


def _node_ids(values: list[str]) -> list[str]:
    for n in values:
        if not NODE_ID_RE.match(n):
            raise ValueError(f"{n!r} is not a node id")
    return sorted(set(values))


class SpaceBody(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(default="", max_length=5000, description="what the members work on")
    reference: str = Field(min_length=1, max_length=100)
    case_reference: str | None = Field(default=None, max_length=100)
    members: list[str] = Field(min_length=1, max_length=MAX_MEMBERS)
    removed: list[str] = Field(default_factory=list, max_length=500)

    @field_validator("members", "removed")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        return _node_ids(v)

    @model_validator(mode="after")
    def _disjoint(self) -> SpaceBody:
        both = set(self.members) & set(self.removed)
        if both:
            raise ValueError(f"{sorted(both)[0]} is listed as member and as removed")
        return self


class EntityRef(StrictModel):
    id: str = Field(min_length=1, max_length=200)
    schema_: str = Field(alias="schema", pattern=r"^[A-Za-z]{1,64}$")
    caption: str = Field(min_length=1, max_length=300)

    model_config = {
        **StrictModel.model_config,
        "populate_by_name": True,
        "serialize_by_alias": True,
    }


class PostBody(StrictModel):
    space: uuid.UUID
    text: str = Field(min_length=1, max_length=20_000)
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_POST_ATTACHMENTS)
    entities: list[EntityRef] = Field(default_factory=list, max_length=MAX_ENTITY_REFS)
    task: uuid.UUID | None = Field(default=None, description="a task of the space this concerns")
    completes: bool = Field(default=False, description="the assignee reports the task done")

    @model_validator(mode="after")
    def _coherent(self) -> PostBody:
        if self.completes and self.task is None:
            raise ValueError("completes: name the task the post reports as done")
        check_total(self.attachments, MAX_POST_ATTACHMENT_BYTES, per="a post")
        return self


class Assignee(StrictModel):
    node: str = Field(pattern=NODE_ID_PATTERN)
    person: str | None = Field(default=None, max_length=200)


class TaskBody(StrictModel):
    space: uuid.UUID
    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)
    assignee: Assignee
    due: date
    status: Literal["open", "done", "cancelled"] = "open"


# --- projections ------------------------------------------------------------------------------

_Row = TypeVar("_Row", bound=SpaceLabelled)


def _row(session: Session, model: type[_Row], envelope: dict[str, Any]) -> _Row:
    row = labelled_row(session, model, envelope)
    if row.created_at is None:
        row.created_at = row.updated_at
    return row


def _project_space(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = _row(session, SpaceRow, envelope)
    row.name = body["name"]
    row.reference = body["reference"]
    row.case_reference = body.get("case_reference")
    row.members = list(body["members"])
    row.removed = list(body.get("removed", []))
    row.state = "active"


def _purge_space(session: Session, envelope: dict[str, Any]) -> None:
    # The owner withdrew the space: its content goes; posts and tasks are no longer shown.
    row = session.get(SpaceRow, uuid.UUID(envelope["id"]))
    if row is not None:
        row.name = ""
        row.reference = ""
        row.case_reference = None
        row.state = "withdrawn"
        row.version = envelope["version"]


def _project_post(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = _row(session, SpacePostRow, envelope)
    row.space_id = uuid.UUID(body["space"])
    row.text = body["text"]
    row.attachments = listed(body)
    row.entities = list(body.get("entities", []))
    row.task_id = uuid.UUID(body["task"]) if body.get("task") else None
    row.completes = bool(body.get("completes", False))


def _project_task(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = _row(session, SpaceTaskRow, envelope)
    row.space_id = uuid.UUID(body["space"])
    row.title = body["title"]
    row.note = body.get("note", "")
    row.assignee_node = body["assignee"]["node"]
    row.assignee_person = body["assignee"].get("person")
    row.due = date.fromisoformat(body["due"])
    row.status = body.get("status", "open")


def _delete(model: type[SpacePostRow] | type[SpaceTaskRow]) -> Any:
    def purge(session: Session, envelope: dict[str, Any]) -> None:
        session.execute(delete(model).where(model.id == uuid.UUID(envelope["id"])))

    return purge


# --- checks on records received from members --------------------------------------------------


def is_member(space: SpaceRow, node_id: str | None) -> bool:
    return node_id is not None and (node_id == space.origin or node_id in space.members)


def _check_member_record(session: Session, envelope: dict[str, Any]) -> None:
    """A post or task is stored only if this node holds the space, the space is active, and
    both the writer and this node are members of it per this node's copy."""
    space_id = uuid.UUID(envelope["body"]["space"])
    space = session.get(SpaceRow, space_id)
    if space is None:
        raise NotFound(f"space {space_id} is not known at this node")
    if space.state != "active":
        raise PermissionDenied(f"space {space_id} was withdrawn by its owner")
    if not is_member(space, own_node_id(session)):
        raise PermissionDenied(f"this node is no longer a member of space {space_id}")
    if not is_member(space, envelope["origin"]):
        raise PermissionDenied(f"node {envelope['origin']} is not a member of space {space_id}")


def _check_space(session: Session, envelope: dict[str, Any]) -> None:
    if envelope["origin"] in envelope["body"]["members"]:
        raise PermissionDenied("the owner of a space is not listed among its members")


# --- notifications ----------------------------------------------------------------------------


def _describe_space(envelope: dict[str, Any]) -> Notice | None:
    return Notice(
        kind="space",
        title=_("Joint space: %(name)s") % {"name": envelope["body"]["name"]},
        link=f"/spaces/{envelope['id']}",
    )


def _describe_post(envelope: dict[str, Any]) -> Notice | None:
    body = envelope["body"]
    title = _("Task reported done in a joint space") if body.get("completes") else None
    return Notice(
        kind="space",
        title=title or _("New post in a joint space"),
        link=f"/spaces/{body['space']}#p-{envelope['id']}",
    )


def _describe_task(envelope: dict[str, Any]) -> Notice | None:
    body = envelope["body"]
    fmt = _("New task: %(title)s") if envelope["version"] == 1 else _("Task updated: %(title)s")
    return Notice(
        kind="space",
        title=fmt % {"title": body["title"]},
        link=f"/spaces/{body['space']}#t-{envelope['id']}",
    )


register(
    RecordType(
        name=SPACE,
        body=SpaceBody,
        flow=Flow(editors=("node.manage",)),  # its author or the node's administrator
        project=_project_space,
        purge=_purge_space,
        check=_check_space,
        sensitive=True,
        title="Joint space",
    )
)
register(
    RecordType(
        name=POST,
        body=PostBody,
        # A post answers in its space (the space's labels bind it) and may link entities.
        flow=Flow(embeds=("reply", "link"), editors=("node.manage",)),
        project=_project_post,
        purge=_delete(SpacePostRow),
        check=_check_member_record,
        sensitive=True,
        title="Joint space post",
    )
)
register(
    RecordType(
        name=TASK,
        body=TaskBody,
        # A task belongs to its space (its labels bind it); the node's people keep it up.
        flow=Flow(embeds=("link",), editors=("records.write",)),
        project=_project_task,
        purge=_delete(SpaceTaskRow),
        check=_check_member_record,
        sensitive=True,
        title="Joint space task",
    )
)
# The writer sees which member nodes hold each post and task (delivered receipts).
WANTS_RECEIPTS.update({SPACE, POST, TASK})

_KINDS = {"space": N_("Joint spaces")}
register_notice(SPACE, _describe_space, kinds=_KINDS)
register_notice(POST, _describe_post, kinds=_KINDS)
register_notice(TASK, _describe_task, kinds=_KINDS)
