"""The dated facts of a set of entities (calls, payments, trips, events) in time order, with
their participants as the link graph names them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from followthemoney import EntityProxy, Schema
from followthemoney.types import registry

from corridor.entities.analysis.graph import collect, phone_key, schema_plan, selector_id, time_span


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    caption: str
    role: str


@dataclass(frozen=True, slots=True)
class TimelineItem:
    id: str
    kind: str
    caption: str
    start: str | None
    end: str | None
    participants: tuple[Participant, ...]
    amount: float | None = None
    currency: str | None = None
    origin: str | None = None
    destination: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_TIMELINE_ROLES = {
    "call": ("caller", "callerNumber", "receiver", "receiverNumber"),
    "payment": ("payer", "payerAccount", "beneficiary", "beneficiaryAccount"),
    "trip": ("organizer", "involved", "vehicle"),
    "event": ("organizer", "involved"),
}


def _timeline_kind(schema: Schema) -> str | None:
    for kind, name in (
        ("call", "Call"),
        ("payment", "Payment"),
        ("trip", "Trip"),
        ("event", "Event"),
    ):
        if schema.is_a(name):
            return kind
    return None


def _first_number(proxy: EntityProxy, prop: str) -> float | None:
    for value in proxy.get(prop, quiet=True):
        number = registry.number.to_number(value)
        if number is not None:
            return number
    return None


def timeline(entities: Iterable[EntityProxy]) -> list[TimelineItem]:
    """Calls, payments, trips and events in time order (undated ones last). Participants carry
    the captions of the entities passed in (their id when absent); a call known only by its
    numbers names them as phone selectors (``sel:phone:+…``), as the graph does."""
    proxies = collect(entities)

    def caption(entity_id: str) -> str:
        known = proxies.get(entity_id)
        return known.caption if known is not None else entity_id

    items = []
    for proxy in proxies.values():
        kind = _timeline_kind(proxy.schema)
        if kind is None:
            continue
        assert proxy.id is not None
        participants = []
        for role in _TIMELINE_ROLES[kind]:
            prop = proxy.schema.get(role)
            if prop is None:
                continue
            for value in proxy.get(prop):
                if prop.type == registry.phone:
                    key = phone_key(value, proxy) or value
                    participants.append(
                        Participant(selector_id("phone", key), registry.phone.caption(key), role)
                    )
                else:
                    participants.append(Participant(value, caption(value), role))
        start, end = time_span(schema_plan(proxy.schema), proxy.properties)
        origins = proxy.get("startLocation", quiet=True)
        destinations = proxy.get("endLocation", quiet=True)
        currencies = proxy.get("currency", quiet=True)
        items.append(
            TimelineItem(
                id=proxy.id,
                kind=kind,
                caption=proxy.caption,
                start=start,
                end=end,
                participants=tuple(participants),
                amount=_first_number(proxy, "amount"),
                currency=currencies[0] if currencies else None,
                origin=caption(origins[0]) if origins else None,
                destination=caption(destinations[0]) if destinations else None,
            )
        )
    items.sort(key=lambda i: (i.start is None, i.start or "", i.end or "", i.kind, i.id))
    return items
