"""REST API of cases and case work: /api/v1/cases (open, list, read, members, status) and
/api/v1/cases/{ref}/notes, /files, /tasks and /timeline."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from corridor.entities import access
from corridor.entities.cases import files, matching, notes, service, tasks
from corridor.entities.cases.models import CaseTask
from corridor.entities.cases.schemas import (
    CaseCreate,
    CaseDetail,
    CaseList,
    CaseOut,
    FileList,
    FileOut,
    FileUploaded,
    MatchingIn,
    MemberIn,
    MemberOut,
    NoteIn,
    NoteList,
    NoteOut,
    StatusIn,
    TaskIn,
    TaskList,
    TaskOut,
    TaskPatch,
    TimelineItemOut,
    TimelineOut,
)
from corridor.entities.cases.timeline import MAX_TIMELINE, timeline
from corridor.entities.models import Case
from corridor.records.labels import TLP
from corridor.web.endpoints import Api, ApiCall

router = APIRouter(prefix="/api/v1")
# The OpenAPI document groups the case endpoints with the entities', case work apart.
CASES: list[str | Enum] = ["entities"]
WORK: list[str | Enum] = ["case work"]
R = TypeVar("R")
A = TypeVar("A")


def case_out(case: Case, role: str | None = None) -> CaseOut:
    out = CaseOut.model_validate(case)
    if role:
        out.your_role = role
    return out


def task_out(task: CaseTask) -> TaskOut:
    return TaskOut.from_row(task, overdue=tasks.is_overdue(task))


def _listed(
    api: ApiCall, ref: str, service: Callable[..., Iterable[R]], view: Callable[[R], A]
) -> list[A]:
    """Case work of one kind (notes, files, tasks) as the caller may see it, each answered
    through `view`."""
    with api.transaction() as session:
        return [view(row) for row in service(session, actor=api.actor, case_ref=ref)]


# --- cases ------------------------------------------------------------------------------------


@router.post("/cases", status_code=201, tags=CASES, response_model_exclude_unset=True)
def create_case(api: Api, payload: CaseCreate) -> CaseOut:
    with api.transaction() as session:
        case = service.create_case(session, actor=api.actor, data=payload)
        if payload.matching:
            matching.switch(session, actor=api.actor, node_id=api.node.id, ref=case.id, on=True)
        return case_out(case, "owner")


@router.post("/cases/{ref}/matching", tags=CASES, response_model_exclude_unset=True)
def set_matching(api: Api, ref: str, payload: MatchingIn) -> CaseOut:
    """Opt the case in to the network's hit/no-hit index (or out): its entities' selectors and
    names enter the index partners check against (the flow rule refuses a protection,
    risk-analysis or TLP:RED case). Owners only."""
    with api.transaction() as session:
        view = matching.switch(
            session, actor=api.actor, node_id=api.node.id, ref=ref, on=payload.matching
        )
        case = access.find_case(session, view.id)
        return case_out(case, "owner")


@router.get("/cases", tags=CASES, response_model_exclude_unset=True)
def list_cases(api: Api) -> CaseList:
    with api.transaction() as session:
        return CaseList(items=[case_out(c) for c in access.list_cases(session, actor=api.actor)])


@router.get("/cases/{ref}", tags=CASES, response_model_exclude_unset=True)
def get_case(api: Api, ref: str) -> CaseDetail:
    with api.transaction() as session:
        case = access.open_case(session, actor=api.actor, ref=ref)
        out = case_out(case, access.member_role(session, api.actor, case))
        members = [MemberOut.model_validate(m) for m in access.members(session, case)]
        return CaseDetail(**out.model_dump(exclude_unset=True), members=members)


@router.post("/cases/{ref}/members", status_code=201, tags=CASES)
def add_member(api: Api, ref: str, payload: MemberIn) -> MemberOut:
    with api.transaction() as session:
        m = service.add_member(
            session,
            actor=api.actor,
            case_ref=ref,
            kind=payload.kind,
            handle=payload.handle,
            role=payload.role,
        )
        return MemberOut.model_validate(m)


@router.delete(
    "/cases/{ref}/members/{kind}/{handle}", status_code=204, tags=CASES, response_class=Response
)
def remove_member(api: Api, ref: str, kind: str, handle: str) -> Response:
    return api.delete(service.remove_member, case_ref=ref, kind=kind, handle=handle)


@router.post("/cases/{ref}/status", tags=CASES, response_model_exclude_unset=True)
def set_status(api: Api, ref: str, payload: StatusIn) -> CaseOut:
    with api.transaction() as session:
        return case_out(
            service.set_status(session, actor=api.actor, case_ref=ref, status=payload.status)
        )


# --- notes ------------------------------------------------------------------------------------


@router.get("/cases/{ref}/notes", tags=WORK)
def list_notes(api: Api, ref: str) -> NoteList:
    return NoteList(items=_listed(api, ref, notes.list_notes, NoteOut.model_validate))


@router.post("/cases/{ref}/notes", status_code=201, tags=WORK)
def add_note(api: Api, ref: str, payload: NoteIn) -> NoteOut:
    with api.transaction() as session:
        note = notes.add_note(
            session, actor=api.actor, case_ref=ref, text=payload.text, tlp=payload.tlp
        )
        return NoteOut.model_validate(note)


@router.delete("/cases/{ref}/notes/{note_id}", status_code=204, tags=WORK, response_class=Response)
def delete_note(api: Api, ref: str, note_id: uuid.UUID) -> Response:
    return api.delete(notes.delete_note, case_ref=ref, note_id=note_id)


# --- files ------------------------------------------------------------------------------------


@router.get("/cases/{ref}/files", tags=WORK)
def list_files(api: Api, ref: str) -> FileList:
    return FileList(items=_listed(api, ref, files.list_files, FileOut.model_validate))


@router.post(
    "/cases/{ref}/files",
    status_code=201,
    tags=WORK,
    response_model=FileUploaded,
    responses={200: {"description": "the case already holds this content: the existing file"}},
)
def upload_file(
    api: Api,
    ref: str,
    file: Annotated[UploadFile, File()],
    tlp: Annotated[TLP | None, Form()] = None,
) -> JSONResponse:
    # One byte more than allowed is enough to refuse it, without reading a huge body.
    content = file.file.read(files.MAX_FILE_BYTES + 1)
    with api.transaction() as session:
        row, created = files.add_file(
            session,
            actor=api.actor,
            case_ref=ref,
            name=file.filename,
            content=content,
            content_type=file.content_type,
            tlp=tlp,
        )
        body = FileUploaded(**FileOut.model_validate(row).model_dump(), duplicate=not created)
    # The status tells a new file (201) from content the case held already (200).
    return JSONResponse(body.model_dump(mode="json"), status_code=201 if created else 200)


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the exact name as RFC 8187 UTF-8."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._- ") else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/cases/{ref}/files/{file_id}", tags=WORK, response_class=Response)
def download_file(api: Api, ref: str, file_id: uuid.UUID) -> Response:
    with api.transaction() as session:
        row = files.read_file(session, actor=api.actor, case_ref=ref, file_id=file_id)
        content, name, ctype, digest = row.content, row.name, row.content_type, row.sha256
    # Never rendered inline: the security middleware adds nosniff and the CSP.
    return Response(
        content,
        media_type=ctype,
        headers={"content-disposition": content_disposition(name), "x-corridor-sha256": digest},
    )


@router.delete("/cases/{ref}/files/{file_id}", status_code=204, tags=WORK, response_class=Response)
def delete_file(api: Api, ref: str, file_id: uuid.UUID) -> Response:
    return api.delete(files.delete_file, case_ref=ref, file_id=file_id)


# --- tasks ------------------------------------------------------------------------------------


@router.get("/cases/{ref}/tasks", tags=WORK)
def list_tasks(api: Api, ref: str) -> TaskList:
    return TaskList(items=_listed(api, ref, tasks.list_tasks, task_out))


@router.post("/cases/{ref}/tasks", status_code=201, tags=WORK)
def add_task(api: Api, ref: str, payload: TaskIn) -> TaskOut:
    with api.transaction() as session:
        task = tasks.add_task(
            session,
            actor=api.actor,
            case_ref=ref,
            title=payload.title,
            details=payload.details,
            owner=payload.owner,
            due=tasks.parse_due(payload.due),
        )
        return task_out(task)


@router.patch("/cases/{ref}/tasks/{task_id}", tags=WORK)
def update_task(api: Api, ref: str, task_id: uuid.UUID, payload: TaskPatch) -> TaskOut:
    sent = payload.model_fields_set
    clearable: dict[str, Any] = {}
    if "owner" in sent:
        clearable["owner"] = payload.owner
    if "due" in sent:
        clearable["due"] = tasks.parse_due(payload.due)
    with api.transaction() as session:
        task = tasks.update_task(
            session,
            actor=api.actor,
            case_ref=ref,
            task_id=task_id,
            status=payload.status,
            title=payload.title,
            details=payload.details,
            **clearable,
        )
        return task_out(task)


# --- timeline ---------------------------------------------------------------------------------


@router.get("/cases/{ref}/timeline", tags=WORK)
def case_timeline(
    api: Api,
    ref: str,
    kind: Annotated[list[str] | None, Query(description="repeat or comma-separate")] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=25)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=25)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_TIMELINE)] = 1000,
) -> TimelineOut:
    kinds = [k for value in kind or [] for k in value.split(",")]
    with api.transaction() as session:
        result = timeline(
            session,
            actor=api.actor,
            case_ref=ref,
            kinds=kinds,
            date_from=date_from,
            date_to=date_to,
            limit=limit,
        )
        items = [TimelineItemOut.model_validate(i.to_dict()) for i in result.items]
        return TimelineOut(items=items, total=result.total)
