"""REST API for case work: /api/v1/cases/{ref}/notes, /files, /tasks and /timeline."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Field

from corridor import clock
from corridor.entities import casework
from corridor.entities.models import CaseFile, CaseNote, CaseTask
from corridor.records.labels import TLP
from corridor.schemas import StrictModel
from corridor.security.principal import Principal
from corridor.web.auth import api_principal, node_of

router = APIRouter(prefix="/api/v1/cases/{ref}", tags=["case work"])
Actor = Annotated[Principal, Depends(api_principal)]


def _iso(value: Any) -> str | None:
    return clock.iso(value) if value else None


def note_dict(n: CaseNote) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "author": n.author,
        "text": n.text,
        "tlp": n.tlp,
        "created_at": _iso(n.created_at),
    }


def file_dict(f: CaseFile) -> dict[str, Any]:
    return {
        "id": str(f.id),
        "name": f.name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "tlp": f.tlp,
        "uploaded_by": f.uploaded_by,
        "uploaded_at": _iso(f.uploaded_at),
    }


def task_dict(t: CaseTask) -> dict[str, Any]:
    return {
        "id": str(t.id),
        "title": t.title,
        "details": t.details,
        "owner": t.owner,
        "due": _iso(t.due),
        "status": t.status,
        "overdue": casework.is_overdue(t),
        "created_by": t.created_by,
        "created_at": _iso(t.created_at),
        "closed_at": _iso(t.closed_at),
    }


# --- notes ------------------------------------------------------------------------------------


class NoteIn(StrictModel):
    # Length is checked by the service, which says what the limit is.
    text: str
    tlp: TLP | None = None


@router.get("/notes")
def list_notes(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    with node_of(request).db.transaction() as session:
        notes = casework.list_notes(session, actor=actor, case_ref=ref)
        return {"items": [note_dict(n) for n in notes]}


@router.post("/notes", status_code=201)
def add_note(request: Request, actor: Actor, ref: str, payload: NoteIn) -> dict[str, Any]:
    with node_of(request).db.transaction() as session:
        note = casework.add_note(
            session, actor=actor, case_ref=ref, text=payload.text, tlp=payload.tlp
        )
        return note_dict(note)


@router.delete("/notes/{note_id}", status_code=204)
def delete_note(request: Request, actor: Actor, ref: str, note_id: uuid.UUID) -> Response:
    with node_of(request).db.transaction() as session:
        casework.delete_note(session, actor=actor, case_ref=ref, note_id=note_id)
    return Response(status_code=204)


# --- files ------------------------------------------------------------------------------------


@router.get("/files")
def list_files(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    with node_of(request).db.transaction() as session:
        files = casework.list_files(session, actor=actor, case_ref=ref)
        return {"items": [file_dict(f) for f in files]}


@router.post(
    "/files",
    status_code=201,
    responses={200: {"description": "the case already holds this content: the existing file"}},
)
def upload_file(
    request: Request,
    actor: Actor,
    ref: str,
    file: Annotated[UploadFile, File()],
    tlp: Annotated[TLP | None, Form()] = None,
) -> JSONResponse:
    # One byte more than allowed is enough to refuse it, without reading a huge body.
    content = file.file.read(casework.MAX_FILE_BYTES + 1)
    with node_of(request).db.transaction() as session:
        row, created = casework.add_file(
            session,
            actor=actor,
            case_ref=ref,
            name=file.filename,
            content=content,
            content_type=file.content_type,
            tlp=tlp,
        )
        body = file_dict(row) | {"duplicate": not created}
    return JSONResponse(body, status_code=201 if created else 200)


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the exact name as RFC 8187 UTF-8."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._- ") else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/files/{file_id}", response_class=Response)
def download_file(request: Request, actor: Actor, ref: str, file_id: uuid.UUID) -> Response:
    with node_of(request).db.transaction() as session:
        row = casework.read_file(session, actor=actor, case_ref=ref, file_id=file_id)
        content, name, ctype, digest = row.content, row.name, row.content_type, row.sha256
    # Never rendered inline: the security middleware adds nosniff and the CSP.
    return Response(
        content,
        media_type=ctype,
        headers={"content-disposition": content_disposition(name), "x-corridor-sha256": digest},
    )


@router.delete("/files/{file_id}", status_code=204)
def delete_file(request: Request, actor: Actor, ref: str, file_id: uuid.UUID) -> Response:
    with node_of(request).db.transaction() as session:
        casework.delete_file(session, actor=actor, case_ref=ref, file_id=file_id)
    return Response(status_code=204)


# --- tasks ------------------------------------------------------------------------------------


DUE = "a date (the end of that day, UTC) or a time in ISO 8601 (UTC unless it has an offset)"


class TaskIn(StrictModel):
    title: str = Field(max_length=casework.MAX_TASK_TITLE)
    details: str = Field(default="", max_length=casework.MAX_TASK_DETAILS)
    owner: str | None = Field(default=None, max_length=40)
    due: str | None = Field(default=None, max_length=40, description=DUE)


class TaskPatch(StrictModel):
    """Only the fields sent change; `owner` or `due` sent as null are cleared."""

    status: Literal["open", "done", "cancelled"] | None = None
    title: str | None = Field(default=None, max_length=casework.MAX_TASK_TITLE)
    details: str | None = Field(default=None, max_length=casework.MAX_TASK_DETAILS)
    owner: str | None = Field(default=None, max_length=40)
    due: str | None = Field(default=None, max_length=40, description=DUE)


@router.get("/tasks")
def list_tasks(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    with node_of(request).db.transaction() as session:
        tasks = casework.list_tasks(session, actor=actor, case_ref=ref)
        return {"items": [task_dict(t) for t in tasks]}


@router.post("/tasks", status_code=201)
def add_task(request: Request, actor: Actor, ref: str, payload: TaskIn) -> dict[str, Any]:
    with node_of(request).db.transaction() as session:
        task = casework.add_task(
            session,
            actor=actor,
            case_ref=ref,
            title=payload.title,
            details=payload.details,
            owner=payload.owner,
            due=casework.parse_due(payload.due),
        )
        return task_dict(task)


@router.patch("/tasks/{task_id}")
def update_task(
    request: Request, actor: Actor, ref: str, task_id: uuid.UUID, payload: TaskPatch
) -> dict[str, Any]:
    sent = payload.model_fields_set
    clearable: dict[str, Any] = {}
    if "owner" in sent:
        clearable["owner"] = payload.owner
    if "due" in sent:
        clearable["due"] = casework.parse_due(payload.due)
    with node_of(request).db.transaction() as session:
        task = casework.update_task(
            session,
            actor=actor,
            case_ref=ref,
            task_id=task_id,
            status=payload.status,
            title=payload.title,
            details=payload.details,
            **clearable,
        )
        return task_dict(task)


# --- timeline ---------------------------------------------------------------------------------


@router.get("/timeline")
def timeline(
    request: Request,
    actor: Actor,
    ref: str,
    kind: Annotated[list[str] | None, Query(description="repeat or comma-separate")] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=25)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=25)] = None,
    limit: Annotated[int, Query(ge=1, le=casework.MAX_TIMELINE)] = 1000,
) -> dict[str, Any]:
    kinds = [k for value in kind or [] for k in value.split(",")]
    with node_of(request).db.transaction() as session:
        result = casework.timeline(
            session,
            actor=actor,
            case_ref=ref,
            kinds=kinds,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
        )
        return {"items": [i.to_dict() for i in result.items], "total": result.total}
