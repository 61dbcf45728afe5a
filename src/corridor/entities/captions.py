"""An entity as people read it: a caption that says what a relation or an event links ("Call:
Tariq Mehmood → Khalid Al-Omari, May 3, 2026", "Payment 7,500,000 PKR: Haji Karim → Reza
Ahmadi") instead of FtM's bare caption ("Call", "7500000"), its key facts, and every value in
the reader's language and conventions: country names instead of codes (`corridor.countries`),
dates and numbers through Babel. Partner nodes by their name and country.

The page layer hands these the reader's language (`lang`, as `web.render.page` negotiates it);
nothing here imports the web layer. Every pattern with an arrow is one translatable message, so a
right-to-left language writes the arrow its way."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from followthemoney import Schema
from followthemoney.property import Property
from followthemoney.types import registry
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import countries, formats
from corridor.entities.ftm import model
from corridor.entities.models import Entity
from corridor.errors import InvalidInput
from corridor.federation.peers import list_peers
from corridor.i18n import gettext as _
from corridor.i18n import pgettext
from corridor.security.principal import Principal

# The two ends of what is not an FtM edge but reads as one (FtM's Call has no source/target).
ENDS: dict[str, tuple[str, str]] = {
    "Call": ("caller", "receiver"),
    "Trip": ("startLocation", "endLocation"),
}
# An end named by a number when the entity it would point to is not recorded.
END_NUMBERS = {"caller": "callerNumber", "receiver": "receiverNumber"}
# What kind of link it is, where the schema says it ("brother", "treasurer").
QUALIFIERS = ("relationship", "role")
# Value types shown among the key facts of a search hit besides the schema's featured ones.
IDENTIFIER_TYPES = (registry.identifier, registry.phone)
FACTS = 4
HIT_FACTS = 6
FACT_VALUES = 3


# --- values in the reader's conventions ---------------------------------------------------------


def _locale(lang: str) -> Locale:
    return formats.Reader(lang or "en").locale


def number(value: str | float | Decimal, lang: str) -> str:
    """A number with the reader's grouping and decimal sign, two decimals when it has any
    ("7,500,000"; "2,400.50"; in French "7 500 000"). A stated value is read as FtM reads it
    ("7,500,000"; a unit after it is dropped); what FtM cannot read ("1,5": one and a half, or
    fifteen?) stays as written."""
    text = str(value)
    if isinstance(value, str):
        try:
            text = registry.number.parse(value)[0] or ""
        except (AttributeError, ValueError, TypeError):
            text = ""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    loc = _locale(lang)
    pattern = copy.copy(loc.decimal_formats[None])
    pattern.frac_prec = (0, 0) if d == d.to_integral_value() else (2, 2)
    return formats.local_digits(str(pattern.apply(d, loc)), formats.Reader(lang or "en"))


def day(value: str, lang: str, *, with_time: bool = True) -> str:
    """An FtM date ("2026", "2026-05", "2026-05-03", "2026-05-03T14:20") as the reader writes
    it ("2026", "May 2026", "May 3, 2026", "May 3, 2026 2:20 PM"; the time, as written, left
    out `with_time=False`); anything else as written."""
    text = value.strip()
    reader = formats.Reader(lang or "en")
    loc = reader.locale
    try:
        if len(text) == 4 and text.isdigit():
            return formats.local_digits(text, reader)
        if len(text) == 7:
            shown = str(format_skeleton("yMMM", date.fromisoformat(text + "-01"), locale=loc))
        else:
            shown = str(format_date(date.fromisoformat(text[:10]), "medium", locale=loc))
        if with_time and len(text) >= 16 and text[10] == "T":
            moment = time(int(text[11:13]), int(text[14:16]))
            shown += " " + str(format_time(moment, "short", locale=loc))
        return formats.local_digits(shown, reader)
    except ValueError:
        return value


def country(code: str, lang: str) -> str:
    """A country's name for the reader ("pk" → "Pakistan"); FtM's own codes that are no ISO
    country ("zz", "suhh") by FtM's English label; the code when nobody knows it."""
    try:
        return countries.country_name(code, lang)
    except InvalidInput:
        return str(registry.country.caption(code.lower()) or code)


def value(
    prop: Property | None, raw: str, lang: str, names: Mapping[str, str] | None = None
) -> str:
    """A property value as the reader reads it: countries named, dates and numbers in their
    conventions, a linked entity by its caption (`names`, by id)."""
    if prop is None:
        return raw
    kind = prop.type
    if kind is registry.country:
        return country(raw, lang)
    if kind is registry.date:
        return day(raw, lang)
    if kind is registry.number:
        return number(raw, lang)
    if kind is registry.entity and names:
        return names.get(raw, raw)
    return raw


def prop_value(schema: str, prop: str, raw: str, lang: str) -> str:
    sch = model.get(schema)
    return value(sch.get(prop) if sch is not None else None, raw, lang)


def key_facts(entity: Entity, lang: str, *, identifiers: bool = False) -> list[tuple[str, str]]:
    """(label, values) of what the schema features (a person's nationality and birth date),
    with, for a search hit, its identifiers too (passport, ID and phone numbers)."""
    sch = model.get(entity.schema)
    if sch is None:
        return []
    props = entity.properties or {}
    names = list(sch.featured)
    if identifiers:
        names += sorted(p.name for p in sch.properties.values() if p.type in IDENTIFIER_TYPES)
    out = []
    for name in dict.fromkeys(names):
        prop = sch.get(name)
        values = props.get(name)
        if values and name != "name" and prop is not None and prop.type is not registry.entity:
            shown = ", ".join(value(prop, v, lang) for v in values[:FACT_VALUES])
            out.append((pgettext("entity", str(prop.label)), shown))
    return out[: HIT_FACTS if identifiers else FACTS]


