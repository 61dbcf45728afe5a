"""Checks of many selectors as jobs the person watches progress (a pasted or imported list, a
whole case), and the automatic check of a case's new entities (opt-in by a case owner).

A run keeps its selectors and, query by query, its hits on this node; the job asks the network
in chunks (`service.check`, the partners told of each hit) and records progress after each, so
the page shows a progress bar and a run survives a restart where it stopped."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.notifications import service as notices
from corridor.cooperation.notifications.registry import Notice, register_kinds
from corridor.entities.cases import matching as cases
from corridor.errors import InvalidInput, NotFound, PermissionDenied
from corridor.i18n import N_
from corridor.jobs.queue import enqueue, handler
from corridor.matching import service
from corridor.matching.models import CaseWatch, CheckRun
from corridor.matching.selectors import TYPES, queries_of_entity
from corridor.node.service import Node
from corridor.security import service as security
from corridor.security.principal import Principal, principal_for

RUN_JOB = "matching.run"
WATCH_JOB = "matching.watch"
WATCH_EVERY = timedelta(seconds=30)
CHUNK = 1000
# A partner over its per-minute limit is asked again after the minute, at most this often.
RETRIES = 3
RETRY_WAIT = 61.0
MAX_RUN = 100_000
MAX_LINE = 400
_SEPARATORS = str.maketrans({"\t": ",", ";": ",", "،": ",", "؛": ","})

register_kinds({"matching.run": N_("Network checks of my cases' new entities")})


def _query(q: dict[str, Any]) -> service.Query:
    return service.Query(q["type"], q["value"], q.get("country"), q.get("birth_year"))


def parse_lines(text: str) -> list[dict[str, Any]]:
    """A pasted list, one selector a line: `type, value[, country][, birth year]` (a line
    without a known type is a name), separated by commas, semicolons or tabs (Arabic-script
    keyboards' ، and ؛ too)."""
    out: list[dict[str, Any]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > MAX_LINE:
            raise InvalidInput(f"line {n}: longer than {MAX_LINE} characters", field="lines")
        parts = [p.strip() for p in line.translate(_SEPARATORS).split(",")]
        type_ = parts[0].lower()
        if type_ not in TYPES:
            type_, parts = "name", ["name", *parts]
        if len(parts) < 2 or not parts[1]:
            raise InvalidInput(f"line {n}: give a value after {type_}", field="lines")
        q: dict[str, Any] = {"type": type_, "value": parts[1]}
        for extra in parts[2:4]:
            if extra.isdigit() and len(extra) == 4:
                q["birth_year"] = int(extra)
            elif len(extra) == 2 and extra.isalpha():
                q["country"] = extra.upper()
            elif extra:
                raise InvalidInput(
                    f"line {n}: {extra!r} is neither a country code nor a birth year",
                    field="lines",
                )
        out.append(q)
    if not out:
        raise InvalidInput("lines: write at least one selector", field="lines")
    if len(out) > MAX_RUN:
        raise InvalidInput(f"lines: at most {MAX_RUN} selectors in one run", field="lines")
    return out


def case_queries(
    session: Session, node: Node, case_id: uuid.UUID, since: Any = None
) -> list[dict[str, Any]]:
    """What to ask about a case's entities (those written after `since`, when given)."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for proxy, _ in cases.changed_since(session, case_id, since):
        for type_, value, country, year in queries_of_entity(proxy, node.config.country):
            q: dict[str, Any] = {"type": type_, "value": value}
            if country:
                q["country"] = country
            if year:
                q["birth_year"] = year
            out[(type_, value, country, year)] = q
    return list(out.values())


def start(
    session: Session,
    *,
    actor: Principal,
    queries: list[dict[str, Any]],
    title: str,
    kind: str = "list",
    case_id: uuid.UUID | None = None,
    region: str | None = None,
) -> CheckRun:
    actor.require("matching.check")
    if not queries:
        raise InvalidInput("selectors: nothing to check", field="selectors")
    # Every selector is read now, so a mistake is said before anything runs.
    service.validate([_query(q) for q in queries], region)
    run = CheckRun(
        author=actor.handle,
        kind=kind,
        case_id=case_id,
        title=title[:300],
        queries=queries,
        results=[],
        peers={},
        total=len(queries),
        done=0,
        hits=0,
        state="queued",
        error=None,
        created_at=clock.now(),
        finished_at=None,
    )
    session.add(run)
    session.flush()
    enqueue(session, RUN_JOB, {"run": str(run.id)})
    return run


def start_case(session: Session, node: Node, *, actor: Principal, ref: str) -> CheckRun:
    case = cases.case_to_read(session, actor=actor, ref=ref)
    queries = case_queries(session, node, case.id)
    if not queries:
        raise InvalidInput("case: its entities have no selector or name to check", field="case")
    return start(
        session,
        actor=actor,
        queries=queries,
        title=case.reference,
        kind="case",
        case_id=case.id,
        region=node.config.country,
    )


def get(session: Session, *, actor: Principal, run_id: uuid.UUID) -> CheckRun:
    actor.require("matching.check")
    run = session.get(CheckRun, run_id)
    if run is None or run.author != actor.handle:
        raise NotFound(f"no check {run_id}")
    return run


def mine(session: Session, *, actor: Principal, limit: int = 20) -> list[CheckRun]:
    actor.require("matching.check")
    return list(
        session.scalars(
            select(CheckRun)
            .where(CheckRun.author == actor.handle)
            .order_by(CheckRun.created_at.desc())
            .limit(limit)
        )
    )


def _author(session: Session, handle: str) -> Principal:
    user = security.find_user(session, handle)
    if user.disabled:
        raise PermissionDenied(f"{handle} is no longer active")
    return principal_for(user, kind="session")


def run_chunks(node: Node, run_id: uuid.UUID) -> None:
    """Ask the network for the rest of a run, chunk by chunk, recording progress."""
    while True:
        with node.db.transaction() as session:
            run = session.get(CheckRun, run_id)
            if run is None or run.state in ("done", "failed"):
                return
            try:
                actor = _author(session, run.author)
                actor.require("matching.check")
            except (NotFound, PermissionDenied) as exc:
                run.state, run.error, run.finished_at = "failed", exc.detail[:500], clock.now()
                return
            run.state = "running"
            chunk = [_query(q) for q in run.queries[run.done : run.done + CHUNK]]
        if not chunk:
            _finish(node, run_id)
            return
        outcome = _ask(node, actor, chunk)
        with node.db.transaction() as session:
            run = session.get(CheckRun, run_id)
            assert run is not None
            found = [[service.hit_json(h) for h in r.hits] for r in outcome.results]
            run.results = [*run.results, *found]
            run.done += len(chunk)
            run.hits += sum(len(f) for f in found)
            run.peers = {**run.peers, **outcome.peers}


def _ask(node: Node, actor: Principal, chunk: list[service.Query]) -> service.Outcome:
    """One chunk, asked again of the partners that refused it for their per-minute limit once
    the minute has passed (a long run paces itself instead of losing their answers)."""
    outcome = service.check(node, actor=actor, queries=chunk)
    for _ in range(RETRIES):
        limited = {n for n, state in outcome.peers.items() if state.startswith("refused: 429")}
        if not limited:
            break
        time.sleep(RETRY_WAIT)
        again = service.check(node, actor=actor, queries=chunk, only=limited)
        for result, more in zip(outcome.results, again.results, strict=True):
            result.hits.extend(more.hits)
        outcome.peers.update(again.peers)
    return outcome


def _finish(node: Node, run_id: uuid.UUID) -> None:
    with node.db.transaction() as session:
        run = session.get(CheckRun, run_id)
        assert run is not None
        run.state, run.finished_at = "done", clock.now()
        if run.kind == "new" and run.hits:
            notices.notify(
                session,
                node_id=node.id,
                notice=Notice(
                    kind="matching.run",
                    title=N_("Partners hold matches for new entities of {case}"),
                    link=f"/matching/runs/{run.id}",
                    params={"case": run.title},
                ),
                handles=[run.author],
            )


@handler(RUN_JOB, backoff_cap=60.0)
def run_job(node: Node, payload: dict[str, Any]) -> None:
    run_chunks(node, uuid.UUID(payload["run"]))


# --- watching a case's new entities ------------------------------------------------------------


def watch(session: Session, *, actor: Principal, ref: str | uuid.UUID, on: bool) -> cases.CaseView:
    """An owner has the case's new entities checked across the network as they arrive."""
    actor.require("matching.check")
    case = cases.case_to_manage(session, actor=actor, ref=ref)
    row = session.get(CaseWatch, case.id)
    if on and row is None:
        session.add(CaseWatch(case_id=case.id, author=actor.handle, since=clock.now()))
    elif not on and row is not None:
        session.delete(row)
    return case


def watched(session: Session, case_id: uuid.UUID) -> bool:
    return session.get(CaseWatch, case_id) is not None


def check_watched(node: Node) -> int:
    """Start a run for each watched case with entities written since its last look."""
    started = 0
    with node.db.transaction() as session:
        for row in session.scalars(select(CaseWatch)).all():
            now = clock.now()
            queries = case_queries(session, node, row.case_id, row.since)
            row.since = now
            if not queries:
                continue
            try:
                actor = _author(session, row.author)
                start(
                    session,
                    actor=actor,
                    queries=queries,
                    title=cases.reference_of(session, row.case_id),
                    kind="new",
                    case_id=row.case_id,
                    region=node.config.country,
                )
                started += 1
            except (NotFound, PermissionDenied, InvalidInput):
                session.delete(row)  # its owner left or may no longer check: the watch ends
    return started


@handler(WATCH_JOB, every=WATCH_EVERY)
def watch_job(node: Node, payload: dict[str, Any]) -> None:
    check_watched(node)
