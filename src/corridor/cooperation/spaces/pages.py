"""Joint case spaces in the web UI: the list, a space's thread (refreshed live), its tasks with
owners and due dates, member management for the owner, and the post and task forms. The same
service as the REST API."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from corridor import clock
from corridor.cooperation.spaces import service as spaces
from corridor.cooperation.spaces.records import MAX_POST_ATTACHMENT_BYTES, MAX_POST_ATTACHMENTS
from corridor.errors import CorridorError, InvalidInput
from corridor.federation.models import Peer
from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import gettext as _
from corridor.records.attachments import read_uploads
from corridor.records.labels import HANDLING_TEXT, PURPOSES, TLP_LEVELS, Labels
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page, redirect
from corridor.web.sharing import form_labels

router = APIRouter(include_in_schema=False, prefix="/spaces")
PageAuth = Annotated[Auth, Depends(page_auth)]
Text = Annotated[str, Form(max_length=1000)]
LongText = Annotated[str, Form(max_length=40_000)]
Checked = Annotated[list[str] | None, Form()]


def _error_text(exc: CorridorError | ValidationError) -> str:
    if isinstance(exc, CorridorError):
        return exc.detail
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
        for e in exc.errors(include_url=False)
    )


def _names(session: Any, request: Request) -> dict[str, str]:
    node = node_of(request)
    return node_names(session, node.id, f"{node.config.name} ({node.config.country})")


def _peers(session: Any) -> list[Peer]:
    return approved_peers(session)


# --- list and create --------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def index(request: Request, auth: PageAuth) -> HTMLResponse:
    return _list(request, auth, "cooperation/spaces/index.html")


@router.get("/_list", response_class=HTMLResponse)
def index_rows(request: Request, auth: PageAuth) -> HTMLResponse:
    return _list(request, auth, "cooperation/spaces/_list.html")


def _list(request: Request, auth: Auth, template: str) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        rows = spaces.list_spaces(session, node.id, actor=auth.principal)
        names = _names(session, request)
    return page(request, template, {"items": rows, "names": names})


def _compose(request: Request, auth: Auth, *, status: int = 200, **extra: object) -> HTMLResponse:
    node = node_of(request)
    with node.db.reading() as session:
        peers = _peers(session)
    return page(
        request,
        "cooperation/spaces/new.html",
        {
            "peers": peers,
            "purposes": [p for p in PURPOSES if p in auth.principal.purposes],
            "form": extra.pop("form", {}),
            **extra,
        },
        status=status,
    )


@router.get("/new", response_class=HTMLResponse)
def new(request: Request, auth: PageAuth) -> HTMLResponse:
    auth.principal.require("records.write")
    return _compose(request, auth)


@router.post("/new", response_class=HTMLResponse)
async def create(
    request: Request,
    auth: PageAuth,
    name: Text = "",
    reference: Text = "",
    case_reference: Text = "",
    purpose_text: LongText = "",
    members: Checked = None,
    tlp: Text = "AMBER",
    handling: Text = "H0",
    handling_note: Text = "",
    purpose: Text = "cooperation",
    recipients: Text = "",
) -> Response:
    node = node_of(request)

    def work() -> str:
        labels = form_labels(
            tlp=tlp,
            handling=handling,
            purpose=purpose,
            recipients=recipients,
            handling_note=handling_note,
        )
        with node.db.transaction() as session:
            env = spaces.create_space(
                session,
                node.keys,
                actor=auth.principal,
                name=name,
                purpose=purpose_text,
                reference=reference,
                case_reference=case_reference or None,
                members=members or [],
                labels=labels,
            )
            return str(env["id"])

    try:
        sid = await run_in_threadpool(work)
    except (CorridorError, ValidationError) as exc:
        form: dict[str, Any] = {"name": name, "reference": reference, "tlp": tlp}
        form |= {"case_reference": case_reference, "purpose_text": purpose_text}
        form["members"] = members or []
        return await run_in_threadpool(
            partial(_compose, request, auth, status=422, error=_error_text(exc), form=form)
        )
    return redirect(request, f"/spaces/{sid}", _("Joint space created."))


# --- one space --------------------------------------------------------------------------------


def _space_context(request: Request, auth: Auth, space_id: uuid.UUID) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        view = spaces.open_space(session, node.id, actor=auth.principal, space_id=space_id)
        own = [p.id for p in view.posts if p.origin == node.id]
        own += [t.id for t in view.tasks if t.origin == node.id]
        delivery = spaces.delivery(session, own)
        names = _names(session, request)
        peers = _peers(session) if view.row.origin == node.id else []
    today = clock.now().date()
    return {
        "view": view,
        "space": view.row,
        "body": view.envelope.get("body") or {},
        "names": names,
        "peers": peers,
        "delivery": delivery,
        "reports": spaces.completion_reports(view.posts, view.tasks),
        "overdue": {t.id for t in view.tasks if spaces.overdue(t, today)},
        "today": today.isoformat(),
        "is_owner": view.row.origin == node.id,
        "purposes": [p for p in PURPOSES if p in auth.principal.purposes],
        "tlps": TLP_LEVELS,
        "handlings": HANDLING_TEXT,
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


def _do(request: Request, space_id: uuid.UUID, work: Any, done: str) -> Response:
    try:
        work()
    except (CorridorError, ValidationError) as exc:
        return redirect(request, f"/spaces/{space_id}", _error_text(exc))
    return redirect(request, f"/spaces/{space_id}", done)


@router.post("/{space_id}/posts")
async def add_post(
    request: Request,
    auth: PageAuth,
    space_id: uuid.UUID,
    text: LongText = "",
    tlp: Text = "AMBER",
    handling: Text = "H0",
    purpose: Text = "cooperation",
    recipients: Text = "",
    task: Text = "",
    completes: Text = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    attachments = await read_uploads(files or [], MAX_POST_ATTACHMENT_BYTES)
    node = node_of(request)

    def work() -> None:
        labels = form_labels(tlp=tlp, handling=handling, purpose=purpose, recipients=recipients)
        try:
            task_id = uuid.UUID(task) if task else None
        except ValueError:
            raise InvalidInput("task: not a task id") from None
        with node.db.transaction() as session:
            spaces.post(
                session,
                node.keys,
                actor=auth.principal,
                space_id=space_id,
                text=text,
                labels=labels,
                attachments=attachments,
                task_id=task_id,
                completes=bool(completes),
            )

    return await run_in_threadpool(_do, request, space_id, work, _("Posted."))


@router.post("/{space_id}/tasks")
def add_task(
    request: Request,
    auth: PageAuth,
    space_id: uuid.UUID,
    title: Text = "",
    assignee: Text = "",
    person: Text = "",
    due: Text = "",
    note: LongText = "",
    tlp: Text = "AMBER",
) -> Response:
    node = node_of(request)

    def work() -> None:
        try:
            due_date = date.fromisoformat(due)
        except ValueError:
            raise InvalidInput(_("due: give a date (YYYY-MM-DD)")) from None
        with node.db.transaction() as session:
            spaces.create_task(
                session,
                node.keys,
                actor=auth.principal,
                space_id=space_id,
                title=title,
                note=note,
                assignee_node=assignee,
                assignee_person=person or None,
                due=due_date,
                labels=form_labels(tlp=tlp, handling="H0", purpose="cooperation"),
            )

    return _do(request, space_id, work, _("Task created."))


@router.post("/{space_id}/tasks/{task_id}")
def change_task(
    request: Request,
    auth: PageAuth,
    space_id: uuid.UUID,
    task_id: uuid.UUID,
    status: Text = "",
) -> Response:
    node = node_of(request)

    def work() -> None:
        if status not in ("open", "done", "cancelled"):
            raise InvalidInput(_("status: open, done or cancelled"))
        with node.db.transaction() as session:
            spaces.update_task(
                session,
                node.keys,
                actor=auth.principal,
                space_id=space_id,
                task_id=task_id,
                status=status,
            )

    return _do(request, space_id, work, _("Task updated."))


@router.post("/{space_id}/members")
def change_members(
    request: Request, auth: PageAuth, space_id: uuid.UUID, members: Checked = None
) -> Response:
    node = node_of(request)

    def work() -> None:
        with node.db.transaction() as session:
            spaces.set_members(
                session, node.keys, actor=auth.principal, space_id=space_id, members=members or []
            )

    return _do(request, space_id, work, _("Members updated."))


@router.post("/{space_id}/withdraw")
def withdraw(request: Request, auth: PageAuth, space_id: uuid.UUID, reason: Text = "") -> Response:
    node = node_of(request)

    def work() -> None:
        with node.db.transaction() as session:
            spaces.withdraw_space(
                session,
                node.keys,
                actor=auth.principal,
                space_id=space_id,
                reason=reason or "withdrawn by the owner",
            )

    return _do(request, space_id, work, _("Space withdrawn: every member stops showing it."))


@router.post("/{space_id}/entities")
def share(
    request: Request,
    auth: PageAuth,
    space_id: uuid.UUID,
    entities: LongText = "",
    note: LongText = "",
    tlp: Text = "AMBER",
    purpose: Text = "enforcement",
) -> Response:
    """Share case entities (ids, one per line or separated by spaces) with every member."""
    node = node_of(request)

    def work() -> None:
        ids = entities.split()
        if not ids:
            raise InvalidInput(_("entities: give the ids of the entities to share"))
        labels = Labels.model_validate(
            {"tlp": tlp, "handling": "H0", "purpose": purpose, "forward": "none"}
        )
        with node.db.transaction() as session:
            spaces.share_entities(
                session,
                node.keys,
                actor=auth.principal,
                region=node.config.country,
                space_id=space_id,
                entity_ids=ids,
                labels=labels,
                note=note,
            )

    return _do(request, space_id, work, _("Entities shared with the members of this space."))