# --- captions -----------------------------------------------------------------------------------


def _end_props(sch: Schema) -> list[str]:
    if sch.name in ENDS:
        return list(ENDS[sch.name])
    if sch.edge and sch.source_prop is not None and sch.target_prop is not None:
        return [sch.source_prop.name, sch.target_prop.name]
    return []


def ends(entity: Entity) -> list[str]:
    """The ids of the entities a relation, call or trip links (source first)."""
    sch = model.get(entity.schema)
    if sch is None:
        return []
    props = entity.properties or {}
    return [v for n in _end_props(sch) for v in props.get(n, [])[:1]]


def captions_of(session: Session, entities: Iterable[Entity]) -> dict[str, str]:
    """The captions of the entities these link, by id (what `label` names the ends with)."""
    refs = {e for ent in entities for e in ends(ent)}
    if not refs:
        return {}
    rows = session.execute(select(Entity.id, Entity.caption).where(Entity.id.in_(sorted(refs))))
    return {eid: caption for eid, caption in rows}


def _when(sch: Schema, props: Mapping[str, list[str]], lang: str) -> str:
    if not sch.is_a("Interval") or sch.is_a("Identification"):
        return ""  # a passport's dates are its validity, not when something happened
    first = (props.get("date") or props.get("startDate") or [""])[0]
    last = (props.get("endDate") or [""])[0]
    start, end = (day(v, lang, with_time=False) if v else "" for v in (first, last))
    if start and end and end != start:
        return _("%(start)s – %(end)s") % {"start": start, "end": end}
    return start or end


def _qualifier(sch: Schema, props: Mapping[str, list[str]], lang: str) -> tuple[str, str]:
    """(how much, what kind): a payment's amount and currency; a relation's kind or role."""
    amount = (props.get("amount") or [""])[0] if sch.is_a("Payment") else ""
    if amount:
        currency = (props.get("currency") or [""])[0].upper()
        shown = number(amount, lang)
        if currency:
            shown = _("%(amount)s %(currency)s") % {"amount": shown, "currency": currency}
        return shown, ""
    for name in QUALIFIERS:
        if sch.get(name) is not None and props.get(name):
            return "", props[name][0]
    return "", ""


def _end_text(props: Mapping[str, list[str]], prop: str, names: Mapping[str, str]) -> str:
    for ref in props.get(prop, [])[:1]:
        if ref in names:
            return names[ref]
    number_prop = END_NUMBERS.get(prop)
    if number_prop and props.get(number_prop):
        return props[number_prop][0]
    return ""


def label(entity: Entity, names: Mapping[str, str], lang: str) -> str:
    """What a list shows for an entity. A relation, call, payment or trip reads by what it
    links ("Associate (brother): Haji Karim → Reza Ahmadi", "Payment 7,500,000 PKR: A → B,
    May 3, 2026"; `names`: captions by id, `captions_of`); an event without a name by its type
    and date; anything else by its caption."""
    sch = model.get(entity.schema)
    if sch is None:
        return entity.caption
    props = entity.properties or {}
    when = _when(sch, props, lang)
    end_props = _end_props(sch)
    if props.get("name") or not (end_props or when):
        text = entity.caption
    elif end_props:
        text = _linked(sch, props, end_props, names, lang)
    else:
        dates = {v for p in ("date", "startDate", "endDate") for v in props.get(p, [])}
        text = sch.label if entity.caption in dates or entity.caption == sch.label else ""
        text = text or entity.caption
    if when and when not in text:
        text = _("%(caption)s, %(date)s") % {"caption": text, "date": when}
    return text


def _linked(
    sch: Schema,
    props: Mapping[str, list[str]],
    end_props: list[str],
    names: Mapping[str, str],
    lang: str,
) -> str:
    amount, kind = _qualifier(sch, props, lang)
    head = sch.label
    if amount:
        head = _("%(type)s %(amount)s") % {"type": head, "amount": amount}
    elif kind:
        head = _("%(type)s (%(kind)s)") % {"type": head, "kind": kind}
    source, target = (_end_text(props, p, names) for p in end_props)
    if not source and not target:
        return head
    unknown = _("unknown")
    return _("%(type)s: %(source)s → %(target)s") % {
        "type": head,
        "source": source or unknown,
        "target": target or unknown,
    }


# --- partner nodes ------------------------------------------------------------------------------


class Origin(NamedTuple):
    """A node as people know it: the name on its card and its country (ISO code; the page
    names it in the reader's language, `country`)."""

    name: str
    country: str


def origins(
    session: Session, *, actor: Principal, node_id: str, own: tuple[str, str]
) -> dict[str, Origin]:
    """This node (`own`: its name and country code) and every peer by node id, as their cards
    name them."""
    out = {p.node_id: Origin(p.name, p.country) for p in list_peers(session, actor=actor)}
    out[node_id] = Origin(*own)
    return out


def origin_of(known: Mapping[str, Origin], node_id: str) -> Origin:
    """A node by its name; one this node no longer knows (a removed peer) by its id."""
    return known.get(node_id) or Origin(node_id, "")
