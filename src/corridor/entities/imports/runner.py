"""Running an import (the worker's job, or `corridor import` in the foreground).

It reads the whole file once before committing anything, so a file that cannot be read to its
end (truncated, damaged, over a limit) is refused with nothing stored. It maps and writes in
batches, each batch with its progress in one transaction: bad rows are reported with their
reason, good rows kept. Entity ids derive from the case, the mapping and the key columns, and
statements are keyed by what was said by which source, so importing the same file again (or
resuming after a crash) changes nothing.

Mapping a row costs more than writing it, so a large file is mapped (and its entities' index
terms, statement ids and stored JSON computed) in forked worker processes while this one
writes."""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from queue import Queue
from typing import Any

from followthemoney import EntityProxy
from followthemoney.namespace import Namespace
from sqlalchemy.orm import Session

from corridor import clock, processes
from corridor.entities import store
from corridor.entities.access import audit_case, find_case, touch
from corridor.entities.imports import columns
from corridor.entities.imports.models import ImportRun
from corridor.entities.imports.service import IMPORT_JOB, error_dict, file_of, ftm_items
from corridor.errors import CorridorError, InvalidInput, NotFound, TooLarge
from corridor.jobs import queue
from corridor.node.service import Node
from corridor.security.principal import SYSTEM
from corridor.tabular import reading as tabular
from corridor.tabular.rows import RowError

# Rows per transaction. Primary keys are hashes, so every commit rewrites index pages all over
# the store, and the more so the larger the store: fewer, larger commits cost less (a 50,000-row
# import into a store of 200,000 entities: 8,400 entities/s in transactions of 10,000 rows,
# 10,700/s in one). A transaction holds SQLite's write lock, so other writers of the node wait
# up to about one transaction's time (1.3 s at 20,000 rows on 2 cores), and the run's progress
# moves once per transaction.
BATCH = 20_000
# Rows mapped at a time: what the mapping worker hands over. Small, so that writing starts soon
# after the worker does; a transaction writes several.
CHUNK = 1000
MAX_ERRORS_KEPT = 1000

Progress = Callable[[int, int], None]
# (row number, the row's entities ready to store, or why the row was refused, or why one of
# its values was set aside: a kept RowError after the row's entities)
Item = tuple[int, list[store.Prepared] | RowError]


@dataclass(frozen=True)
class _Job:
    """What mapping an import's rows needs: plain data, so a worker process can do it."""

    path: Path
    format: str
    mapping: dict[str, Any] | None
    namespace: str
    default_region: str | None
    source: store.Source


def _raw_chunks(job: _Job) -> Iterator[list[tuple[int, Any]]]:
    """The file's rows (or FtM entities), CHUNK at a time, each with its number."""
    items: Iterator[tuple[int, Any]]
    if job.format == "ftm":
        items = ftm_items(job.path)
    else:
        items = (
            (r.row if isinstance(r, RowError) else r.number, r) for r in tabular.read_rows(job.path)
        )
    while chunk := list(itertools.islice(items, CHUNK)):
        yield chunk


def _prepare_chunk(job: _Job, raw: list[tuple[int, Any]]) -> list[Item]:
    """Map each row and prepare its entities for the store (pure: no database)."""
    plan = columns.parse_mapping(job.mapping or {}) if job.format != "ftm" else None
    out: list[Item] = []
    for number, row in raw:
        if isinstance(row, RowError):
            out.append((number, row))
            continue
        if plan is None:
            # Ids from another system are taken into the case's namespace, so the same file
            # imported into two cases makes two sets of entities.
            signed = _namespaced(row, job.namespace)
            if len(signed.id or "") > 128:
                out.append((number, RowError(number, "id", "the id is too long")))
                continue
            mapped: tuple[list[EntityProxy], list[RowError]] | RowError = ([signed], [])
        else:
            mapped = columns.apply_row(
                plan, row, namespace=job.namespace, default_region=job.default_region
            )
        if isinstance(mapped, RowError):
            out.append((number, mapped))
        else:
            proxies, set_aside = mapped
            out.append(
                (number, [store.prepare(p, job.source, job.default_region) for p in proxies])
            )
            out.extend((number, kept) for kept in set_aside)
    return out


def _namespaced(proxy: EntityProxy, namespace: str) -> EntityProxy:
    return Namespace(namespace).apply(proxy)


