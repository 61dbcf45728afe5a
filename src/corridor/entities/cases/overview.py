"""The case work view: everything the case page shows below the entities, read with one audit
entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from corridor import clock
from corridor.entities.access import member_role, open_case
from corridor.entities.cases.files import case_files
from corridor.entities.cases.models import CaseFile, CaseNote, CaseTask
from corridor.entities.cases.notes import case_notes
from corridor.entities.cases.service import audit_item
from corridor.entities.cases.tasks import assignable_users, case_tasks, is_overdue
from corridor.entities.cases.timeline import Timeline, case_timeline
from corridor.entities.models import Case
from corridor.security.principal import Principal


@dataclass(frozen=True)
class CaseWork:
    """Everything the case page shows below the entities, read with one audit entry."""

    case: Case
    role: str
    notes: list[CaseNote]
    files: list[CaseFile]
    tasks: list[CaseTask]
    timeline: Timeline
    assignable: list[str]

    @property
    def can_write(self) -> bool:
        return self.role in ("owner", "member") and self.case.status == "open"

    @property
    def overdue(self) -> set[uuid.UUID]:
        now = clock.now()
        return {t.id for t in self.tasks if is_overdue(t, now)}


def overview(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    kinds: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 500,
) -> CaseWork:
    case = open_case(session, actor=actor, ref=case_ref)
    role = member_role(session, actor, case) or "reader"
    work = CaseWork(
        case=case,
        role=role,
        notes=case_notes(session, case),
        files=case_files(session, case),
        tasks=case_tasks(session, case),
        timeline=case_timeline(
            session, case, kinds=kinds, date_from=date_from, date_to=date_to, limit=limit
        ),
        assignable=assignable_users(session, case),
    )
    audit_item(
        session,
        actor,
        "case.work.read",
        None,
        case,
        notes=len(work.notes),
        files=len(work.files),
        tasks=len(work.tasks),
        timeline=len(work.timeline.items),
    )
    return work
