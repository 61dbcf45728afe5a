"""Case tasks on the dashboard: the open tasks of a person's cases that are theirs (or nobody's
yet, in a case they work on), overdue first, then by due date; tasks given to them and cases
changed since their last visit. Only the cases the person may open (`access`, membership and
purpose), and the tasks shown are an audited read of their case, as listing them is."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select

from corridor import work
from corridor.entities.access import list_cases, member_role
from corridor.entities.cases.models import CaseTask
from corridor.entities.cases.service import audit_item
from corridor.entities.cases.tasks import is_overdue
from corridor.entities.models import Case
from corridor.i18n import N_

SOON = timedelta(days=7)


def _item(ask: work.Ask, task: CaseTask, case: Case) -> work.Item:
    late = is_overdue(task, ask.now)
    tags = [N_("overdue")] if late else []
    if task.owner is None:
        tags.append(N_("unassigned"))
    return work.Item(
        title=task.title,
        link=f"/cases/{case.id}/_work#case-tasks",
        when=task.due,
        when_label=N_("due"),
        overdue=late,
        severity=work.HIGH if late else work.MEDIUM,
        tags=tuple(tags),
        # Their own tasks are "yours"; a colleague's never shows here.
        who_label=N_("assigned to you") if task.owner else "",
        where=case.reference,
        countdown=task.due is not None,
    )


def sections(ask: work.Ask) -> list[work.Section]:
    if not ask.actor.has("entities.read"):
        return []
    every = list_cases(ask.session, actor=ask.actor)
    if not every:
        return []
    # A closed case's tasks wait for it to be reopened.
    cases = {c.id: c for c in every if c.status == "open"}
    me = ask.actor.handle
    rows = ask.session.scalars(
        select(CaseTask).where(
            CaseTask.case_id.in_(list(cases)),
            CaseTask.status == "open",
            or_(CaseTask.owner == me, CaseTask.owner.is_(None)),
        )
    )
    roles: dict[uuid.UUID, str | None] = {}

    def works_on(case: Case) -> bool:
        if case.id not in roles:
            roles[case.id] = member_role(ask.session, ask.actor, case)
        return roles[case.id] in ("owner", "member")

    # Nobody's task is work for those who may work on its case, not for its readers.
    tasks = [t for t in rows if t.owner == me or works_on(cases[t.case_id])]
    pairs = sorted(((_item(ask, t, cases[t.case_id]), t) for t in tasks), key=lambda p: p[0].key())
    shown = pairs[: work.SHOWN]
    # The titles shown are read from their cases: one entry per case, as listing them is.
    for case_id in sorted({t.case_id for _, t in shown}):
        count = sum(t.case_id == case_id for _, t in shown)
        audit_item(ask.session, ask.actor, "case.tasks.list", None, cases[case_id], count=count)
    late = sum(is_overdue(t, ask.now) for t in tasks)
    soon = sum(
        t.due is not None and not is_overdue(t, ask.now) and t.due - ask.now <= SOON for t in tasks
    )
    given = sum(t.owner == me and t.created_by != me and ask.since < t.created_at for t in tasks)
    changed = sum(ask.since < c.updated_at for c in every)
    return [
        work.Section(
            key="case-tasks",
            title=N_("Tasks due in your cases"),
            order=40,
            counts=(
                work.Count(N_("overdue"), late, "/cases", alarm=True),
                work.Count(N_("due within 7 days"), soon, "/cases"),
                work.Count(N_("open"), len(tasks), "/cases"),
            ),
            items=tuple(i for i, _ in shown),
            more="/cases",
            empty=N_("No open task of your cases is yours or waiting for someone."),
            since=(
                work.Count(N_("Case tasks given to you"), given, "/cases"),
                work.Count(N_("Cases changed"), changed, "/cases"),
            ),
        )
    ]
