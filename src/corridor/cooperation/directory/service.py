"""The network-wide directory: publish, change and withdraw this node's contact cards, and answer
"who do I contact for X in country Y, now?" across every card this node holds.

A directory is network-wide: a card goes to every approved peer unless its author names the
audience. The network view is what this node holds (its own cards and those partners sent it),
each shown only to the users its labels allow (records.policy.can_see)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.directory.models import ContactRow
from corridor.cooperation.directory.records import CONTACT
from corridor.cooperation.directory.schemas import DAYS, Hours
from corridor.errors import InvalidInput, NotFound, PermissionDenied
from corridor.federation.peers import approved_peers, require_approved
from corridor.keys import NodeKeys
from corridor.records import registry
from corridor.records import service as records
from corridor.records.labels import Audience, Labels, audience_for
from corridor.records.projection import visible
from corridor.security.principal import Principal

DEFAULT_LABELS = Labels(tlp="GREEN", purpose="cooperation")
MAX_RESULTS = 1000


# --- writing own cards --------------------------------------------------------------------------


def audience(session: Session, to: list[str] | None) -> Audience:
    """`to` as an audience whose named nodes are all approved peers; None: every approved peer."""
    if to is None:
        return Audience(nodes=sorted(p.node_id for p in approved_peers(session)))
    chosen = audience_for(to)
    require_approved(session, chosen.nodes)
    return chosen


def _body(body: dict[str, Any], country: str) -> dict[str, Any]:
    # The card's country is the node's unless the author says otherwise.
    return registry.validate_body(CONTACT, {"country": country, **body})


def publish(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    body: dict[str, Any],
    country: str,
    labels: Labels | None = None,
    to: list[str] | None = None,
) -> dict[str, Any]:
    """A new card of this node. Everything is checked before the record is signed."""
    actor.require("records.write")
    validated = _body(body, country)
    return records.create(
        session,
        keys,
        actor=actor,
        type=CONTACT,
        body=validated,
        labels=labels or DEFAULT_LABELS,
        audience=audience(session, to),
    )


def get(
    session: Session, node_id: str, *, actor: Principal, contact_id: uuid.UUID
) -> dict[str, Any]:
    """A card (audited read: it names an officer and how to reach them)."""
    return records.get_of_type(session, node_id, actor=actor, record_id=contact_id, type=CONTACT)


def _own(session: Session, keys: NodeKeys, actor: Principal, contact_id: uuid.UUID) -> None:
    envelope = get(session, keys.node_id, actor=actor, contact_id=contact_id)
    if envelope["origin"] != keys.node_id:
        raise PermissionDenied("only the node that published a contact card may change it")
    if envelope.get("body") is None:
        raise NotFound(f"contact card {contact_id} was withdrawn")


def update(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    contact_id: uuid.UUID,
    body: dict[str, Any],
    country: str,
    labels: Labels | None = None,
    to: list[str] | None = None,
) -> dict[str, Any]:
    """A new version of an own card (the whole card); labels and audience stay unless given."""
    actor.require("records.write")
    _own(session, keys, actor, contact_id)
    validated = _body(body, country)
    return records.update(
        session,
        keys,
        actor=actor,
        record_id=contact_id,
        body=validated,
        labels=labels,
        audience=audience(session, to) if to is not None else None,
    )


def withdraw(
    session: Session, keys: NodeKeys, *, actor: Principal, contact_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    actor.require("records.write")
    _own(session, keys, actor, contact_id)
    return records.revoke(session, keys, actor=actor, record_id=contact_id, reason=reason)


# --- availability -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    now: bool
    why: str | None = None  # "always" | "hours" | "rota"
    on_duty: tuple[dict[str, Any], ...] = ()


def on_duty(rota: list[dict[str, Any]], at: datetime) -> list[dict[str, Any]]:
    """The rota's shifts running at `at` (UTC)."""
    return [s for s in rota if clock.parse(s["from"]) <= at < clock.parse(s["to"])]


def within_hours(timezone: str | None, hours: list[dict[str, Any]], at: datetime) -> bool:
    if not timezone or not hours:
        return False
    local = at.astimezone(ZoneInfo(timezone))
    return any(Hours.model_validate(h).covers(local) for h in hours)


