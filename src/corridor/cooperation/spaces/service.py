"""Joint case spaces: create, change membership, withdraw; posts, tasks and shared entities.

Rules (on top of the record rules: only the origin changes a record):
- only the owner node changes membership or withdraws the space;
- only members post or create tasks; a node removed from a space gets 403 when it tries;
- a post or task goes to the members as this node's copy of the space lists them;
- a task's assignee is a member; its status changes at the node that created it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.spaces.models import SpacePostRow, SpaceRow, SpaceTaskRow
from corridor.cooperation.spaces.records import (
    MAX_POST_ATTACHMENT_BYTES,
    MAX_POST_ATTACHMENTS,
    POST,
    SPACE,
    TASK,
    SpaceBody,
    is_member,
)
from corridor.entities import service as entities
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooLarge
from corridor.federation.models import OutboxItem
from corridor.federation.peers import require_approved
from corridor.keys import NodeKeys
from corridor.records import flow, registry
from corridor.records import service as records
from corridor.records.attachments import Download, NewAttachment, download, fields
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.records.projection import readable, visible
from corridor.security.principal import Principal


@dataclass(frozen=True)
class SpaceView:
    """What a member sees of one space: the space record, and the posts and tasks it may see."""

    envelope: dict[str, Any]
    row: SpaceRow
    posts: list[SpacePostRow]
    tasks: list[SpaceTaskRow]
    member_here: bool  # False: this node was removed (or the space was withdrawn)


def _approved_members(session: Session, node_id: str, members: list[str]) -> list[str]:
    """Member node ids (this node dropped: the owner is a member by definition), each an
    approved peer; an unknown node is refused before anything is written."""
    wanted = sorted({m.strip() for m in members} - {node_id})
    if not wanted:
        raise InvalidInput("members: name at least one partner node")
    require_approved(session, wanted, field="members")
    return wanted


def _space_row(session: Session, node_id: str, actor: Principal, space_id: uuid.UUID) -> SpaceRow:
    actor.require("records.read")
    row = session.get(SpaceRow, space_id)
    if row is None or not visible(actor, row, node_id):
        raise NotFound(f"no space {space_id}")
    return row


def _active_member_space(
    session: Session, node_id: str, actor: Principal, space_id: uuid.UUID
) -> SpaceRow:
    """The space, if this node may still write in it."""
    row = _space_row(session, node_id, actor, space_id)
    if row.state != "active":
        raise Conflict(f"space {space_id} was withdrawn")
    if not is_member(row, node_id):
        raise PermissionDenied("this node was removed from the space; it can no longer write in it")
    return row


def audience_of(row: SpaceRow, node_id: str) -> Audience:
    """Every member node but this one (the owner included)."""
    return Audience(nodes=sorted(({row.origin, *row.members}) - {node_id}))


# --- the space --------------------------------------------------------------------------------


def create_space(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    name: str,
    purpose: str,
    reference: str,
    members: list[str],
    labels: Labels,
    case_reference: str | None = None,
) -> dict[str, Any]:
    actor.require("records.write")
    wanted = _approved_members(session, keys.node_id, members)
    body = {
        "name": name,
        "purpose": purpose,
        "reference": reference,
        "members": wanted,
        "removed": [],
    }
    if case_reference:
        body["case_reference"] = case_reference
    return records.create(
        session,
        keys,
        actor=actor,
        type=SPACE,
        body=body,
        labels=labels,
        audience=Audience(nodes=wanted),
    )


def _own_space(
    session: Session, keys: NodeKeys, actor: Principal, space_id: uuid.UUID
) -> tuple[SpaceRow, dict[str, Any]]:
    row = _space_row(session, keys.node_id, actor, space_id)
    if row.origin != keys.node_id:
        raise PermissionDenied("only the node that owns the space changes its members")
    if row.state != "active":
        raise Conflict(f"space {space_id} was withdrawn")
    envelope = records.get_visible(session, keys.node_id, actor=actor, record_id=space_id)
    return row, envelope


def set_members(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    space_id: uuid.UUID,
    members: list[str],
) -> dict[str, Any]:
    """A new version with the new membership. Removed nodes get this version (so their copy
    shows the removal), then nothing more: later versions and posts are not addressed to them."""
    actor.require("records.write")
    _space, envelope = _own_space(session, keys, actor, space_id)
    old = envelope["body"]
    wanted = _approved_members(session, keys.node_id, members)
    if wanted == sorted(old["members"]):
        raise InvalidInput("members: no change")
    removed_now = sorted(set(old["members"]) - set(wanted))
    removed = sorted((set(old.get("removed", [])) | set(removed_now)) - set(wanted))
    body = {**old, "members": wanted, "removed": removed}
    SpaceBody.model_validate(body)
    return records.update(
        session,
        keys,
        actor=actor,
        record_id=space_id,
        body=body,
        audience=Audience(nodes=sorted(set(wanted) | set(removed_now))),
    )


def withdraw_space(
    session: Session, keys: NodeKeys, *, actor: Principal, space_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    """Tombstone of the space for its current audience; every member stops showing it."""
    actor.require("records.write")
    row = _space_row(session, keys.node_id, actor, space_id)
    if row.origin != keys.node_id:
        raise PermissionDenied("only the node that owns the space withdraws it")
    if row.state != "active":
        raise Conflict(f"space {space_id} was withdrawn already")
    return records.revoke(session, keys, actor=actor, record_id=space_id, reason=reason)


def list_spaces(session: Session, node_id: str, *, actor: Principal) -> list[SpaceRow]:
    """Spaces this user may see, newest activity first (withdrawn ones excluded)."""
    actor.require("records.read")
    q = select(SpaceRow).where(
        SpaceRow.purpose.in_(sorted(actor.purposes)), SpaceRow.state == "active"
    )
    rows = [r for r in session.scalars(q) if visible(actor, r, node_id)]
    rows.sort(key=lambda r: r.updated_at, reverse=True)
    return rows


def open_space(
    session: Session, node_id: str, *, actor: Principal, space_id: uuid.UUID
) -> SpaceView:
    """The space (an audited read) with the posts and tasks this user may see."""
    row = _space_row(session, node_id, actor, space_id)
    envelope = records.get_of_type(
        session, node_id, actor=actor, record_id=space_id, type=SPACE, what="space"
    )
    posts: list[SpacePostRow] = []
    tasks: list[SpaceTaskRow] = []
    if row.state == "active":
        posts = _readable_in(session, node_id, actor, space_id, SpacePostRow, by="created_at")
        tasks = _readable_in(session, node_id, actor, space_id, SpaceTaskRow, by="due")
    if posts or tasks:
        # One entry for the thread (like records.audit_listing), not one per post.
        ids = [str(p.id) for p in posts] + [str(t.id) for t in tasks]
        records.audit_record(session, actor, "record.list", POST, space_id, {"ids": ids})
    return SpaceView(
        envelope=envelope,
        row=row,
        posts=posts,
        tasks=tasks,
        member_here=row.state == "active" and is_member(row, node_id),
    )


_Item = TypeVar("_Item", SpacePostRow, SpaceTaskRow)


def _readable_in(
    session: Session,
    node_id: str,
    actor: Principal,
    space_id: uuid.UUID,
    model: type[_Item],
    *,
    by: str,
) -> list[_Item]:
    """The posts or tasks of a space that this user may read, ordered by the column `by`
    (then by id)."""
    q = (
        select(model)
        .where(model.space_id == space_id, model.purpose.in_(sorted(actor.purposes)))
        .order_by(model.__table__.c[by], model.id)
    )
    return readable(session, actor, session.scalars(q), node_id)


# --- posts ------------------------------------------------------------------------------------


def _attachment_bodies(attachments: list[NewAttachment]) -> list[dict[str, Any]]:
    if len(attachments) > MAX_POST_ATTACHMENTS:
        raise InvalidInput(f"attachments: at most {MAX_POST_ATTACHMENTS} files a post")
    total = sum(len(a.content) for a in attachments)
    if total > MAX_POST_ATTACHMENT_BYTES:
        raise TooLarge(
            f"attachments: {total} bytes; a post carries at most {MAX_POST_ATTACHMENT_BYTES} "
            "(put larger files in a case and share entities instead)"
        )
    return fields(attachments)


def post(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    space_id: uuid.UUID,
    text: str,
    labels: Labels,
    attachments: list[NewAttachment] | None = None,
    entity_refs: list[dict[str, Any]] | None = None,
    task_id: uuid.UUID | None = None,
    completes: bool = False,
) -> dict[str, Any]:
    actor.require("records.write")
    row = _active_member_space(session, keys.node_id, actor, space_id)
    if task_id is not None:
        task = session.get(SpaceTaskRow, task_id)
        if task is None or task.space_id != space_id or not visible(actor, task, keys.node_id):
            raise InvalidInput(f"task: no task {task_id} in this space")
        if completes and task.assignee_node != keys.node_id:
            raise PermissionDenied("only the assignee's node reports a task as done")
        if completes and task.status != "open":
            raise Conflict(f"task {task_id} is {task.status}")
    audience = audience_of(row, keys.node_id)
    # A post answers in its space (the space's labels bind it) and may link entities.
    links, sources = entities.link_refs(
        session,
        actor=actor,
        node_id=keys.node_id,
        refs=list(entity_refs or []),
        labels=labels,
        audience=audience.nodes,
    )
    body: dict[str, Any] = {
        "space": str(space_id),
        "text": text,
        "attachments": _attachment_bodies(attachments or []),
        "entities": links,
        "completes": completes,
    }
    if task_id is not None:
        body["task"] = str(task_id)
    return records.create(
        session,
        keys,
        actor=actor,
        type=POST,
        body=body,
        labels=labels,
        audience=audience,
        sources=[_space_source(session, space_id, path="reply"), *sources],
    )


def _space_source(session: Session, space_id: uuid.UUID, *, path: str) -> flow.Source:
    record = session.get(StoredRecord, space_id)
    assert record is not None  # the caller found the space's row
    return flow.of_record(record.envelope, path=path)


def attachment(
    session: Session, node_id: str, *, actor: Principal, post_id: uuid.UUID, index: int
) -> Download:
    envelope = records.get_visible(session, node_id, actor=actor, record_id=post_id)
    if envelope["type"] != POST:
        raise NotFound("no such attachment")
    return download(envelope.get("body"), index)


def share_entities(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    region: str,
    space_id: uuid.UUID,
    entity_ids: list[str],
    labels: Labels,
    note: str = "",
    with_related: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Share case entities with every member (the entities module's share, audience = the
    members), and post a note in the thread linking what was shared. Returns (share, post)."""
    actor.require("records.write")
    row = _active_member_space(session, keys.node_id, actor, space_id)
    audience = audience_of(row, keys.node_id)
    shared = entities.share(
        session,
        keys,
        actor=actor,
        ctx=entities.Context(node_id=keys.node_id, region=region),
        entity_ids=entity_ids,
        to=audience.nodes,
        labels=labels,
        title=row.name,
        note=note,
        with_related=with_related,
    )
    refs = [
        {"id": e["id"], "schema": e["schema"], "caption": _caption(e)}
        for e in shared["body"]["entities"]
    ]
    text = note or f"Shared {len(refs)} entities with the members of this space."
    posted = post(
        session,
        keys,
        actor=actor,
        space_id=space_id,
        text=text,
        labels=labels,
        entity_refs=refs[:100],
    )
    return shared, posted


