"""What needs a person now, as each module reports it for the dashboard.

A module names in its manifest (`Manifest.work`) the modules whose `sections(ask)` answer
for it: `Section`s of counts that link to the module's own (filtered) lists, the items
themselves, most pressing first (past their deadline, then by severity, then by deadline), and
what arrived since the person's last visit (`Section.since`). A module builds them from its
own service's listings, so the dashboard shows a person exactly what the lists it links to
show them (their role's purposes, the visibility rule, case membership) and decides nothing
itself. The page puts the sections with something late or urgent first (`ranked`). Labels are
gettext msgids, translated where they are shown: a count's label says what its number counts
("overdue", "not acknowledged"), a change's names the things ("Alerts received").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from corridor.security.principal import Principal

# How many items a section lists; its counts link to the rest.
SHOWN = 6
# Severities, most severe first (alerts' own scale; requests map their urgency onto it).
URGENT, HIGH, MEDIUM, LOW = 0, 1, 2, 3


@dataclass(frozen=True)
class Ask:
    """Who asks, and what the dashboard knows for every module: the time, the start of "since
    your last visit", how this node is named beside its peers (`own_label`, as
    `federation.peers.node_names` takes it) and how to name this node's people."""

    session: Session
    node_id: str
    actor: Principal
    now: datetime
    since: datetime
    own_label: str
    # handle -> the person's display name (the handle when none is known here).
    person: Callable[[str], str]


@dataclass(frozen=True)
class Count:
    """A number that links to the list it counts; `alarm` when it is about something late
    or urgent (shown in the danger colour)."""

    label: str
    n: int
    link: str
    alarm: bool = False


@dataclass(frozen=True)
class Item:
    """One thing to look at. `title` is shown as its author wrote it; `tags` are msgids
    (a state, an urgency); `who` names nodes or a person (`who_label` says how they relate:
    "from", "to", "assigned to"), `by` the person of this node who did it, `where` what it
    belongs to (a case, a joint space); `when` is the
    deadline or due time (`when_label` says which) or, for a thing without one, when it
    arrived."""

    title: str
    link: str
    when: datetime | None = None
    when_label: str = ""
    overdue: bool = False
    severity: int = LOW
    tags: tuple[str, ...] = ()
    who: str = ""
    who_label: str = ""
    by: str = ""
    where: str = ""
    # A deadline the page counts down (an open request, a task), not a time in the past.
    countdown: bool = False

    def key(self) -> tuple[bool, int, float]:
        """Past its deadline first, then the most severe, then the nearest deadline (things
        without one last)."""
        when = self.when.timestamp() if self.when and self.countdown else float("inf")
        return (not self.overdue, self.severity, when)


@dataclass(frozen=True)
class Section:
    key: str  # unique on the page (an HTML id)
    title: str
    order: int
    counts: tuple[Count, ...] = ()
    items: tuple[Item, ...] = ()
    more: str = ""  # the whole list
    empty: str = ""
    # What arrived or changed since the last visit: gathered into one section of its own.
    since: tuple[Count, ...] = field(default=())

    @property
    def alarm(self) -> bool:
        return any(c.alarm and c.n for c in self.counts)


def ordered(items: Iterable[Item], limit: int = SHOWN) -> tuple[Item, ...]:
    return tuple(sorted(items, key=Item.key)[:limit])


def ranked(sections: Iterable[Section]) -> list[Section]:
    """Sections with something late or urgent first, then those with items, then the empty
    ones; in each group, in their declared order."""
    return sorted(sections, key=lambda s: (not s.alarm, not s.items, s.order, s.key))
