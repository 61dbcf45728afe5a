"""Enqueue, claim and settle jobs. Claims lock rows with SKIP LOCKED on PostgreSQL, so several
workers never take the same job; SQLite serialises writers (BEGIN IMMEDIATE) to the same end."""

from __future__ import annotations

import random
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, delete, event, func, or_, select, update
from sqlalchemy.orm import Session

from corridor import clock, signals
from corridor.db import Database, affected
from corridor.errors import NotFound
from corridor.jobs.models import Job

if TYPE_CHECKING:
    from corridor.node.service import Node

BACKOFF_BASE = 2.0
BACKOFF_CAP = 3600.0
LEASE = timedelta(minutes=5)

# Wakes the worker as soon as a transaction that enqueued something commits: set here for a
# worker in this process, and by the JOBS_TOPIC signal for one in another process of the node.
wakeup = threading.Event()
JOBS_TOPIC = "jobs"


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop("jobs_enqueued", False):
        wakeup.set()
        if session.bind is not None:
            signals.channel(session.get_bind()).send(JOBS_TOPIC)


@dataclass(frozen=True)
class Handler:
    kind: str
    fn: Callable[[Node, dict[str, Any]], None]
    # Periodic jobs are re-queued after each run (retention sweeps, housekeeping).
    every: timedelta | None = None
    # Longest wait between retries (delivery to a peer retries sooner than housekeeping).
    backoff_cap: float = 3600.0
    # Periodic jobs that also run as soon as a worker starts (catch-up after downtime).
    at_start: bool = False


HANDLERS: dict[str, Handler] = {}


