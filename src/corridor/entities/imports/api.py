"""REST API: imports into a case and saved mappings."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from corridor.entities.access import open_case
from corridor.entities.imports import service as imports
from corridor.entities.imports.schemas import (
    ImportList,
    ImportOut,
    MappingIn,
    MappingSaved,
    PreviewOut,
    PreviewRow,
    RowErrorOut,
    SavedMappingList,
    SavedMappingOut,
    StartIn,
)
from corridor.errors import InvalidInput
from corridor.tabular.rows import DEFAULT_LIMITS
from corridor.web.endpoints import Api

router = APIRouter(prefix="/api/v1", tags=["entities"])


def _mapping_arg(
    session: Any, mapping: str | dict[str, Any] | None, mapping_name: str | None
) -> dict[str, Any] | None:
    if mapping_name:
        return imports.find_mapping(session, mapping_name)
    if isinstance(mapping, str) and mapping.strip():
        try:
            data = json.loads(mapping)
        except ValueError:
            raise InvalidInput("mapping: not valid JSON") from None
        if not isinstance(data, dict):
            raise InvalidInput("mapping: a JSON object")
        return data
    return mapping if isinstance(mapping, dict) else None


@router.post("/cases/{ref}/imports", status_code=202)
async def upload_import(
    api: Api,
    ref: str,
    file: Annotated[UploadFile, File()],
    mapping: Annotated[str | None, Form(max_length=200_000)] = None,
    mapping_name: Annotated[str | None, Form(max_length=120)] = None,
    start: Annotated[bool, Form()] = True,
) -> ImportOut:
    """Upload a CSV, XLSX or FtM JSON lines file. With a mapping (or for FtM files) and
    `start`, the import is queued at once; otherwise preview it and start it later."""
    content = await file.read(DEFAULT_LIMITS.max_file_bytes + 1)

    def work() -> ImportOut:
        with api.transaction() as session:
            run = imports.upload(
                session,
                api.node,
                actor=api.actor,
                case_ref=ref,
                filename=file.filename or "upload",
                content=content,
            )
            chosen = _mapping_arg(session, mapping, mapping_name)
            if start and (chosen or run.format == "ftm"):
                session.flush()
                imports.start(
                    session, api.node, actor=api.actor, run_id=run.id, mapping_data=chosen
                )
            return ImportOut.model_validate(run)

    return await run_in_threadpool(work)


@router.get("/cases/{ref}/imports")
def list_imports(api: Api, ref: str) -> ImportList:
    with api.transaction() as session:
        case = open_case(session, actor=api.actor, ref=ref)
        runs = imports.runs_of(session, case)
        return ImportList(items=[ImportOut.model_validate(r) for r in runs])


@router.get("/cases/{ref}/imports/{run_id}")
def get_import(api: Api, ref: str, run_id: uuid.UUID) -> ImportOut:
    with api.transaction() as session:
        return ImportOut.model_validate(imports.get_run(session, actor=api.actor, run_id=run_id))


@router.post("/cases/{ref}/imports/{run_id}/preview")
def preview_import(api: Api, ref: str, run_id: uuid.UUID, payload: StartIn) -> PreviewOut:
    with api.transaction() as session:
        chosen = _mapping_arg(session, payload.mapping, payload.mapping_name)
        p = imports.preview(session, api.node, actor=api.actor, run_id=run_id, mapping_data=chosen)
        return PreviewOut(
            import_=ImportOut.model_validate(p.run),
            headers=p.headers,
            rows=[PreviewRow.model_validate(r) for r in p.rows],
            suggested_mapping=p.suggested,
            entities=p.entities,
            errors=[RowErrorOut.model_validate(e) for e in p.errors],
        )


@router.post("/cases/{ref}/imports/{run_id}/start", status_code=202)
def start_import(api: Api, ref: str, run_id: uuid.UUID, payload: StartIn) -> ImportOut:
    with api.transaction() as session:
        chosen = _mapping_arg(session, payload.mapping, payload.mapping_name)
        if payload.save_as and chosen:
            imports.save_mapping(session, actor=api.actor, name=payload.save_as, data=chosen)
        run = imports.start(session, api.node, actor=api.actor, run_id=run_id, mapping_data=chosen)
        return ImportOut.model_validate(run)


@router.get("/mappings")
def list_mappings(api: Api) -> SavedMappingList:
    with api.transaction() as session:
        rows = imports.saved_mappings(session, actor=api.actor)
        return SavedMappingList(items=[SavedMappingOut.model_validate(m) for m in rows])


@router.post("/mappings", status_code=201)
def save_mapping(api: Api, payload: MappingIn) -> MappingSaved:
    with api.transaction() as session:
        m = imports.save_mapping(session, actor=api.actor, name=payload.name, data=payload.mapping)
        return MappingSaved.model_validate(m)
