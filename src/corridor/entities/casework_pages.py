"""Case work in the web UI: the notes, files, tasks and timeline part of a case page, and the
forms that change them (each redirects back to the case with a flash message)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from corridor import clock
from corridor.entities import casework
from corridor.errors import CorridorError, InvalidInput, NotFound
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.web.auth import Auth, node_of, page_auth
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False)

# Labels of the values the service returns, marked for translation.
KIND_LABELS = {
    "case": N_("case"),
    "note": N_("note"),
    "file": N_("file"),
    "task": N_("task"),
    "entity": N_("entities"),
    "call": N_("call"),
    "payment": N_("payment"),
    "trip": N_("trip"),
    "event": N_("event"),
}
ACTION_LABELS = {
    "opened": N_("opened"),
    "added": N_("added"),
    "created": N_("created"),
    "open": N_("open"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
    "dated": "",
}
DETAIL_LABELS = {
    "amount": N_("amount"),
    "from": N_("from"),
    "to": N_("to"),
}
PageAuth = Annotated[Auth, Depends(page_auth)]
FilterParam = Annotated[str, Query(max_length=25)]


def _item_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no item {value}") from None


@router.get("/cases/{ref}/_work", response_class=HTMLResponse)
def case_work(
    request: Request,
    auth: PageAuth,
    ref: str,
    kind: FilterParam = "",
    date_from: Annotated[str, Query(alias="from", max_length=25)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=25)] = "",
) -> HTMLResponse:
    """The part of the case page below the entities. Loaded by HTMX into the case page; opened
    directly (no JavaScript), it is a page of its own."""
    node = node_of(request)
    kinds = [kind] if kind else None
    error = None
    with node.db.transaction() as session:
        try:
            work = casework.overview(
                session,
                actor=auth.principal,
                case_ref=ref,
                kinds=kinds,
                date_from=date_from,
                date_to=date_to,
            )
        except InvalidInput as exc:
            error = exc.detail
            work = casework.overview(session, actor=auth.principal, case_ref=ref)
    return page(
        request,
        "entities/_casework.html",
        {
            "work": work,
            "case": work.case,
            "standalone": request.headers.get("hx-request") != "true",
            "kinds": casework.TIMELINE_KINDS,
            "kind_labels": KIND_LABELS,
            "action_labels": ACTION_LABELS,
            "detail_labels": DETAIL_LABELS,
            "today": clock.now().date().isoformat(),
            "max_file_mb": casework.MAX_FILE_BYTES // (1024 * 1024),
            "filters": {"kind": kind, "from": date_from, "to": date_to},
            "timeline_error": error,
        },
    )


def _act(request: Request, ref: str, action: Callable[[Session], str]) -> Response:
    """Run one change in a transaction and go back to the case with the message `action`
    returns, or with the reason it was refused (nothing stored)."""
    back = f"/cases/{quote(ref, safe='')}#casework"
    try:
        with node_of(request).db.transaction() as session:
            done = action(session)
    except CorridorError as exc:
        return redirect(request, back, exc.detail)
    return redirect(request, back, done)


@router.post("/cases/{ref}/notes")
def add_note(
    request: Request,
    auth: PageAuth,
    ref: str,
    text: Annotated[str, Form(max_length=casework.MAX_NOTE_CHARS + 1000)] = "",
    tlp: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    def work(s: Session) -> str:
        casework.add_note(s, actor=auth.principal, case_ref=ref, text=text, tlp=tlp or None)
        return _("Note added.")

    return _act(request, ref, work)


@router.post("/cases/{ref}/notes/{note_id}/delete")
def delete_note(request: Request, auth: PageAuth, ref: str, note_id: str) -> Response:
    def work(s: Session) -> str:
        casework.delete_note(s, actor=auth.principal, case_ref=ref, note_id=_item_id(note_id))
        return _("Note deleted.")

    return _act(request, ref, work)


@router.post("/cases/{ref}/files")
def upload_file(
    request: Request,
    auth: PageAuth,
    ref: str,
    file: Annotated[UploadFile | None, File()] = None,
    tlp: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    # One byte more than allowed is enough to refuse it.
    content = file.file.read(casework.MAX_FILE_BYTES + 1) if file is not None else b""
    name = file.filename if file is not None else None
    ctype = file.content_type if file is not None else None

    def work(s: Session) -> str:
        _row, created = casework.add_file(
            s,
            actor=auth.principal,
            case_ref=ref,
            name=name,
            content=content,
            content_type=ctype,
            tlp=tlp or None,
        )
        return _("File added.") if created else _("The case already holds this file.")

    return _act(request, ref, work)


@router.post("/cases/{ref}/files/{file_id}/delete")
def delete_file(request: Request, auth: PageAuth, ref: str, file_id: str) -> Response:
    def work(s: Session) -> str:
        casework.delete_file(s, actor=auth.principal, case_ref=ref, file_id=_item_id(file_id))
        return _("File deleted.")

    return _act(request, ref, work)


@router.post("/cases/{ref}/tasks")
def add_task(
    request: Request,
    auth: PageAuth,
    ref: str,
    title: Annotated[str, Form(max_length=casework.MAX_TASK_TITLE)] = "",
    details: Annotated[str, Form(max_length=casework.MAX_TASK_DETAILS)] = "",
    owner: Annotated[str, Form(max_length=40)] = "",
    due: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    def work(s: Session) -> str:
        casework.add_task(
            s,
            actor=auth.principal,
            case_ref=ref,
            title=title,
            details=details,
            owner=owner or None,
            due=casework.parse_due(due),
        )
        return _("Task added.")

    return _act(request, ref, work)


STATUS_DONE = {
    "open": N_("Task reopened."),
    "done": N_("Task done."),
    "cancelled": N_("Task cancelled."),
}


@router.post("/cases/{ref}/tasks/{task_id}/status")
def task_status(
    request: Request,
    auth: PageAuth,
    ref: str,
    task_id: str,
    status: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def work(s: Session) -> str:
        if status not in STATUS_DONE:
            raise InvalidInput(f"status: one of {', '.join(casework.TASK_STATUSES)}")
        casework.update_task(
            s, actor=auth.principal, case_ref=ref, task_id=_item_id(task_id), status=status
        )
        return _(STATUS_DONE[status])

    return _act(request, ref, work)
