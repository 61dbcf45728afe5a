"""Alerts on the dashboard: the active alerts from partners that nobody here has acknowledged
yet, most severe first, and the alerts received since the last visit. Read through the list's
own service (`service.list_alerts`), so the dashboard shows what /alerts shows."""

from __future__ import annotations

from corridor import work
from corridor.cooperation.alerts.records import SEVERITIES, TYPES
from corridor.cooperation.alerts.service import Listed, list_alerts
from corridor.federation.peers import node_names
from corridor.i18n import N_

# The list page reads at most this many; the dashboard counts what it shows.
LISTED = 300


def _item(names: dict[str, str], listed: Listed) -> work.Item:
    row = listed.row
    return work.Item(
        title=row.title,
        link=f"/alerts/{row.id}",
        when=row.sent_at,
        when_label=N_("sent"),
        severity=row.severity_rank,
        tags=(SEVERITIES.get(row.severity, row.severity), TYPES.get(row.type, row.type)),
        who=names.get(row.origin, row.origin),
        who_label=N_("from"),
    )


def sections(ask: work.Ask) -> list[work.Section]:
    if not ask.actor.has("records.read"):
        return []
    items = list_alerts(ask.session, ask.node_id, actor=ask.actor, limit=LISTED)
    received = [i for i in items if i.row.origin != ask.node_id]
    waiting = [i for i in received if i.state == "active" and i.row.acknowledged_at is None]
    urgent = sum(i.row.severity == "urgent" for i in waiting)
    new = sum(ask.since < i.row.sent_at for i in received)
    names = node_names(ask.session, ask.node_id, ask.own_label)
    return [
        work.Section(
            key="alerts",
            title=N_("Alerts to acknowledge"),
            order=10,
            counts=(
                work.Count(N_("not acknowledged"), len(waiting), "/alerts"),
                work.Count(N_("urgent"), urgent, "/alerts", alarm=True),
            ),
            items=work.ordered(_item(names, i) for i in waiting),
            more="/alerts",
            empty=N_("Every active alert from partners has been acknowledged here."),
            since=(work.Count(N_("Alerts received"), new, "/alerts"),),
        )
    ]
