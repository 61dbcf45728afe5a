"""Joint spaces on the dashboard: the open tasks assigned to this node in the spaces a person
may see, overdue first, then by due date, and partners' posts since the last visit.
Read from the spaces the list shows (`service.list_spaces`) and checked row by row as a
space's page is (`records.projection.readable`)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select

from corridor import work
from corridor.cooperation.spaces.models import SpacePostRow, SpaceRow, SpaceTaskRow
from corridor.cooperation.spaces.service import list_spaces, overdue
from corridor.federation.peers import node_names
from corridor.i18n import N_
from corridor.records.projection import readable

SOON_DAYS = 7


def _item(ask: work.Ask, names: dict[str, str], task: SpaceTaskRow, space: SpaceRow) -> work.Item:
    late = overdue(task, ask.now.date())
    return work.Item(
        title=task.title,
        link=f"/spaces/{task.space_id}#t-{task.id}",
        # A day is due until its end, as a case task given a date is.
        when=datetime.combine(task.due, time(23, 59, 59), tzinfo=UTC),
        when_label=N_("due"),
        overdue=late,
        severity=work.HIGH if late else work.MEDIUM,
        tags=(N_("overdue"),) if late else (),
        who=task.assignee_person or names.get(task.assignee_node, task.assignee_node),
        who_label=N_("assigned to"),
        where=space.name,
        countdown=True,
    )


def sections(ask: work.Ask) -> list[work.Section]:
    if not ask.actor.has("records.read"):
        return []
    spaces = {s.id: s for s in list_spaces(ask.session, ask.node_id, actor=ask.actor)}
    if not spaces:
        return []
    purposes = sorted(ask.actor.purposes)
    tasks = readable(
        ask.session,
        ask.actor,
        ask.session.scalars(
            select(SpaceTaskRow).where(
                SpaceTaskRow.space_id.in_(list(spaces)),
                SpaceTaskRow.assignee_node == ask.node_id,
                SpaceTaskRow.status == "open",
                SpaceTaskRow.purpose.in_(purposes),
            )
        ),
        ask.node_id,
    )
    posts = readable(
        ask.session,
        ask.actor,
        ask.session.scalars(
            select(SpacePostRow).where(
                SpacePostRow.space_id.in_(list(spaces)),
                SpacePostRow.origin != ask.node_id,
                SpacePostRow.created_at > ask.since,
                SpacePostRow.purpose.in_(purposes),
            )
        ),
        ask.node_id,
    )
    names = node_names(ask.session, ask.node_id, ask.own_label)
    today = ask.now.date()
    late = sum(overdue(t, today) for t in tasks)
    soon = sum(not overdue(t, today) and (t.due - today).days <= SOON_DAYS for t in tasks)
    return [
        work.Section(
            key="space-tasks",
            title=N_("Tasks of this node in joint spaces"),
            order=42,
            counts=(
                work.Count(N_("overdue"), late, "/spaces", alarm=True),
                work.Count(N_("due within 7 days"), soon, "/spaces"),
            ),
            items=work.ordered(_item(ask, names, t, spaces[t.space_id]) for t in tasks),
            more="/spaces",
            empty=N_("No open task of a joint space is assigned to this node."),
            since=(work.Count(N_("Posts in joint spaces"), len(posts), "/spaces"),),
        )
    ]
