"""Requests for assistance on the dashboard: those this node must answer and those it waits on
partners for, by deadline (overdue first); new requests and replies since the last visit. Read
through the lists' own service (`service.list_requests`), so the dashboard shows what
/requests shows."""

from __future__ import annotations

from sqlalchemy import select

from corridor import work
from corridor.cooperation.requests.models import ReplyRow
from corridor.cooperation.requests.service import OPEN_STATES, Listed, list_requests
from corridor.federation.peers import node_names
from corridor.i18n import N_
from corridor.records.projection import readable

# The list pages read at most this many; the dashboard counts what they show.
LISTED = 500
URGENCY = {"urgent": work.URGENT, "normal": work.MEDIUM, "routine": work.LOW}
TAGS = {
    "overdue": N_("overdue"),
    "accepted": N_("accepted"),
    "partially_answered": N_("partially answered"),
}


def _item(ask: work.Ask, names: dict[str, str], listed: Listed, *, sent: bool) -> work.Item:
    row = listed.request
    tags = [TAGS[listed.state]] if listed.state in TAGS else []
    if row.urgency == "urgent":
        tags.insert(0, N_("urgent"))
    if sent:
        who = ", ".join(names.get(v.node, v.node) for v in listed.recipients)
        by = ask.person(row.author)
    else:
        who, by = names.get(row.origin, row.origin), ""
    return work.Item(
        title=row.subject,
        link=f"/requests/{row.id}",
        when=row.deadline,
        when_label=N_("deadline"),
        overdue=listed.state == "overdue",
        severity=URGENCY.get(row.urgency, work.MEDIUM),
        tags=tuple(tags),
        who=who,
        who_label=N_("to") if sent else N_("from"),
        by=by,
        countdown=True,
    )


def _replies_since(ask: work.Ask, sent: list[Listed]) -> int:
    ids = [i.request.id for i in sent]
    if not ids:
        return 0
    q = select(ReplyRow).where(
        ReplyRow.request_id.in_(ids),
        ReplyRow.origin != ask.node_id,
        ReplyRow.sent_at > ask.since,
    )
    return len(readable(ask.session, ask.actor, ask.session.scalars(q), ask.node_id))


def sections(ask: work.Ask) -> list[work.Section]:
    if not ask.actor.has("records.read"):
        return []
    names = node_names(ask.session, ask.node_id, ask.own_label)
    out = []
    for box, sent in (("received", False), ("sent", True)):
        items = list_requests(ask.session, ask.node_id, actor=ask.actor, box=box, limit=LISTED)
        open_ = [i for i in items if i.state in OPEN_STATES]
        overdue = sum(i.state == "overdue" for i in open_)
        link = f"/requests?box={box}"
        if sent:
            since = work.Count(N_("Replies to requests sent"), _replies_since(ask, items), link)
        else:
            new = sum(ask.since < i.request.sent_at for i in items)
            since = work.Count(N_("Requests received"), new, link)
        out.append(
            work.Section(
                key=f"requests-{box}",
                title=N_("Requests waiting for partners") if sent else N_("Requests to answer"),
                order=30 if sent else 20,
                counts=(
                    work.Count(N_("waiting") if sent else N_("open"), len(open_), link),
                    work.Count(N_("overdue"), overdue, f"{link}&state=overdue", alarm=True),
                ),
                items=work.ordered(_item(ask, names, i, sent=sent) for i in open_),
                more=link,
                empty=N_("No request sent by this node is waiting for an answer.")
                if sent
                else N_("No request is waiting for an answer from this node."),
                since=(since,),
            )
        )
    return out