def _check_readable(job: _Job) -> int:
    """Read the whole file once (no mapping, no writing): the number of rows, or InvalidInput
    if it cannot be read to its end."""
    if job.format == "ftm":
        return sum(1 for _ in ftm_items(job.path))
    return tabular.count_rows(job.path)


# --- mapping in a worker process --------------------------------------------------------------

# Mapping rows (FtM cleaning, phone numbers, the search index's name keys, statement ids) costs
# about as much as writing them: a file of more than this many bytes is mapped in a forked
# worker process while this one writes. None maps here.
WORKER_MIN_BYTES: int | None = 256 * 1024


class WorkerFailed(RuntimeError):
    """The mapping worker stopped without finishing: a bug, or the process was killed. The
    import stays "running"; running it again resumes it (its writes are idempotent)."""


# How many mapped chunks a worker may hold that the writer has not taken yet. The pipe itself
# holds less than one, so without them a worker stood idle whenever the writer committed.
WORKER_AHEAD = 8
# Mapping workers: one core is the writer's, the others map, at most this many. Mapping is the
# larger half of an import's work, so on two cores one worker keeps the writer busy (a second
# one cost more than it gained there); with more cores two do, and a third would only wait for
# the writer (bench/entities/bench_import.py).
MAX_WORKERS = 2


def _worker_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus - 1, MAX_WORKERS))


def _worker(job: _Job, out: Connection, part: int, parts: int) -> None:
    """A forked worker: prepares its share of the file's chunks (every `parts`-th, from `part`)
    in order and sends them. A thread sends, so that mapping goes on while the writer is busy
    (committing a batch, say) and not reading."""
    # Killed with its parent, and holding none of the parent's sockets (the server's port).
    processes.forked_child(keep=[out.fileno()])
    # A server's handler (uvicorn's) would turn the parent's terminate() into a polite request.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # It lives for one import and makes little cyclic garbage (about a hundred objects per
    # batch): the collector would only walk the chunks and the inherited heap again and again.
    gc.disable()
    outbox: Queue[memoryview | None] = Queue(WORKER_AHEAD)
    sender = threading.Thread(target=_send_all, args=(outbox, out), daemon=True)
    sender.start()
    try:
        for index, raw in enumerate(_raw_chunks(job)):
            if index % parts == part:
                outbox.put(ForkingPickler.dumps(("chunk", _prepare_chunk(job, raw))))
        outbox.put(ForkingPickler.dumps(("done", None)))
    except BaseException as exc:  # everything goes back to the parent, which raises it
        outbox.put(ForkingPickler.dumps(_failure(exc)))
    finally:
        outbox.put(None)
        sender.join()
        out.close()


def _send_all(outbox: Queue[memoryview | None], out: Connection) -> None:
    try:
        while (message := outbox.get()) is not None:
            out.send_bytes(message)
    except OSError:
        # The writer is gone (killed, or it stopped the import): nobody will read the rest.
        os._exit(1)


# A worker that sends nothing for this long is taken for stuck (it could only be: a fork can
# inherit a lock that another thread held, e.g. phonenumbers' metadata loading).
WORKER_SILENCE_SECONDS = 600.0


def _message(conn: Connection, proc: Any) -> tuple[str, Any]:
    """A worker's next message; a failure in the worker raises here."""
    if not conn.poll(WORKER_SILENCE_SECONDS):
        raise WorkerFailed(
            f"the import's mapping process sent nothing for {WORKER_SILENCE_SECONDS:.0f} s"
        )
    try:
        kind, payload = conn.recv()
    except EOFError:
        proc.join(5)
        raise WorkerFailed(
            f"the import's mapping process stopped (exit code {proc.exitcode})"
        ) from None
    if kind == "error":
        if isinstance(payload, CorridorError):
            raise payload
        raise WorkerFailed(f"the import's mapping process failed: {payload}")
    return kind, payload


def _received(workers: list[tuple[Connection, Any]]) -> Iterator[list[Item]]:
    """The chunks in file order: the workers take turns. The first "done" ends the file, and
    every other worker must then be done too."""
    for turn in itertools.count():
        current = turn % len(workers)
        kind, payload = _message(*workers[current])
        if kind == "done":
            for other in workers[current + 1 :] + workers[:current]:
                if _message(*other)[0] != "done":  # pragma: no cover - workers agree on chunks
                    raise WorkerFailed("the import's mapping processes disagree on the file")
            return
        yield payload


def _forks(job: _Job) -> bool:
    """Whether the file is mapped by forked workers (a large file, where the platform forks)."""
    big = WORKER_MIN_BYTES is not None and job.path.stat().st_size > WORKER_MIN_BYTES
    return big and "fork" in multiprocessing.get_all_start_methods()