def handler(
    kind: str,
    *,
    every: timedelta | None = None,
    backoff_cap: float = BACKOFF_CAP,
    at_start: bool = False,
) -> Callable[[Any], Any]:
    def deco(fn: Callable[[Node, dict[str, Any]], None]) -> Callable[[Node, dict[str, Any]], None]:
        HANDLERS[kind] = Handler(kind, fn, every, backoff_cap, at_start)
        return fn

    return deco


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_after: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 10,
) -> Job | None:
    """Queue a job in the caller's transaction (it runs only if the work commits).

    With a dedupe_key, at most one queued job holds that key (a running one does not count:
    work arriving while it runs queues a fresh job); returns None when one is queued."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    now = clock.now()
    queued_here = session.info.setdefault("dedupe_keys", set())
    if dedupe_key and (
        dedupe_key in queued_here
        or session.scalar(
            select(Job.id)
            .where(Job.dedupe_key == dedupe_key, Job.state == "queued")
            .limit(1)
            .with_for_update()  # a worker must not claim it before our work commits
        )
    ):
        return None
    return _add(session, kind, payload, run_after or now, dedupe_key, max_attempts)


def _add(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None,
    run_after: datetime,
    dedupe_key: str | None,
    max_attempts: int,
) -> Job:
    now = clock.now()
    job = Job(
        kind=kind,
        payload=payload or {},
        state="queued",
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after,
        dedupe_key=dedupe_key,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    if dedupe_key:
        session.info.setdefault("dedupe_keys", set()).add(dedupe_key)
    session.info["jobs_enqueued"] = True
    return job


def enqueue_each(
    session: Session, kind: str, jobs: dict[str, dict[str, Any]], *, max_attempts: int = 10
) -> None:
    """enqueue() for many deduplicated jobs at once (dedupe key -> payload), with one lookup
    of the keys already queued: a message to thirty peers queues thirty pushes."""
    queued_here = session.info.setdefault("dedupe_keys", set())
    wanted = [k for k in jobs if k not in queued_here]
    if not wanted:
        return
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    found = set(
        session.scalars(
            select(Job.dedupe_key)
            .where(Job.dedupe_key.in_(wanted), Job.state == "queued")
            .with_for_update()
        )
    )
    queued_here.update(found)
    now = clock.now()
    for key in wanted:
        if key not in found:
            _add(session, kind, jobs[key], now, key, max_attempts)


def backoff(attempts: int, cap: float = BACKOFF_CAP) -> float:
    """Capped exponential backoff with jitter (half fixed, half random)."""
    delay = min(cap, BACKOFF_BASE**attempts)
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not security


@dataclass(frozen=True)
class Claimed:
    """A job this worker holds the lease of, with what running it needs."""

    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def claim(db: Database, worker_id: str, *, limit: int = 10) -> list[Claimed]:
    now = clock.now()
    with db.transaction() as session:
        q = (
            select(Job)
            .where(
                or_(
                    (Job.state == "queued") & (Job.run_after <= now),
                    (Job.state == "running") & (Job.locked_until < now),  # a worker died
                )
            )
            .order_by(Job.run_after)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        jobs = session.scalars(q).all()
        for job in jobs:
            job.state = "running"
            job.locked_by = worker_id
            job.locked_until = now + LEASE
            job.attempts += 1
            job.updated_at = now
        return [Claimed(j.id, j.kind, dict(j.payload), j.attempts, j.max_attempts) for j in jobs]


def run(node: Node, claimed: Claimed) -> str:
    """Run one claimed job and settle it: done, queued again with backoff, or dead."""
    job_id, kind, payload = claimed.id, claimed.kind, claimed.payload
    attempts, max_attempts = claimed.attempts, claimed.max_attempts
    h = HANDLERS.get(kind)
    error: str | None = None
    try:
        if h is None:
            raise LookupError(f"no handler for job kind {kind!r}")
        h.fn(node, payload)
    except Exception as exc:
        # Only the exception type and message: payloads may hold identifiers, never log them.
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    now = clock.now()
    with node.db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None:
            return "missing"
        job.updated_at = now
        job.locked_by = None
        job.locked_until = None
        if error is None:
            job.state = "done"
            job.last_error = None
            if h is not None and h.every is not None:
                enqueue(session, kind, payload, run_after=now + h.every, dedupe_key=f"every:{kind}")
            return "done"
        job.last_error = error
        if attempts >= max_attempts:
            job.state = "dead"
            if h is not None and h.every is not None:
                enqueue(session, kind, payload, run_after=now + h.every, dedupe_key=f"every:{kind}")
            return "dead"
        job.state = "queued"
        cap = h.backoff_cap if h is not None else BACKOFF_CAP
        job.run_after = now + timedelta(seconds=backoff(attempts, cap))
        return "retry"


def ensure_periodic(db: Database) -> None:
    """Queue every periodic job once; those marked at_start are due now."""
    with db.transaction() as session:
        for h in HANDLERS.values():
            if h.every is None:
                continue
            key = f"every:{h.kind}"
            enqueue(session, h.kind, {}, dedupe_key=key)
            if h.at_start:
                session.execute(
                    update(Job)
                    .where(Job.dedupe_key == key, Job.state == "queued")
                    .values(run_after=clock.now())
                )


def retry_dead(session: Session, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.state != "dead":
        raise NotFound("no dead job with that id")
    job.state = "queued"
    job.attempts = 0
    job.run_after = clock.now()
    job.updated_at = clock.now()
    session.info["jobs_enqueued"] = True
    return job


def counts(session: Session) -> dict[str, int]:
    """Jobs per state; queued jobs not yet due (periodic ones, backoffs) count as scheduled.
    One query: two would disagree when a worker claims a job in between."""
    scheduled = and_(Job.state == "queued", Job.run_after > clock.now())
    later = case((scheduled, True), else_=False)
    out: dict[str, int] = {}
    for state, is_later, n in session.execute(
        select(Job.state, later, func.count()).group_by(Job.state, later)
    ):
        key = "scheduled" if is_later else state
        out[key] = out.get(key, 0) + n
    return out


def prune_done(session: Session, *, older_than: timedelta) -> int:
    return affected(
        session,
        delete(Job).where(Job.state == "done", Job.updated_at < clock.now() - older_than),
    )