def _caption(entity: dict[str, Any]) -> str:
    props = entity.get("properties", {})
    for key in ("name", "number", "title", "phone", "email"):
        if props.get(key):
            return str(props[key][0])[:300]
    return str(entity.get("schema", "Thing"))


# --- tasks ------------------------------------------------------------------------------------


def create_task(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    space_id: uuid.UUID,
    title: str,
    assignee_node: str,
    due: date,
    labels: Labels,
    assignee_person: str | None = None,
    note: str = "",
) -> dict[str, Any]:
    actor.require("records.write")
    row = _active_member_space(session, keys.node_id, actor, space_id)
    if not is_member(row, assignee_node):
        raise InvalidInput(f"assignee: {assignee_node} is not a member of this space")
    if due < clock.now().date():
        raise InvalidInput(f"due: {due.isoformat()} is in the past")
    body: dict[str, Any] = {
        "space": str(space_id),
        "title": title,
        "note": note,
        "assignee": {"node": assignee_node},
        "due": due.isoformat(),
        "status": "open",
    }
    if assignee_person:
        body["assignee"]["person"] = assignee_person
    return records.create(
        session,
        keys,
        actor=actor,
        type=TASK,
        body=body,
        labels=labels,
        audience=audience_of(row, keys.node_id),
        sources=[_space_source(session, space_id, path="link")],
    )


