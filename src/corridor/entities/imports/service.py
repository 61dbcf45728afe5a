"""Importing CSV, XLSX and FtM JSON lines files into a case: upload, preview with a
column-to-property mapping (`columns.py`), saved mappings, and queueing the run (`runner.py`
runs it, in the worker or in `corridor import`)."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.entities.access import audit_case, open_case
from corridor.entities.imports import columns
from corridor.entities.imports.ftm_lines import read_ftm
from corridor.entities.imports.models import ImportRun, SavedMapping
from corridor.entities.imports.suggest import suggest_mapping
from corridor.errors import Conflict, InvalidInput, NotFound, TooLarge
from corridor.ids import uuid7
from corridor.jobs import queue
from corridor.node.service import Node
from corridor.security.principal import Principal
from corridor.tabular import reading as tabular
from corridor.tabular.rows import DEFAULT_LIMITS, Row, RowError

PREVIEW_ROWS = 20
IMPORT_JOB = "entities.import"


def _dir(node: Node) -> Path:
    path = node.config.data_dir / "imports"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "ftm": ".jsonl"}


def file_of(node: Node, run: ImportRun) -> Path:
    # The suffix matters: the XLSX reader decides by it.
    return _dir(node) / (run.id.hex + SUFFIX[run.format])


# --- upload and preview -----------------------------------------------------------------------


def upload(
    session: Session,
    node: Node,
    *,
    actor: Principal,
    case_ref: str,
    filename: str,
    content: bytes,
) -> ImportRun:
    actor.require("entities.import")
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    limits = DEFAULT_LIMITS
    if len(content) > limits.max_file_bytes:
        raise TooLarge(f"import files are limited to {limits.max_file_bytes} bytes")
    if not content:
        raise InvalidInput("the file is empty")
    name = Path(filename or "upload").name[:300]
    fmt = tabular.detect_format(name, content[:65536])
    run = ImportRun(
        id=uuid7(),
        case_id=case.id,
        filename=name,
        sha256=hashlib.sha256(content).hexdigest(),
        format=fmt,
        mapping=None,
        state="uploaded",
        errors=[],
        created_by=actor.handle,
        created_at=clock.now(),
    )
    path = file_of(node, run)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    session.add(run)
    detail = {"import": str(run.id), "bytes": len(content), "format": fmt}
    audit_case(session, actor, "entities.import.upload", case.id, detail)
    return run


def runs_of(session: Session, case: Any) -> list[ImportRun]:
    return list(
        session.scalars(
            select(ImportRun)
            .where(ImportRun.case_id == case.id)
            .order_by(ImportRun.created_at.desc())
        )
    )


def get_run(session: Session, *, actor: Principal, run_id: uuid.UUID) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(f"no import {run_id}")
    open_case(session, actor=actor, ref=run.case_id)
    return run


@dataclass(frozen=True)
class Preview:
    run: ImportRun
    headers: list[str]
    rows: list[dict[str, Any]]
    suggested: dict[str, Any] | None
    entities: list[dict[str, Any]]
    errors: list[dict[str, Any]]


def error_dict(err: RowError) -> dict[str, Any]:
    out: dict[str, Any] = {"row": err.row, "column": err.column, "reason": err.reason}
    if err.kept:
        out["kept"] = True
    return out


def preview(
    session: Session,
    node: Node,
    *,
    actor: Principal,
    run_id: uuid.UUID,
    mapping_data: dict[str, Any] | None = None,
) -> Preview:
    """The first rows, a suggested mapping, and what the mapping (given or suggested) makes of
    those rows, so the user sees the entities before anything is written."""
    # Part of importing (it parses the uploaded file and runs a mapping over it), so it needs
    # the permission to import, not only to read the case.
    actor.require("entities.import")
    run = get_run(session, actor=actor, run_id=run_id)
    path = file_of(node, run)
    if run.format == "ftm":
        entities, errors = [], []
        for number, item in ftm_items(path, PREVIEW_ROWS):
            if isinstance(item, RowError):
                errors.append(error_dict(item))
            else:
                entities.append({"row": number, **item.to_dict()})
        return Preview(run, [], [], None, entities, errors)
    headers, sample = tabular.preview(path, PREVIEW_ROWS)
    good = [r for r in sample if isinstance(r, Row)]
    suggested = suggest_mapping(headers, good)
    chosen = columns.parse_mapping(mapping_data) if mapping_data else suggested
    chosen.check_columns(headers)
    entities, errors = [], [error_dict(r) for r in sample if isinstance(r, RowError)]
    for row in good:
        mapped = columns.apply_row(
            chosen, row, namespace=str(run.case_id), default_region=node.config.country
        )
        if isinstance(mapped, RowError):
            errors.append(error_dict(mapped))
        else:
            entities.extend({"row": row.number, **e.to_dict()} for e in mapped[0])
            errors.extend(error_dict(kept) for kept in mapped[1])
    return Preview(
        run,
        headers,
        [{"row": r.number, "values": r.values} for r in good],
        suggested.model_dump(mode="json", exclude_none=True),
        entities,
        errors,
    )


def ftm_items(path: Path, limit: int | None = None) -> Iterator[tuple[int, Any]]:
    for n, (number, item) in enumerate(read_ftm(path)):
        if limit is not None and n >= limit:
            return
        yield number, item


# --- mappings ---------------------------------------------------------------------------------


def save_mapping(
    session: Session, *, actor: Principal, name: str, data: dict[str, Any]
) -> SavedMapping:
    actor.require("entities.import")
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise InvalidInput("mapping name: 1 to 120 characters")
    parsed = columns.parse_mapping(data).model_dump(mode="json", exclude_none=True)
    row = session.scalar(select(SavedMapping).where(SavedMapping.name == name))
    if row is None:
        row = SavedMapping(
            name=name, mapping=parsed, created_by=actor.handle, created_at=clock.now()
        )
        session.add(row)
    else:
        row.mapping = parsed
    audit.append(
        session, actor=actor, action="entities.mapping.save", object_type="mapping", object_id=name
    )
    return row


def saved_mappings(session: Session, *, actor: Principal) -> list[SavedMapping]:
    actor.require("entities.read" if actor.kind != "cli" else "entities.import")
    return list(session.scalars(select(SavedMapping).order_by(SavedMapping.name)))


def find_mapping(session: Session, name: str) -> dict[str, Any]:
    row = session.scalar(select(SavedMapping).where(SavedMapping.name == name))
    if row is None:
        raise NotFound(f"no saved mapping {name!r}")
    return row.mapping


# --- running ----------------------------------------------------------------------------------


def start(
    session: Session,
    node: Node,
    *,
    actor: Principal,
    run_id: uuid.UUID,
    mapping_data: dict[str, Any] | None,
    background: bool = True,
) -> ImportRun:
    """Fix the mapping and queue the import (or, with background=False, leave it for the caller
    to `run`, as the CLI does)."""
    run = get_run(session, actor=actor, run_id=run_id)
    open_case(session, actor=actor, ref=run.case_id, write=True)
    if run.state not in ("uploaded", "failed"):
        raise Conflict(f"this import is {run.state}")
    if run.format != "ftm":
        if not mapping_data:
            raise InvalidInput("a CSV or XLSX file needs a mapping of columns to properties")
        parsed = columns.parse_mapping(mapping_data)
        parsed.check_columns(tabular.headers(file_of(node, run)))
        run.mapping = parsed.model_dump(mode="json", exclude_none=True)
    run.state = "queued"
    run.error = None
    if background:
        queue.enqueue(
            session, IMPORT_JOB, {"run": str(run.id)}, dedupe_key=f"import:{run.id}", max_attempts=3
        )
    audit_case(session, actor, "entities.import.start", run.case_id, {"import": str(run.id)})
    return run
