"""Importing files into a case in the web UI: upload, column table and preview, progress."""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corridor.entities.access import open_case
from corridor.entities.ftm import entity_schemata, model
from corridor.entities.imports import service as imports
from corridor.errors import CorridorError, InvalidInput
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.tabular import reading as tabular
from corridor.tabular.rows import DEFAULT_LIMITS
from corridor.web.auth import Auth, node_of
from corridor.web.forms import save_form
from corridor.web.params import PageAuth
from corridor.web.render import page, redirect

router = APIRouter(include_in_schema=False)


@router.get("/cases/{ref}/import", response_class=HTMLResponse)
def import_page(request: Request, auth: PageAuth, ref: str) -> HTMLResponse:
    return _import_page(request, auth, ref)


def _import_page(
    request: Request, auth: PageAuth, ref: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    # Not the route itself: its error text and status were query parameters anyone could set
    # in a link (a message of their choosing on our page; status=1000 answered 500).
    node = node_of(request)
    with node.db.transaction() as session:
        case = open_case(session, actor=auth.principal, ref=ref, write=True)
        runs = imports.runs_of(session, case)
    return page(
        request, "entities/import.html", {"case": case, "runs": runs, "error": error}, status=status
    )


@router.post("/cases/{ref}/imports", response_class=HTMLResponse)
async def import_upload(
    request: Request, auth: PageAuth, ref: str, file: Annotated[UploadFile, File()]
) -> Response:
    content = await file.read(DEFAULT_LIMITS.max_file_bytes + 1)

    def save(session: Session, node: Node) -> uuid.UUID:
        name = file.filename or "upload"
        run = imports.upload(
            session, node, actor=auth.principal, case_ref=ref, filename=name, content=content
        )
        return run.id

    def done(run_id: uuid.UUID) -> Response:
        return redirect(request, f"/cases/{ref}/imports/{run_id}")

    again = partial(_import_page, request, auth, ref)
    return await run_in_threadpool(
        save_form, request, auth, save=save, done=done, again=again, status=422
    )


def _form_state(mapping_data: dict[str, Any] | None) -> dict[str, Any]:
    """The column table's state from a single-entity mapping (the suggestion or the user's)."""
    state: dict[str, Any] = {
        "schema": "Person",
        "props": {},
        "keys": [],
        "formats": {},
        "mapping_json": "",
        "mapping_name": "",
    }
    if not mapping_data:
        return state
    ents = list((mapping_data.get("entities") or {}).values())
    if len(ents) != 1:
        state["mapping_json"] = json.dumps(mapping_data, ensure_ascii=False, indent=2)
        return state
    ent = ents[0]
    state["schema"] = ent.get("schema", "Person")
    state["keys"] = list(ent.get("keys", []))
    for prop, spec in (ent.get("properties") or {}).items():
        cols = [spec["column"]] if spec.get("column") else list(spec.get("columns") or [])
        if spec.get("join"):
            # Joined columns (first + last name) do not fit the one-column table.
            state["mapping_json"] = json.dumps(mapping_data, ensure_ascii=False, indent=2)
        for col in cols:
            state["props"][col] = prop
            fmt = spec.get("format")
            if fmt:
                state["formats"][col] = fmt if isinstance(fmt, str) else fmt[0]
    return state


def mapping_from_form(form: Any, headers: list[str]) -> dict[str, Any] | None:
    """The mapping the column table describes: one entity of the chosen schema per row."""
    schema = str(form.get("schema") or "Person")
    props: dict[str, dict[str, Any]] = {}
    keys = []
    for i, _header in enumerate(headers):
        col = str(form.get(f"col_{i}") or "")
        if col not in headers:
            continue
        prop = str(form.get(f"prop_{i}") or "")
        if form.get(f"key_{i}"):
            keys.append(col)
        if not prop:
            continue
        fmt = str(form.get(f"fmt_{i}") or "").strip()
        spec = props.get(prop)
        if spec is None:
            props[prop] = {"column": col, **({"format": fmt} if fmt else {})}
        else:
            cols = [spec.pop("column")] if "column" in spec else spec.get("columns", [])
            spec["columns"] = [*cols, col]
    if not props:
        return None
    if not keys:
        keys = [next(iter(props.values())).get("column") or props[next(iter(props))]["columns"][0]]
    return {"entities": {"row": {"schema": schema, "keys": keys, "properties": props}}}


def _run_page(
    request: Request,
    auth: Auth,
    ref: str,
    run_id: uuid.UUID,
    *,
    mapping_data: dict[str, Any] | None = None,
    form_state: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        case = open_case(session, actor=auth.principal, ref=ref)
        run = imports.get_run(session, actor=auth.principal, run_id=run_id)
        prev = None
        saved = imports.saved_mappings(session, actor=auth.principal)
        if run.state in ("uploaded", "failed"):
            try:
                prev = imports.preview(
                    session, node, actor=auth.principal, run_id=run_id, mapping_data=mapping_data
                )
            except CorridorError as exc:
                error = error or exc.detail
                prev = imports.preview(session, node, actor=auth.principal, run_id=run_id)
    state = form_state or _form_state(mapping_data or (prev.suggested if prev else None))
    schema = model.get(state["schema"]) or model["Person"]
    props = sorted(
        (p for p in schema.properties.values() if not p.stub and p.type.name != "entity"),
        key=lambda p: p.label,
    )
    samples = {}
    if prev:
        for col in prev.headers:
            samples[col] = " · ".join(r["values"].get(col, "") for r in prev.rows[:3])
    return page(
        request,
        "entities/import_run.html",
        {
            "case": case,
            "run": run,
            "preview": prev,
            "form": state,
            "schemata": entity_schemata(),
            "props": props,
            "saved": saved,
            "samples": samples,
            "error": error,
        },
        status=status,
    )


@router.get("/cases/{ref}/imports/{run_id}", response_class=HTMLResponse)
def import_run(request: Request, auth: PageAuth, ref: str, run_id: uuid.UUID) -> HTMLResponse:
    return _run_page(request, auth, ref, run_id)


@router.get("/cases/{ref}/imports/{run_id}/_progress", response_class=HTMLResponse)
def import_progress(request: Request, auth: PageAuth, ref: str, run_id: uuid.UUID) -> Response:
    node = node_of(request)
    with node.db.transaction() as session:
        case = open_case(session, actor=auth.principal, ref=ref)
        run = imports.get_run(session, actor=auth.principal, run_id=run_id)
    return page(request, "entities/_import_section.html", {"run": run, "case": case})


@router.post("/cases/{ref}/imports/{run_id}", response_class=HTMLResponse)
async def import_action(request: Request, auth: PageAuth, ref: str, run_id: uuid.UUID) -> Response:
    node = node_of(request)
    form = await request.form()

    def work() -> Response:
        with node.db.transaction() as session:
            run = imports.get_run(session, actor=auth.principal, run_id=run_id)
            headers = tabular.headers(imports.file_of(node, run)) if run.format != "ftm" else []
            chosen: dict[str, Any] | None = None
            raw = str(form.get("mapping_json") or "").strip()
            if str(form.get("mapping_name") or ""):
                chosen = imports.find_mapping(session, str(form.get("mapping_name")))
            elif raw:
                try:
                    chosen = json.loads(raw)
                except ValueError:
                    raise InvalidInput(_("the mapping is not valid JSON")) from None
            elif run.format != "ftm":
                chosen = mapping_from_form(form, headers)
        if form.get("action") == "start":
            with node.db.transaction() as session:
                if form.get("save_as") and chosen:
                    imports.save_mapping(
                        session, actor=auth.principal, name=str(form.get("save_as")), data=chosen
                    )
                imports.start(
                    session, node, actor=auth.principal, run_id=run_id, mapping_data=chosen
                )
            return redirect(request, f"/cases/{ref}/imports/{run_id}", _("Import started."))
        return _run_page(request, auth, ref, run_id, mapping_data=chosen)

    try:
        return await run_in_threadpool(work)
    except CorridorError as exc:
        detail = exc.detail
        return await run_in_threadpool(
            lambda: _run_page(request, auth, ref, run_id, error=detail, status=422)
        )