def _failure(exc: BaseException) -> tuple[str, Any]:
    """A forked helper's last message: domain errors as themselves, anything else as text."""
    return ("error", exc if isinstance(exc, CorridorError) else f"{type(exc).__name__}: {exc}")


def _checker(job: _Job, out: Connection) -> None:
    processes.forked_child(keep=[out.fileno()])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        out.send(("total", _check_readable(job)))
    except BaseException as exc:
        out.send(_failure(exc))
    finally:
        out.close()


@contextmanager
def _whole_file_check(job: _Job) -> Iterator[Callable[[], int]]:
    """`_check_readable`: the function given answers the file's row count, or raises
    InvalidInput (TooLarge) for a file that cannot be read to its end. Where the file is
    mapped by workers, the check runs at once in a forked process of its own, so that the
    writer starts on the first transaction while it reads (an XLSX workbook takes about a
    second per 50,000 rows) and waits for the answer only before committing it."""
    if not _forks(job):
        yield lambda: _check_readable(job)
        return
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_checker, args=(job, send), name="corridor-import-check", daemon=True)
    proc.start()
    send.close()
    try:
        yield lambda: int(_message(receive, proc)[1])
    finally:
        receive.close()
        if proc.is_alive():
            proc.terminate()
        proc.join()


@contextmanager
def _prepared_chunks(job: _Job) -> Iterator[Iterator[list[Item]]]:
    """The file's prepared chunks in order: from forked workers for a large file (where the
    platform can fork), else mapped here as they are taken. Each worker reads the file itself
    and maps every n-th chunk, so only results cross between the processes; it runs at most
    WORKER_AHEAD chunks ahead. Workers never touch the database; they are stopped on leaving."""
    if not _forks(job):
        yield (_prepare_chunk(job, raw) for raw in _raw_chunks(job))
        return
    ctx = multiprocessing.get_context("fork")
    parts = _worker_count()
    workers: list[tuple[Connection, Any]] = []
    try:
        for part in range(parts):
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_worker,
                args=(job, send, part, parts),
                name=f"corridor-import-{part}",
                daemon=True,
            )
            proc.start()
            send.close()  # the worker holds the only writing end: EOF when it dies
            workers.append((receive, proc))
        yield _received(workers)
    finally:
        for receive, proc in workers:
            receive.close()
            if proc.is_alive():
                proc.terminate()
            proc.join()


def _transactions(chunks: Iterator[list[Item]]) -> Iterator[Iterator[list[Item]]]:
    """The chunks grouped into transactions of at least BATCH rows (each group is taken whole
    before the next one)."""
    for first in chunks:

        def group(chunk: list[Item] = first) -> Iterator[list[Item]]:
            rows = 0
            while True:
                yield chunk
                rows += len(chunk)
                following = next(chunks, None) if rows < BATCH else None
                if following is None:
                    return
                chunk = following

        yield group()


# --- running ----------------------------------------------------------------------------------


def run_import(node: Node, run_id: uuid.UUID, progress: Progress | None = None) -> ImportRun:
    with node.db.transaction() as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            raise NotFound(f"no import {run_id}")
        if run.state not in ("queued", "running"):
            return run
        run.state = "running"
        case = find_case(session, run.case_id)
        purpose, tlp = case.purpose, case.tlp
        job = _Job(
            path=file_of(node, run),
            format=run.format,
            mapping=run.mapping,
            namespace=str(run.case_id),
            default_region=node.config.country,
            # The source is the file's content: the same file imported again states nothing new.
            source=store.Source("import", run.sha256, run.filename),
        )
        # A resumed run counts again from the start (the writes themselves are idempotent).
        run.rows_done, run.rows_failed, run.entities, run.errors = 0, 0, 0, []
    total: int | None = None
    with _whole_file_check(job) as file_rows, _prepared_chunks(job) as chunks:
        done = 0
        try:
            with _collector_paused() as collect_young:
                for group in _transactions(chunks):
                    with node.db.transaction() as session:
                        done += _write_batch(session, run_id, group, job, tlp=tlp, purpose=purpose)
                        if total is None:  # nothing is committed before the whole file is read
                            total = _set_total(session, run_id, file_rows())
                    collect_young()
                    if progress:
                        progress(done, total)
                if total is None:  # a file without data rows
                    with node.db.transaction() as session:
                        total = _set_total(session, run_id, file_rows())
        except (InvalidInput, TooLarge) as exc:
            if total is not None:
                raise
            return _finish(node, run_id, state="failed", error=exc.detail)
    return _finish(node, run_id, state="done")


