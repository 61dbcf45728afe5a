"""Joint case spaces in the web UI: the list, a space's thread (refreshed live), its tasks with
owners and due dates, member management for the owner, and the post and task forms. The same
service as the REST API; every form goes through web.forms."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corridor import clock
from corridor.cooperation.spaces import service as spaces
from corridor.cooperation.spaces.records import MAX_POST_ATTACHMENT_BYTES, MAX_POST_ATTACHMENTS
from corridor.errors import InvalidInput
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.records.attachments import read_uploads
from corridor.web.auth import Auth, node_of
from corridor.web.forms import act_form, typed, withdraw_route
from corridor.web.params import Checked, Line, PageAuth, Purpose, Tlp
from corridor.web.render import live_list, own_label, page
from corridor.web.sharing import AmberSharing, ComposePage, SharingForm, sharing_context

router = APIRouter(include_in_schema=False, prefix="/spaces")
LongText = Annotated[str, Form(max_length=40_000)]


# --- list and create --------------------------------------------------------------------------


def _listing(request: Request, auth: PageAuth) -> dict[str, Any]:
    node = node_of(request)
    with node.db.reading() as session:
        rows = spaces.list_spaces(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    return {"items": rows, "names": names}


live_list(router, "cooperation/spaces/index.html", "cooperation/spaces/_list.html", _listing)


class SpaceForm(BaseModel):
    """The new space's own fields, as typed (its labels are a SharingForm)."""

    name: Annotated[str, Form(max_length=200)] = ""
    reference: Annotated[str, Form(max_length=100)] = ""
    case_reference: Annotated[str, Form(max_length=100)] = ""
    purpose_text: Annotated[str, Form(max_length=5000)] = ""
    members: Annotated[set[str], Form()] = set()


COMPOSE = ComposePage("cooperation/spaces/new.html", SpaceForm, approved_peers)


COMPOSE.mount(router)


@router.post("/new", response_class=HTMLResponse)
def create(
    request: Request,
    auth: PageAuth,
    form: Annotated[SpaceForm, Depends(typed(SpaceForm))],
    share: AmberSharing,
) -> Response:
    def save(session: Session, node: Node) -> dict[str, Any]:
        return spaces.create_space(
            session,
            node.keys,
            actor=auth.principal,
            name=form.name,
            purpose=form.purpose_text,
            reference=form.reference,
            case_reference=form.case_reference or None,
            members=sorted(form.members),
            labels=share.labels(),
        )

    def done(env: dict[str, Any]) -> tuple[str, str]:
        return f"/spaces/{env['id']}", _("Joint space created.")

    return COMPOSE.posted(request, auth, form, share, save=save, done=done)


# --- one space --------------------------------------------------------------------------------


def _space_context(request: Request, auth: Auth, space_id: uuid.UUID) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        view = spaces.open_space(session, node.id, actor=auth.principal, space_id=space_id)
        own = [p.id for p in view.posts if p.origin == node.id]
        own += [t.id for t in view.tasks if t.origin == node.id]
        delivery = spaces.delivery(session, own)
        names = node_names(session, node.id, own_label(request))
        # Only the owner changes the members: the others are offered no peers.
        offered = sharing_context(
            session, auth, approved_peers(session) if view.row.origin == node.id else []
        )
    today = clock.now().date()
    return {
        **offered,
        "view": view,
        "space": view.row,
        "body": view.envelope.get("body") or {},
        "names": names,
        "delivery": delivery,
        "reports": spaces.completion_reports(view.posts, view.tasks),
        "overdue": {t.id for t in view.tasks if spaces.overdue(t, today)},
        "today": today.isoformat(),
        "is_owner": view.row.origin == node.id,
        "max_files": MAX_POST_ATTACHMENTS,
        "max_file_mb": MAX_POST_ATTACHMENT_BYTES // (1024 * 1024),
    }


@router.get("/{space_id}", response_class=HTMLResponse)
def show(request: Request, auth: PageAuth, space_id: uuid.UUID) -> HTMLResponse:
    return page(request, "cooperation/spaces/space.html", _space_context(request, auth, space_id))


@router.get("/{space_id}/_thread", response_class=HTMLResponse)
def thread(request: Request, auth: PageAuth, space_id: uuid.UUID) -> HTMLResponse:
    """The thread and tasks alone, for the live refresh (hx-trigger on received records)."""
    return page(request, "cooperation/spaces/_thread.html", _space_context(request, auth, space_id))


