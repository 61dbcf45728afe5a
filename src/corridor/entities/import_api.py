"""REST API: imports into a case and saved mappings."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from corridor.entities import cases, imports
from corridor.entities.api import Actor
from corridor.errors import InvalidInput
from corridor.schemas import StrictModel
from corridor.web.auth import node_of

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
    request: Request,
    actor: Actor,
    ref: str,
    file: Annotated[UploadFile, File()],
    mapping: Annotated[str | None, Form(max_length=200_000)] = None,
    mapping_name: Annotated[str | None, Form(max_length=120)] = None,
    start: Annotated[bool, Form()] = True,
) -> dict[str, Any]:
    """Upload a CSV, XLSX or FtM JSON lines file. With a mapping (or for FtM files) and
    `start`, the import is queued at once; otherwise preview it and start it later."""
    node = node_of(request)
    content = await file.read(imports.tabular.DEFAULT_LIMITS.max_file_bytes + 1)

    def work() -> dict[str, Any]:
        with node.db.transaction() as session:
            run = imports.upload(
                session,
                node,
                actor=actor,
                case_ref=ref,
                filename=file.filename or "upload",
                content=content,
            )
            chosen = _mapping_arg(session, mapping, mapping_name)
            if start and (chosen or run.format == "ftm"):
                session.flush()
                imports.start(session, node, actor=actor, run_id=run.id, mapping_data=chosen)
            return imports.run_dict(run)

    return await run_in_threadpool(work)


@router.get("/cases/{ref}/imports")
def list_imports(request: Request, actor: Actor, ref: str) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        case = cases.open_case(session, actor=actor, ref=ref)
        return {"items": [imports.run_dict(r) for r in imports.runs_of(session, case)]}


@router.get("/cases/{ref}/imports/{run_id}")
def get_import(request: Request, actor: Actor, ref: str, run_id: uuid.UUID) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return imports.run_dict(imports.get_run(session, actor=actor, run_id=run_id))


class StartIn(StrictModel):
    mapping: dict[str, Any] | None = None
    mapping_name: str | None = Field(default=None, max_length=120)
    save_as: str | None = Field(default=None, max_length=120)


@router.post("/cases/{ref}/imports/{run_id}/preview")
def preview_import(
    request: Request, actor: Actor, ref: str, run_id: uuid.UUID, payload: StartIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        chosen = _mapping_arg(session, payload.mapping, payload.mapping_name)
        p = imports.preview(session, node, actor=actor, run_id=run_id, mapping_data=chosen)
        return {
            "import": imports.run_dict(p.run),
            "headers": p.headers,
            "rows": p.rows,
            "suggested_mapping": p.suggested,
            "entities": p.entities,
            "errors": p.errors,
        }


@router.post("/cases/{ref}/imports/{run_id}/start", status_code=202)
def start_import(
    request: Request, actor: Actor, ref: str, run_id: uuid.UUID, payload: StartIn
) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        chosen = _mapping_arg(session, payload.mapping, payload.mapping_name)
        if payload.save_as and chosen:
            imports.save_mapping(session, actor=actor, name=payload.save_as, data=chosen)
        run = imports.start(session, node, actor=actor, run_id=run_id, mapping_data=chosen)
        return imports.run_dict(run)


class MappingIn(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    mapping: dict[str, Any]


@router.get("/mappings")
def list_mappings(request: Request, actor: Actor) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        return {
            "items": [
                {"name": m.name, "mapping": m.mapping, "created_by": m.created_by}
                for m in imports.saved_mappings(session, actor=actor)
            ]
        }


@router.post("/mappings", status_code=201)
def save_mapping(request: Request, actor: Actor, payload: MappingIn) -> dict[str, Any]:
    node = node_of(request)
    with node.db.transaction() as session:
        m = imports.save_mapping(session, actor=actor, name=payload.name, data=payload.mapping)
        return {"name": m.name, "mapping": m.mapping}
