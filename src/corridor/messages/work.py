"""Secure messages on the dashboard: messages from partners that nobody at this node has opened
yet (no read receipt sent), newest first, and those received since the last visit. Read through
the inbox's own service (`service.list_messages`), so the dashboard shows what /messages shows."""

from __future__ import annotations

from sqlalchemy import select

from corridor import work
from corridor.federation.peers import node_names
from corridor.federation.receipts import Receipt
from corridor.i18n import N_
from corridor.messages.service import list_messages

# The inbox page lists this many.
LISTED = 100


def sections(ask: work.Ask) -> list[work.Section]:
    if not ask.actor.has("records.read"):
        return []
    inbox = [
        i
        for i in list_messages(ask.session, ask.node_id, actor=ask.actor, box="inbox", limit=LISTED)
        if not i.message.revoked
    ]
    opened = set(
        ask.session.scalars(
            select(Receipt.record_id).where(
                Receipt.record_id.in_([i.message.id for i in inbox]),
                Receipt.node_id == ask.node_id,
                Receipt.status == "read",
            )
        )
    )
    unopened = [i.message for i in inbox if i.message.id not in opened]
    new = sum(ask.since < i.message.sent_at for i in inbox)
    names = node_names(ask.session, ask.node_id, ask.own_label)
    return [
        work.Section(
            key="messages",
            title=N_("New messages"),
            order=45,
            counts=(work.Count(N_("not opened here yet"), len(unopened), "/messages"),),
            items=tuple(
                work.Item(
                    title=m.subject,
                    link=f"/messages/{m.id}",
                    when=m.sent_at,
                    when_label=N_("sent"),
                    who=names.get(m.origin, m.origin),
                    who_label=N_("from"),
                )
                for m in unopened[: work.SHOWN]
            ),
            more="/messages",
            empty=N_("Every message from partners has been opened here."),
            since=(work.Count(N_("Messages received"), new, "/messages"),),
        )
    ]