def update_task(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    space_id: uuid.UUID,
    task_id: uuid.UUID,
    status: str | None = None,
    title: str | None = None,
    due: date | None = None,
    assignee_node: str | None = None,
    assignee_person: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """A new version of a task by the node that created it, to the space's current members."""
    actor.require("records.write")
    row = _active_member_space(session, keys.node_id, actor, space_id)
    task = session.get(SpaceTaskRow, task_id)
    if task is None or task.space_id != space_id or not visible(actor, task, keys.node_id):
        raise NotFound(f"no task {task_id} in space {space_id}")
    if task.origin != keys.node_id:
        raise PermissionDenied(
            "only the node that created a task changes it; the assignee reports completion "
            "by a post linking the task"
        )
    envelope = records.get_visible(session, keys.node_id, actor=actor, record_id=task_id)
    body = dict(envelope["body"])
    if status is not None:
        body["status"] = status
    if title is not None:
        body["title"] = title
    if note is not None:
        body["note"] = note
    if due is not None and due.isoformat() != body["due"]:
        if due < clock.now().date():
            raise InvalidInput(f"due: {due.isoformat()} is in the past")
        body["due"] = due.isoformat()
    if assignee_node is not None or assignee_person is not None:
        node = assignee_node or body["assignee"]["node"]
        if not is_member(row, node):
            raise InvalidInput(f"assignee: {node} is not a member of this space")
        # An empty person clears it; None keeps the one named before.
        person = body["assignee"].get("person") if assignee_person is None else assignee_person
        body["assignee"] = {"node": node, **({"person": person} if person else {})}
    if body == envelope["body"]:
        raise InvalidInput("no change")
    registry.validate_body(TASK, body)
    return records.update(
        session,
        keys,
        actor=actor,
        record_id=task_id,
        body=body,
        audience=audience_of(row, keys.node_id),
    )


def completion_reports(
    posts: list[SpacePostRow], tasks: list[SpaceTaskRow]
) -> dict[uuid.UUID, SpacePostRow]:
    """task id -> the first post in which the assignee's node reported it done (a report
    from any other node does not count)."""
    assignees = {t.id: t.assignee_node for t in tasks}
    out: dict[uuid.UUID, SpacePostRow] = {}
    for p in posts:
        if (
            p.completes
            and p.task_id is not None
            and p.task_id not in out
            and assignees.get(p.task_id) == p.origin
        ):
            out[p.task_id] = p
    return out


def delivery(session: Session, record_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, str]]:
    """record id -> {recipient node: pending | delivered | rejected} for versions this node
    sent (the latest version per recipient): a writer sees where a post was refused."""
    out: dict[uuid.UUID, dict[str, str]] = {}
    if not record_ids:
        return out
    rows = session.scalars(
        select(OutboxItem)
        .where(OutboxItem.record_id.in_(record_ids))
        .order_by(OutboxItem.record_id, OutboxItem.version)
    )
    for item in rows:
        out.setdefault(item.record_id, {})[item.recipient] = item.state
    return out


def overdue(task: SpaceTaskRow, today: date | None = None) -> bool:
    return task.status == "open" and task.due < (today or clock.now().date())
