"""Importing CSV, XLSX and FtM JSON lines files into a case.

An import is uploaded, previewed with a column-to-property mapping, then run by the worker (or
by `corridor import` in the foreground). It reads the whole file once before writing anything, so
a file that cannot be read to its end (truncated, damaged, over a limit) is refused with nothing
stored. Then it maps and writes in batches, each batch with its progress in one transaction:
bad rows are reported with their reason, good rows kept. Entity ids derive from the case, the
mapping and the key columns, and statements are keyed by what was said by which source, so
importing the same file again (or resuming after a crash) changes nothing."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.entities import cases, mapping, store, tabular
from corridor.entities.models import ImportRun, SavedMapping
from corridor.errors import Conflict, InvalidInput, NotFound, TooLarge
from corridor.ids import uuid7
from corridor.jobs import queue
from corridor.node.service import Node
from corridor.security.principal import SYSTEM, Principal

BATCH = 2000
MAX_ERRORS_KEPT = 1000
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
    case = cases.open_case(session, actor=actor, ref=case_ref, write=True)
    limits = tabular.DEFAULT_LIMITS
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
    audit.append(
        session,
        actor=actor,
        action="entities.import.upload",
        object_type="case",
        object_id=str(case.id),
        detail={"import": str(run.id), "bytes": len(content), "format": fmt},
    )
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
    cases.open_case(session, actor=actor, ref=run.case_id)
    return run


@dataclass(frozen=True)
class Preview:
    run: ImportRun
    headers: list[str]
    rows: list[dict[str, Any]]
    suggested: dict[str, Any] | None
    entities: list[dict[str, Any]]
    errors: list[dict[str, Any]]


def _error_dict(err: tabular.RowError) -> dict[str, Any]:
    return {"row": err.row, "column": err.column, "reason": err.reason}


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
    run = get_run(session, actor=actor, run_id=run_id)
    path = file_of(node, run)
    if run.format == "ftm":
        entities, errors = [], []
        for number, item in _ftm_items(path, PREVIEW_ROWS):
            if isinstance(item, tabular.RowError):
                errors.append(_error_dict(item))
            else:
                entities.append({"row": number, **item.to_dict()})
        return Preview(run, [], [], None, entities, errors)
    headers, sample = tabular.preview(path, PREVIEW_ROWS)
    good = [r for r in sample if isinstance(r, tabular.Row)]
    suggested = mapping.suggest_mapping(headers, good)
    chosen = mapping.parse_mapping(mapping_data) if mapping_data else suggested
    chosen.check_columns(headers)
    entities, errors = [], [_error_dict(r) for r in sample if isinstance(r, tabular.RowError)]
    for row in good:
        mapped = mapping.apply(
            chosen, row, namespace=str(run.case_id), default_region=node.config.country
        )
        if isinstance(mapped, tabular.RowError):
            errors.append(_error_dict(mapped))
        else:
            entities.extend({"row": row.number, **e.to_dict()} for e in mapped)
    return Preview(
        run,
        headers,
        [{"row": r.number, "values": r.values} for r in good],
        suggested.model_dump(mode="json", exclude_none=True),
        entities,
        errors,
    )


def _ftm_items(path: Path, limit: int | None = None) -> Iterator[tuple[int, Any]]:
    for n, (number, item) in enumerate(tabular.read_ftm(path)):
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
    parsed = mapping.parse_mapping(data).model_dump(mode="json", exclude_none=True)
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
    cases.open_case(session, actor=actor, ref=run.case_id, write=True)
    if run.state not in ("uploaded", "failed"):
        raise Conflict(f"this import is {run.state}")
    if run.format != "ftm":
        if not mapping_data:
            raise InvalidInput("a CSV or XLSX file needs a mapping of columns to properties")
        parsed = mapping.parse_mapping(mapping_data)
        parsed.check_columns(tabular.headers(file_of(node, run)))
        run.mapping = parsed.model_dump(mode="json", exclude_none=True)
    run.state = "queued"
    run.error = None
    if background:
        queue.enqueue(
            session, IMPORT_JOB, {"run": str(run.id)}, dedupe_key=f"import:{run.id}", max_attempts=3
        )
    audit.append(
        session,
        actor=actor,
        action="entities.import.start",
        object_type="case",
        object_id=str(run.case_id),
        detail={"import": str(run.id)},
    )
    return run


Progress = Callable[[int, int], None]


def _mapped_batches(
    node: Node, run: ImportRun
) -> Iterator[list[tuple[int, list[EntityProxy] | tabular.RowError]]]:
    path = file_of(node, run)
    batch: list[tuple[int, list[EntityProxy] | tabular.RowError]] = []
    if run.format == "ftm":
        for number, item in _ftm_items(path):
            if isinstance(item, tabular.RowError):
                batch.append((number, item))
            else:
                # Ids from another system are taken into the case's namespace, so the same
                # file imported into two cases makes two sets of entities.
                signed = _namespaced(item, str(run.case_id))
                if len(signed.id or "") > 128:
                    batch.append((number, tabular.RowError(number, "id", "the id is too long")))
                else:
                    batch.append((number, [signed]))
            if len(batch) >= BATCH:
                yield batch
                batch = []
    else:
        plan = mapping.parse_mapping(run.mapping or {})
        for row in tabular.read_rows(path):
            if isinstance(row, tabular.RowError):
                batch.append((row.row, row))
            else:
                batch.append(
                    (
                        row.number,
                        mapping.apply(
                            plan,
                            row,
                            namespace=str(run.case_id),
                            default_region=node.config.country,
                        ),
                    )
                )
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _namespaced(proxy: EntityProxy, namespace: str) -> EntityProxy:
    from followthemoney.namespace import Namespace

    return Namespace(namespace).apply(proxy)


def _check_readable(node: Node, run: ImportRun) -> int:
    """Read the whole file once (no mapping, no writing): the number of rows, or InvalidInput
    if it cannot be read to its end."""
    path = file_of(node, run)
    if run.format == "ftm":
        return sum(1 for _ in _ftm_items(path))
    return sum(1 for _ in tabular.read_rows(path))


def run_import(node: Node, run_id: uuid.UUID, progress: Progress | None = None) -> ImportRun:
    with node.db.transaction() as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            raise NotFound(f"no import {run_id}")
        if run.state not in ("queued", "running"):
            return run
        run.state = "running"
        case = cases.find_case(session, run.case_id)
        purpose, tlp = case.purpose, case.tlp
        # The source is the file's content: the same file imported again states nothing new.
        source = store.Source("import", run.sha256, run.filename)
    try:
        total = _check_readable(node, run)
    except (InvalidInput, TooLarge) as exc:
        return _finish(node, run_id, state="failed", error=exc.detail)
    with node.db.transaction() as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        # A resumed run counts again from the start (the writes themselves are idempotent).
        run.rows_total, run.rows_done, run.rows_failed, run.entities = total, 0, 0, 0
        run.errors = []
    done = 0
    for batch in _mapped_batches(node, run):
        proxies: list[EntityProxy] = []
        row_of: dict[str, int] = {}
        errors: list[dict[str, Any]] = []
        for number, item in batch:
            if isinstance(item, list):
                for proxy in item:
                    row_of[proxy.id] = number
                proxies.extend(item)
            else:
                errors.append(_error_dict(item))
        with node.db.transaction() as session:
            result = store.write(
                session,
                proxies=proxies,
                source=source,
                tlp=tlp,
                purpose=purpose,
                case_id=run.case_id,
                default_region=node.config.country,
            )
            refused_rows = {row_of[eid]: why for eid, why in result.refused.items()}
            errors.extend(
                {"row": r, "column": None, "reason": why} for r, why in sorted(refused_rows.items())
            )
            current = session.get(ImportRun, run_id, with_for_update=True)
            assert current is not None
            current.rows_done += len(batch)
            current.rows_failed += len({e["row"] for e in errors})
            current.entities += len(result.created) + len(result.updated) + len(result.unchanged)
            if len(current.errors) < MAX_ERRORS_KEPT:
                current.errors = [*current.errors, *errors][:MAX_ERRORS_KEPT]
        done += len(batch)
        if progress:
            progress(done, total)
    return _finish(node, run_id, state="done")


def _finish(node: Node, run_id: uuid.UUID, *, state: str, error: str | None = None) -> ImportRun:
    with node.db.transaction() as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.state = state
        run.error = error
        run.finished_at = clock.now()
        cases.touch(cases.find_case(session, run.case_id))
        audit.append(
            session,
            actor=SYSTEM,
            action="entities.import.finish",
            object_type="case",
            object_id=str(run.case_id),
            detail={
                "import": str(run.id),
                "state": state,
                "rows": run.rows_done,
                "failed": run.rows_failed,
                "entities": run.entities,
            },
        )
        return run


@queue.handler(IMPORT_JOB, backoff_cap=30.0)
def _job(node: Node, payload: dict[str, Any]) -> None:
    run_import(node, uuid.UUID(payload["run"]))


def run_dict(run: ImportRun) -> dict[str, Any]:
    return {
        "id": str(run.id),
        "case_id": str(run.case_id),
        "filename": run.filename,
        "format": run.format,
        "sha256": run.sha256,
        "state": run.state,
        "rows_total": run.rows_total,
        "rows_done": run.rows_done,
        "rows_failed": run.rows_failed,
        "entities": run.entities,
        "errors": run.errors,
        "error": run.error,
        "mapping": run.mapping,
        "created_by": run.created_by,
        "created_at": clock.iso(run.created_at),
        "finished_at": clock.iso(run.finished_at) if run.finished_at else None,
    }