def availability(row: ContactRow, at: datetime) -> Availability:
    """Whether a card's contact can be reached at `at`: inactive cards never; 24/7 always;
    otherwise within the weekly hours in the card's time zone, or someone on the duty rota."""
    if not row.active:
        return Availability(False)
    duty = tuple(on_duty(row.rota, at))
    if row.always:
        return Availability(True, "always", duty)
    if duty:
        return Availability(True, "rota", duty)
    if within_hours(row.timezone, row.hours, at):
        return Availability(True, "hours")
    return Availability(False)


def hours_summary(hours: list[dict[str, Any]]) -> list[str]:
    """["mon-fri 08:00-17:00", "sat 09:00-13:00"]: runs of consecutive days shortened."""
    out = []
    for h in hours:
        idx = [DAYS.index(d) for d in h["days"]]
        runs: list[list[int]] = []
        for i in idx:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        days = ",".join(DAYS[r[0]] if len(r) == 1 else f"{DAYS[r[0]]}-{DAYS[r[-1]]}" for r in runs)
        out.append(f"{days} {h['from']}-{h['to']}")
    return out


def summary_of(row: ContactRow) -> str:
    """The availability of a card in a few words, for lists (language-neutral codes)."""
    if row.always:
        text = "24/7"
    elif row.hours:
        text = f"{'; '.join(hours_summary(row.hours))} ({row.timezone})"
    else:
        text = ""
    if row.rota:
        text = f"{text} + rota" if text else "rota"
    return text


# --- searching the network ----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    expertise: tuple[str, ...] = ()  # any of them
    countries: tuple[str, ...] = ()  # any of them
    languages: tuple[str, ...] = ()  # any of them
    text: str = ""  # in name, unit or role
    available_now: bool = False
    origin: str | None = None
    kind: str | None = None
    include_inactive: bool = False

    def echo(self) -> dict[str, Any]:
        return {
            "expertise": list(self.expertise),
            "country": list(self.countries),
            "language": list(self.languages),
            "q": self.text,
            "available_now": self.available_now,
            "origin": self.origin,
            "kind": self.kind,
            "include_inactive": self.include_inactive,
        }


@dataclass(frozen=True)
class Found:
    row: ContactRow
    available: Availability


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    session: Session,
    node_id: str,
    *,
    actor: Principal,
    filters: Filters,
    limit: int = 200,
    at: datetime | None = None,
) -> list[Found]:
    """Cards matching the filters (the same OR within a filter, AND across filters), available
    now first, then by country and name. Filters run in SQL; labels and availability (which
    depend on the reader and on the time) in Python."""
    actor.require("records.read")
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidInput(f"limit is 1-{MAX_RESULTS}")
    at = at or clock.now()
    q = select(ContactRow).where(ContactRow.purpose.in_(sorted(actor.purposes)))
    if not filters.include_inactive:
        q = q.where(ContactRow.active.is_(True))
    if filters.countries:
        q = q.where(ContactRow.country.in_(filters.countries))
    if filters.expertise:
        q = q.where(or_(*(ContactRow.tags.like(f"% exp:{e} %") for e in filters.expertise)))
    if filters.languages:
        q = q.where(or_(*(ContactRow.tags.like(f"% lang:{c} %") for c in filters.languages)))
    if filters.text.strip():
        q = q.where(ContactRow.search.like(_like(filters.text.strip().casefold()), escape="\\"))
    if filters.origin:
        q = q.where(ContactRow.origin == filters.origin)
    if filters.kind:
        q = q.where(ContactRow.kind == filters.kind)
    found = []
    for row in session.scalars(q):
        if not visible(actor, row, node_id):
            continue
        avail = availability(row, at)
        if filters.available_now and not avail.now:
            continue
        found.append(Found(row, avail))
    found.sort(key=lambda f: (not f.available.now, f.row.country, f.row.name.casefold()))
    return found[:limit]


def own_cards(session: Session, node_id: str, *, actor: Principal) -> list[ContactRow]:
    """This node's cards (active or not), by name, for the page that manages them."""
    actor.require("records.read")
    rows = session.scalars(
        select(ContactRow)
        .where(ContactRow.origin == node_id, ContactRow.purpose.in_(sorted(actor.purposes)))
        .order_by(ContactRow.name)
    )
    return [r for r in rows if visible(actor, r, node_id)]
