"""The tasks of a case: assigned to a member who may work on it, with a due date; overdue ones
come first."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.entities.access import member_role, members, open_case, touch
from corridor.entities.cases.models import CaseTask
from corridor.entities.cases.service import audit_item, listed
from corridor.entities.models import Case
from corridor.errors import InvalidInput, NotFound
from corridor.security.models import Unit, User
from corridor.security.principal import Principal
from corridor.security.service import principal_for

MAX_TASK_TITLE = 300
MAX_TASK_DETAILS = 20_000
TASK_STATUSES = ("open", "done", "cancelled")


def parse_due(text: str | None) -> datetime | None:
    """A due date from a form or the API: a date means the end of that day (UTC); a time
    without an offset is UTC; empty means none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        due = clock.parse(text)
    except ValueError:
        raise InvalidInput(
            "due: a date (2026-05-31) or a UTC time (2026-05-31T17:00:00Z)"
        ) from None
    if len(text) == 10:
        due = datetime.combine(due.date(), time(23, 59, 59), tzinfo=due.tzinfo)
    return due


def _check_due(due: datetime | None) -> datetime | None:
    if due is None:
        return None
    due = clock.as_utc(due)
    if due < clock.now():
        raise InvalidInput("due: the due date is in the past")
    return due


def _check_owner(session: Session, case: Case, handle: str | None) -> str | None:
    """A task goes to a user who may work on the case: a member or owner, directly or through
    their unit, whose role may hold the case's purpose."""
    handle = (handle or "").strip()
    if not handle:
        return None
    user = session.scalar(select(User).where(User.handle == handle))
    if user is None or user.disabled:
        raise InvalidInput(f"owner: no active user with handle {handle!r}")
    role = member_role(session, principal_for(user, kind="session"), case)
    if role is None:
        raise InvalidInput(f"owner: {handle} is not a member of this case")
    if role == "reader":
        raise InvalidInput(f"owner: {handle} may only read this case")
    return handle


def assignable_users(session: Session, case: Case) -> list[str]:
    """Handles of the users a task of this case may go to (see `_check_owner`)."""
    writers = [m for m in members(session, case) if m.role in ("owner", "member")]
    units = [m.handle for m in writers if m.kind == "unit"]
    users = {m.handle for m in writers if m.kind == "user"}
    if units:
        users.update(
            session.scalars(
                select(User.handle)
                .join(Unit, Unit.id == User.unit_id)
                .where(Unit.handle.in_(units))
            )
        )
    rows = session.scalars(
        select(User).where(User.handle.in_(sorted(users)), User.disabled.is_(False))
    )
    return sorted(
        u.handle
        for u in rows
        if member_role(session, principal_for(u, kind="session"), case) in ("owner", "member")
    )


def _check_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > MAX_TASK_TITLE:
        raise InvalidInput(f"title: 1 to {MAX_TASK_TITLE} characters")
    return title


def _check_details(details: str) -> str:
    if len(details) > MAX_TASK_DETAILS:
        raise InvalidInput(f"details: at most {MAX_TASK_DETAILS:,} characters")
    return details.strip()


def add_task(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    title: str,
    details: str = "",
    owner: str | None = None,
    due: datetime | None = None,
) -> CaseTask:
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    task = CaseTask(
        case_id=case.id,
        title=_check_title(title),
        details=_check_details(details),
        owner=_check_owner(session, case, owner),
        due=_check_due(due),
        status="open",
        created_by=actor.handle,
        created_at=clock.now(),
    )
    session.add(task)
    session.flush()
    touch(case)
    audit_item(session, actor, "case.task.add", task.id, case)
    return task


_UNSET: Any = object()


def update_task(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    task_id: uuid.UUID,
    status: str | None = None,
    title: str | None = None,
    details: str | None = None,
    owner: str | None = _UNSET,
    due: datetime | None = _UNSET,
) -> CaseTask:
    """Change what is given. `owner=None` / `due=None` clear them; leaving them out keeps
    them. A new due date may not be in the past; closing sets `closed_at`, reopening clears it."""
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    task = session.get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise NotFound(f"no task {task_id} in this case")
    changed: list[str] = []
    if title is not None:
        task.title = _check_title(title)
        changed.append("title")
    if details is not None:
        task.details = _check_details(details)
        changed.append("details")
    if owner is not _UNSET:
        task.owner = _check_owner(session, case, owner)
        changed.append("owner")
    if due is not _UNSET:
        task.due = _check_due(due)
        changed.append("due")
    if status is not None and status != task.status:
        if status not in TASK_STATUSES:
            raise InvalidInput(f"status: one of {', '.join(TASK_STATUSES)}")
        task.status = status
        task.closed_at = None if status == "open" else clock.now()
        changed.append("status")
    if changed:
        touch(case)
        audit_item(
            session, actor, "case.task.update", task.id, case, fields=changed, status=task.status
        )
    return task


def is_overdue(task: CaseTask, now: datetime | None = None) -> bool:
    return (
        task.status == "open"
        and task.due is not None
        and clock.as_utc(task.due) < (now or clock.now())
    )


def case_tasks(session: Session, case: Case) -> list[CaseTask]:
    rows = session.scalars(select(CaseTask).where(CaseTask.case_id == case.id))
    now = clock.now()

    def order(t: CaseTask) -> tuple[int, float, float]:
        # Overdue, then open by due date (undated last), then closed, most recent first.
        if t.status != "open":
            return 2, -clock.as_utc(t.closed_at or t.created_at).timestamp(), 0.0
        due = clock.as_utc(t.due).timestamp() if t.due else float("inf")
        return (0 if is_overdue(t, now) else 1), due, clock.as_utc(t.created_at).timestamp()

    return sorted(rows, key=order)


def list_tasks(session: Session, *, actor: Principal, case_ref: str | uuid.UUID) -> list[CaseTask]:
    """Overdue first, then open tasks by due date, then closed ones."""
    return listed(session, actor, case_ref, case_tasks, "case.tasks.list")