def _on_space(
    request: Request,
    auth: Auth,
    space_id: uuid.UUID,
    act: Callable[[Session, Node], object],
    done: str,
) -> Response:
    """A form of the space's page: back to the space with `done` (a message id) or why not."""
    return act_form(request, auth, act=act, back=f"/spaces/{space_id}", done=done)


@router.post("/{space_id}/posts")
async def add_post(
    request: Request,
    auth: PageAuth,
    space_id: uuid.UUID,
    share: AmberSharing,
    text: LongText = "",
    task: Line = "",
    completes: Line = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    attachments = await read_uploads(files or [], MAX_POST_ATTACHMENT_BYTES)

    def act(session: Session, node: Node) -> object:
        try:
            task_id = uuid.UUID(task) if task else None
        except ValueError:
            raise InvalidInput("task: not a task id") from None
        return spaces.post(
            session,
            node.keys,
            actor=auth.principal,
            space_id=space_id,
            text=text,
            labels=share.labels(),
            attachments=attachments,
            task_id=task_id,
            completes=bool(completes),
        )

    return await run_in_threadpool(_on_space, request, auth, space_id, act, N_("Posted."))


@router.post("/{space_id}/tasks")
def add_task(
    request: Request,
    auth: PageAuth,
    space_id: uuid.UUID,
    title: Line = "",
    assignee: Line = "",
    person: Line = "",
    due: Line = "",
    note: LongText = "",
    tlp: Tlp = "AMBER",
) -> Response:
    def act(session: Session, node: Node) -> object:
        try:
            due_date = date.fromisoformat(due)
        except ValueError:
            raise InvalidInput(_("due: give a date (YYYY-MM-DD)")) from None
        return spaces.create_task(
            session,
            node.keys,
            actor=auth.principal,
            space_id=space_id,
            title=title,
            note=note,
            assignee_node=assignee,
            assignee_person=person or None,
            due=due_date,
            labels=SharingForm(tlp=tlp).labels(),
        )

    return _on_space(request, auth, space_id, act, N_("Task created."))


@router.post("/{space_id}/tasks/{task_id}")
def change_task(
    request: Request, auth: PageAuth, space_id: uuid.UUID, task_id: uuid.UUID, status: Line = ""
) -> Response:
    def act(session: Session, node: Node) -> object:
        if status not in ("open", "done", "cancelled"):
            raise InvalidInput(_("status: open, done or cancelled"))
        return spaces.update_task(
            session,
            node.keys,
            actor=auth.principal,
            space_id=space_id,
            task_id=task_id,
            status=status,
        )

    return _on_space(request, auth, space_id, act, N_("Task updated."))


@router.post("/{space_id}/members")
def change_members(
    request: Request, auth: PageAuth, space_id: uuid.UUID, members: Checked = None
) -> Response:
    def act(session: Session, node: Node) -> object:
        return spaces.set_members(
            session, node.keys, actor=auth.principal, space_id=space_id, members=members or []
        )

    return _on_space(request, auth, space_id, act, N_("Members updated."))


WITHDRAWN = N_("Space withdrawn: every member stops showing it.")
withdraw_route(router, spaces.withdraw_space, "space_id", WITHDRAWN, "withdrawn by the owner")


@router.post("/{space_id}/entities")
def share_entities(
    request: Request,
    auth: PageAuth,
    space_id: uuid.UUID,
    entities: LongText = "",
    note: LongText = "",
    tlp: Tlp = "AMBER",
    purpose: Purpose = "enforcement",
) -> Response:
    """Share case entities (ids, one per line or separated by spaces) with every member."""

    def act(session: Session, node: Node) -> object:
        ids = entities.split()
        if not ids:
            raise InvalidInput(_("entities: give the ids of the entities to share"))
        # What members receive they may not pass on (the third-party rule, said in the labels).
        labels = SharingForm(tlp=tlp, purpose=purpose).labels(forward="none")
        return spaces.share_entities(
            session,
            node.keys,
            actor=auth.principal,
            region=node.config.country,
            space_id=space_id,
            entity_ids=ids,
            labels=labels,
            note=note,
        )

    return _on_space(
        request, auth, space_id, act, N_("Entities shared with the members of this space.")
    )