def _set_total(session: Session, run_id: uuid.UUID, total: int) -> int:
    run = session.get(ImportRun, run_id)
    assert run is not None
    run.rows_total = total
    return total


# How many imports run in this process now, under the lock: the first one to start pauses the
# cyclic collector, the last one to end resumes it (if it was running).
_GC_LOCK = threading.Lock()
_gc_state: dict[str, Any] = {"imports": 0, "was_enabled": True}


@contextmanager
def _collector_paused() -> Iterator[Callable[[], None]]:
    """An import makes and keeps alive a batch's worth of objects at a time (rows, entities,
    statements), and the cyclic collector kept walking them, and every few batches the whole
    heap (the FtM model, the name caches, the ORM): more than a third of an import's time on
    the benchmark, for about a hundred cyclic objects found per batch. So the collector is
    paused during an import; the function given collects the young generations when called
    between batches, at most every `YOUNG_COLLECTION_SECONDS`, so that other threads' garbage
    does not pile up during a long import. Reference counting frees everything else as usual,
    and full collections resume when the last import of the process ends."""
    with _GC_LOCK:
        if _gc_state["imports"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["imports"] += 1
    last = time.monotonic()

    def collect_young() -> None:
        nonlocal last
        if time.monotonic() - last >= YOUNG_COLLECTION_SECONDS:
            gc.collect(1)
            last = time.monotonic()

    try:
        yield collect_young
    finally:
        with _GC_LOCK:
            _gc_state["imports"] -= 1
            if _gc_state["imports"] == 0 and _gc_state["was_enabled"]:
                gc.enable()


YOUNG_COLLECTION_SECONDS = 2.0


# SQLite's page cache for an import's writes (the default is 2 MB): the statements' B-tree is
# keyed by hashes, so a batch touches pages all over it.
_SQLITE_CACHE_KIB = 65536


def _write_batch(
    session: Session,
    run_id: uuid.UUID,
    chunks: Iterator[list[Item]],
    job: _Job,
    *,
    tlp: str,
    purpose: str,
) -> int:
    """A batch of chunks and the run's progress, in the caller's transaction: its row count."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
    rows = entities = 0
    failed: set[int] = set()
    errors: list[dict[str, Any]] = []
    for chunk in chunks:
        items: list[store.Prepared] = []
        row_of: dict[str, int] = {}
        for number, item in chunk:
            if isinstance(item, list):
                for prepared in item:
                    row_of[prepared.id] = number
                items.extend(item)
            else:
                errors.append(error_dict(item))
                if not item.kept:  # a value set aside: the row itself was imported
                    failed.add(number)
        result = store.write(
            session,
            items=items,
            source=job.source,
            tlp=tlp,
            purpose=purpose,
            case_id=uuid.UUID(job.namespace),
            default_region=job.default_region,
        )
        refused_rows = {row_of[eid]: why for eid, why in result.refused.items()}
        errors.extend(
            {"row": r, "column": None, "reason": why} for r, why in sorted(refused_rows.items())
        )
        failed.update(refused_rows)
        rows += len({number for number, _ in chunk})  # a row may bring kept values too
        entities += len(result.created) + len(result.updated) + len(result.unchanged)
    current = session.get(ImportRun, run_id, with_for_update=True)
    assert current is not None
    current.rows_done += rows
    current.rows_failed += len(failed)
    current.entities += entities
    if len(current.errors) < MAX_ERRORS_KEPT:
        current.errors = [*current.errors, *errors][:MAX_ERRORS_KEPT]
    return rows


def _finish(node: Node, run_id: uuid.UUID, *, state: str, error: str | None = None) -> ImportRun:
    with node.db.transaction() as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.state = state
        run.error = error
        run.finished_at = clock.now()
        touch(find_case(session, run.case_id))
        counts = {"rows": run.rows_done, "failed": run.rows_failed, "entities": run.entities}
        detail = {"import": str(run.id), "state": state, **counts}
        audit_case(session, SYSTEM, "entities.import.finish", run.case_id, detail)
        return run


@queue.handler(IMPORT_JOB, backoff_cap=30.0)
def _job(node: Node, payload: dict[str, Any]) -> None:
    run_import(node, uuid.UUID(payload["run"]))
