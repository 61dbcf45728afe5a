"""People as people read them: the one place that turns a principal's handle into a name.

Records, case members, tasks and the audit log name who acted by a pseudonymous handle
(`u-k3m9x2qa`, `user:u-…@<node id>`, `unit:unit-…`, `peer:<node id>`, `system`, `cli`). Pages
show instead what a colleague reads: the display name with the unit and role where this node
knows them; for someone of a partner node "a colleague at <node>" (partners see our handles,
never our names, and we theirs); for a handle this node no longer knows, "former user". The
handle stays available (`Person.handle`) for where accountability needs it (the audit log).

`People` is loaded once per page (`load`: one query for the users, one for the units, all of
this node's or only the handles named) and answers every later question from memory, so a list
of fifty rows costs no more queries than one. It never reads another module's tables: the
names of the nodes come from the caller (`federation.peers.node_names`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup
from sqlalchemy import func, or_, select

from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.security.models import Unit, User
from corridor.security.roles import ROLE_LABELS, ROLE_PURPOSES, Role

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# How many people a search answers at most (the person picker).
FOUND = 10

# Principals that are not people, as the audit log names them.
SERVICES = {
    "system": N_("this node"),
    "federation": N_("this node's federation endpoint"),
    "cli": N_("the node's operator (command line)"),
    "anonymous": N_("someone not signed in"),
}


@dataclass(frozen=True)
class Known:
    """A user of this node, as the pages name them."""

    handle: str
    name: str
    role: str
    unit: str
    disabled: bool


@dataclass(frozen=True)
class Person:
    """Who a handle names. `kind`: user, unit, partner (a person or unit of another node),
    node (a partner node itself), service (the node, its operator), former (a handle of this
    node it no longer knows), unknown (not a handle at all: shown as written)."""

    handle: str
    name: str
    kind: str
    role: str = ""
    unit: str = ""
    node: str = ""
    disabled: bool = False

    @property
    def detail(self) -> str:
        """What is known beside the name: unit and role, or the node; a disabled account."""
        parts = [self.unit] if self.unit else []
        if self.role:
            parts.append(_(ROLE_LABELS[Role(self.role)]))
        if self.disabled:
            parts.append(_("account disabled"))
        return " · ".join(parts)

    def __str__(self) -> str:
        return self.name

    def __html__(self) -> str:
        """In a page: the name isolated for right-to-left text, what else is known (or the
        handle, for a partner's colleague) as its title."""
        title = self.detail or (self.handle if self.kind in ("partner", "former") else "")
        attr = Markup(' title="{}"').format(title) if title else ""
        return str(
            Markup('<bdi class="person person-{}"{}>{}</bdi>').format(self.kind, attr, self.name)
        )


def split(handle: str) -> tuple[str, str, str | None]:
    """`user:u-x@node` -> ("user", "u-x", "node"); a bare `u-x` is a user, `unit-x` a unit;
    `peer:<node>` -> ("node", "", node)."""
    handle = handle.strip()
    if handle.startswith("peer:"):
        return "node", "", handle[5:]
    kind = ""
    if ":" in handle:
        kind, _sep, handle = handle.partition(":")
    handle, at, origin = handle.partition("@")
    if not kind:
        kind = "unit" if handle.startswith("unit-") else "user"
    return kind, handle, (origin if at else None)


@dataclass
class People:
    """The people of this node a page names, by handle (`load` them first)."""

    node_id: str
    # node id -> display name ("Name (CC)"), this node included.
    nodes: Mapping[str, str] = field(default_factory=dict)
    users: dict[str, Known] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    # Handles looked for and not found (so they are not asked for again).
    missing: set[str] = field(default_factory=set)
    everyone: bool = False

    def load(self, session: Session, handles: Iterable[str] | None = None) -> People:
        """Read the users and units named by `handles` (all of this node's when None) that
        are not known yet: one query each, whatever their number."""
        if self.everyone:
            return self
        users: set[str] = set()
        units: set[str] = set()
        if handles is not None:
            for h in handles:
                kind, handle, origin = split(h)
                if origin not in (None, self.node_id) or handle in self.missing:
                    continue
                if kind == "user" and handle not in self.users:
                    users.add(handle)
                elif kind == "unit" and handle not in self.units:
                    units.add(handle)
            if not users and not units:
                return self
        q = select(User.handle, User.display_name, User.email, User.role, Unit.name, User.disabled)
        q = q.outerjoin(Unit, User.unit_id == Unit.id)
        if handles is not None:
            q = q.where(User.handle.in_(sorted(users)))
        if handles is None or users:
            for h, name, email, role, unit, disabled in session.execute(q):
                self.users[h] = Known(h, name or email, role, unit or "", disabled)
        if handles is None or units:
            uq = select(Unit.handle, Unit.name)
            if handles is not None:
                uq = uq.where(Unit.handle.in_(sorted(units)))
            self.units.update({h: n for h, n in session.execute(uq)})
        if handles is None:
            self.everyone = True
        else:
            self.missing |= (users - self.users.keys()) | (units - self.units.keys())
        return self

    def __call__(
        self, handle: str, origin: str | None = None, nodes: Mapping[str, str] | None = None
    ) -> Person:
        """Who `handle` names; `origin` is the node a record came from (None or this node's
        id: one of ours); `nodes` names the nodes when the caller knows them better."""
        names = self.nodes if nodes is None else nodes
        raw = handle
        if raw in SERVICES:
            return Person(raw, _(SERVICES[raw]), "service")
        kind, handle, at = split(raw)
        origin = at or origin
        if kind == "node":
            node = names.get(origin or "", origin or "")
            return Person(raw, node or _("a partner node"), "node", node=node)
        if origin and origin != self.node_id:
            node = names.get(origin, _("a partner node"))
            if kind == "unit":
                return Person(raw, _("a unit at %(node)s") % {"node": node}, "partner", node=node)
            return Person(raw, _("a colleague at %(node)s") % {"node": node}, "partner", node=node)
        if kind == "unit" and handle in self.units:
            return Person(raw, self.units[handle], "unit")
        known = self.users.get(handle) if kind == "user" else None
        if known is not None:
            return Person(raw, known.name, "user", known.role, known.unit, disabled=known.disabled)
        if kind in ("user", "unit") and handle.startswith(("u-", "unit-")):
            return Person(raw, _("former unit") if kind == "unit" else _("former user"), "former")
        return Person(raw, raw, "unknown")

    def name(self, handle: str) -> str:
        return self(handle).name


def search(session: Session, text: str, *, purpose: str | None = None) -> list[Person]:
    """Active users of this node whose name or e-mail contains `text` (at most `FOUND`, by
    name), only those whose role may read `purpose` when given. Never disabled accounts."""
    text = text.strip().lower()
    if not text:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    q = (
        select(User.handle, User.display_name, User.email, User.role, Unit.name)
        .outerjoin(Unit, User.unit_id == Unit.id)
        .where(
            User.disabled.is_(False),
            or_(
                func.lower(User.display_name).like(like, escape="\\"),
                func.lower(User.email).like(like, escape="\\"),
                User.handle == text,
            ),
        )
        .order_by(func.lower(User.display_name), User.email)
    )
    if purpose is not None:
        q = q.where(
            User.role.in_(sorted(r.value for r, p in ROLE_PURPOSES.items() if purpose in p))
        )
    return [
        Person(h, name or email, "user", role, unit or "")
        for h, name, email, role, unit in session.execute(q.limit(FOUND))
    ]


def find_one(session: Session, text: str) -> str | None:
    """The member a person typed without the picker: `user:<handle>` / `unit:<handle>` for an
    exact e-mail, handle or display name of one active user, or a unit's name or handle."""
    text = text.strip()
    if not text:
        return None
    users = list(
        session.scalars(
            select(User.handle).where(
                User.disabled.is_(False),
                or_(
                    User.email == text.lower(),
                    User.handle == text,
                    func.lower(User.display_name) == text.lower(),
                ),
            )
        )
    )
    if len(users) == 1:
        return f"user:{users[0]}"
    if users:
        return None
    unit = session.scalar(select(Unit.handle).where(or_(Unit.name == text, Unit.handle == text)))
    return f"unit:{unit}" if unit else None
