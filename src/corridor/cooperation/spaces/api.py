"""REST API /api/v1/spaces: joint case spaces, their posts, tasks and members."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy.orm import Session

from corridor.cooperation.schemas import when
from corridor.cooperation.spaces import service as spaces
from corridor.cooperation.spaces.models import SpacePostRow, SpaceRow, SpaceTaskRow
from corridor.cooperation.spaces.records import is_member
from corridor.cooperation.spaces.schemas import (
    MembersIn,
    PostCreate,
    SpaceCreate,
    SpaceList,
    SpacePostRead,
    SpaceRead,
    SpaceShareIn,
    SpaceShareRead,
    SpaceTaskRead,
    TaskCreate,
    TaskUpdate,
)
from corridor.federation import receipts
from corridor.federation.schemas import receipts_view
from corridor.records import attachments
from corridor.records.schemas import WithdrawIn
from corridor.web.endpoints import Api, ApiCall, file_response, only_set
from corridor.web.params import AttachmentIndex

router = APIRouter(prefix="/api/v1/spaces", tags=["spaces"])
Row = TypeVar("Row", SpacePostRow, SpaceTaskRow)
# Only the writer sees where its own posts and tasks were delivered.
_SPACE = only_set(SpaceRead)


def space_summary(row: SpaceRow, node_id: str) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "reference": row.reference,
        "case_reference": row.case_reference,
        "owner": row.origin,
        "members": [row.origin, *row.members],
        "removed": row.removed,
        "tlp": row.tlp,
        "purpose": row.purpose,
        "version": row.version,
        "state": row.state,
        "member_here": row.state == "active" and is_member(row, node_id),
        "you_were_removed": row.origin != node_id and node_id in row.removed,
        "updated_at": when(row.updated_at),
    }


def post_view(p: SpacePostRow, delivery: dict[str, str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(p.id),
        "from": p.origin,
        "author": p.author,
        "text": p.text,
        "attachments": p.attachments,
        "entities": p.entities,
        "task": str(p.task_id) if p.task_id else None,
        "completes": p.completes,
        "tlp": p.tlp,
        "purpose": p.purpose,
        "posted_at": when(p.created_at),
    }
    return _with_delivery(out, delivery)


def task_view(
    t: SpaceTaskRow, report: SpacePostRow | None, delivery: dict[str, str] | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(t.id),
        "title": t.title,
        "note": t.note,
        "created_by": t.origin,
        "author": t.author,
        "assignee": {"node": t.assignee_node, "person": t.assignee_person},
        "due": t.due.isoformat(),
        "status": t.status,
        "overdue": spaces.overdue(t),
        "reported_done": {"post": str(report.id), "at": when(report.created_at)}
        if report
        else None,
        "tlp": t.tlp,
        "version": t.version,
        "updated_at": when(t.updated_at),
    }
    return _with_delivery(out, delivery)


def _with_delivery(view: dict[str, Any], delivery: dict[str, str] | None) -> dict[str, Any]:
    # Only the writer sees where its own posts and tasks were delivered.
    return view if delivery is None else {**view, "delivery": delivery}


def space_detail(session: Session, view: spaces.SpaceView, node_id: str) -> dict[str, Any]:
    env = view.envelope
    body = env.get("body") or {}
    own = [p.id for p in view.posts if p.origin == node_id] + [
        t.id for t in view.tasks if t.origin == node_id
    ]
    delivery = spaces.delivery(session, own)
    reports = spaces.completion_reports(view.posts, view.tasks)
    return {
        **space_summary(view.row, node_id),
        "purpose_text": body.get("purpose", ""),
        "labels": env["labels"],
        "withdrawn_reason": (env.get("tombstone") or {}).get("reason"),
        "posts": [
            post_view(p, delivery.get(p.id) if p.origin == node_id else None) for p in view.posts
        ],
        "tasks": [
            task_view(t, reports.get(t.id), delivery.get(t.id) if t.origin == node_id else None)
            for t in view.tasks
        ],
        "receipts": receipts_view(receipts.statuses(session, view.row.id))
        if view.row.origin == node_id
        else {},
    }


def _opened(session: Session, api: ApiCall, space_id: uuid.UUID) -> dict[str, Any]:
    """The space as the reader sees it now (an audited read)."""
    view = spaces.open_space(session, api.node.id, actor=api.actor, space_id=space_id)
    return space_detail(session, view, api.node.id)


def _written(
    session: Session, row_type: type[Row], row_id: uuid.UUID
) -> tuple[Row, dict[str, str]]:
    """A post or task this node has just written (projected in this transaction) and where
    it was delivered so far."""
    row = session.get(row_type, row_id)
    assert row is not None
    return row, spaces.delivery(session, [row.id]).get(row.id, {})


@router.get("", response_model=SpaceList)
def list_spaces(api: Api) -> dict[str, Any]:
    with api.reading() as session:
        rows = spaces.list_spaces(session, api.node.id, actor=api.actor)
        return {"items": [space_summary(r, api.node.id) for r in rows]}


@router.post("", status_code=201, **_SPACE)
def create_space(api: Api, payload: SpaceCreate) -> dict[str, Any]:
    with api.transaction() as session:
        env = api.run(
            session,
            spaces.create_space,
            name=payload.name,
            purpose=payload.purpose_text,
            reference=payload.reference,
            case_reference=payload.case_reference,
            members=payload.members,
            labels=payload.labels(),
        )
        return _opened(session, api, uuid.UUID(env["id"]))


@router.get("/{space_id}", **_SPACE)
def get_space(api: Api, space_id: uuid.UUID) -> dict[str, Any]:
    with api.transaction() as session:
        return _opened(session, api, space_id)


@router.put("/{space_id}/members", **_SPACE)
def set_members(api: Api, space_id: uuid.UUID, payload: MembersIn) -> dict[str, Any]:
    with api.transaction() as session:
        api.run(session, spaces.set_members, space_id=space_id, members=payload.members)
        return _opened(session, api, space_id)


@router.post("/{space_id}/withdraw", **_SPACE)
def withdraw_space(api: Api, space_id: uuid.UUID, payload: WithdrawIn) -> dict[str, Any]:
    with api.transaction() as session:
        api.run(session, spaces.withdraw_space, space_id=space_id, reason=payload.reason)
        return _opened(session, api, space_id)


@router.post("/{space_id}/posts", status_code=201, response_model=SpacePostRead)
def create_post(api: Api, space_id: uuid.UUID, payload: PostCreate) -> dict[str, Any]:
    files = attachments.decode(payload.attachments)
    with api.transaction() as session:
        env = api.run(
            session,
            spaces.post,
            space_id=space_id,
            text=payload.text,
            labels=payload.labels(),
            attachments=files,
            entity_refs=[e.model_dump(mode="json") for e in payload.entities],
            task_id=payload.task,
            completes=payload.completes,
        )
        return post_view(*_written(session, SpacePostRow, uuid.UUID(env["id"])))


@router.get("/{space_id}/posts/{post_id}/attachments/{index}", response_class=Response)
def get_attachment(
    api: Api, space_id: uuid.UUID, post_id: uuid.UUID, index: AttachmentIndex
) -> Response:
    with api.transaction() as session:
        spaces.open_space(session, api.node.id, actor=api.actor, space_id=space_id)
        file = spaces.attachment(
            session, api.node.id, actor=api.actor, post_id=post_id, index=index
        )
    return file_response(file)


@router.post("/{space_id}/tasks", status_code=201, response_model=SpaceTaskRead)
def create_task(api: Api, space_id: uuid.UUID, payload: TaskCreate) -> dict[str, Any]:
    with api.transaction() as session:
        env = api.run(
            session,
            spaces.create_task,
            space_id=space_id,
            title=payload.title,
            note=payload.note,
            assignee_node=payload.assignee.node,
            assignee_person=payload.assignee.person,
            due=payload.due,
            labels=payload.labels(),
        )
        row, delivery = _written(session, SpaceTaskRow, uuid.UUID(env["id"]))
        return task_view(row, None, delivery)


@router.put("/{space_id}/tasks/{task_id}", response_model=SpaceTaskRead)
def update_task(
    api: Api, space_id: uuid.UUID, task_id: uuid.UUID, payload: TaskUpdate
) -> dict[str, Any]:
    assignee = payload.assignee
    with api.transaction() as session:
        api.run(
            session,
            spaces.update_task,
            space_id=space_id,
            task_id=task_id,
            status=payload.status,
            title=payload.title,
            note=payload.note,
            due=payload.due,
            assignee_node=assignee.node if assignee else None,
            assignee_person=(assignee.person or "") if assignee else None,
        )
        row, delivery = _written(session, SpaceTaskRow, task_id)
        return task_view(row, None, delivery)


@router.post("/{space_id}/entities", status_code=201, response_model=SpaceShareRead)
def share_entities(api: Api, space_id: uuid.UUID, payload: SpaceShareIn) -> dict[str, Any]:
    """Share case entities with every member of the space (the entities module's share) and
    note it in the thread."""
    with api.transaction() as session:
        shared, posted = api.run(
            session,
            spaces.share_entities,
            region=api.node.config.country,
            space_id=space_id,
            entity_ids=payload.entities,
            labels=payload.labels(),
            note=payload.note,
            with_related=payload.with_related,
        )
        return {
            "share": {
                "id": shared["id"],
                "to": shared["audience"]["nodes"],
                "entities": [e["id"] for e in shared["body"]["entities"]],
            },
            "post": posted["id"],
        }
