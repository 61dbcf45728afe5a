"""A person's unread notifications on the dashboard (what partners sent, reminders, receipts,
hits): urgent ones first, then the newest. The person's own, as /notifications lists them;
titles in the reader's language (the caller activated it)."""

from __future__ import annotations

from corridor import work
from corridor.cooperation.notifications.models import Notification
from corridor.cooperation.notifications.service import (
    MAX_LIST,
    list_notifications,
    render_title,
    unread_count,
)
from corridor.i18n import N_


def _link(n: Notification) -> str:
    # Only paths on this node, as opening a notice allows.
    return n.link if n.link.startswith("/") and not n.link.startswith("//") else "/notifications"


def sections(ask: work.Ask) -> list[work.Section]:
    if ask.actor.user_id is None or not ask.actor.has("records.read"):
        return []
    unread = list_notifications(ask.session, actor=ask.actor, limit=MAX_LIST, unread_only=True)
    items = (
        work.Item(
            title=render_title(n.title, n.params),
            link=_link(n),
            when=n.created_at,
            when_label=N_("received"),
            severity=work.URGENT if n.urgent else work.LOW,
            tags=(N_("urgent"),) if n.urgent else (),
        )
        for n in unread
    )
    return [
        work.Section(
            key="notifications",
            title=N_("Unread notifications"),
            order=50,
            counts=(
                work.Count(
                    N_("unread"), unread_count(ask.session, actor=ask.actor), "/notifications"
                ),
                work.Count(
                    N_("urgent"), sum(n.urgent for n in unread), "/notifications", alarm=True
                ),
            ),
            items=work.ordered(items),
            more="/notifications",
            empty=N_("You have read every notification."),
        )
    ]
