"""What a hit/no-hit check compares: normalised selectors and whole-name keys, as OPRF inputs.

A selector is a (type, value) in its normal form (a phone in E.164 whatever notation it was
typed in, a document number in capitals without separators…). Names become whole-name keys:
one key per combination of its parts' spellings (`names.part_alternatives`: the name a part is
known to be, else its loose consonant skeleton, so محمد آصف خان, Muhammad Asif Khan and Mohd
Asif Khan share a key), parts in any order, and for names of three parts or more the keys
without one of them ("M. Asif Khan" meets "Muhammad Asif Khan"; see `asked_name_values`).

Qualifiers narrow a value without losing a partner who lacks them. A holder indexes each
value unqualified (``*``) and, where it knows it, qualified (a document's issuing state, a
plate's country, a person's birth-year bands) or marked as lacking it (``-``); a querier who
knows the qualifier asks for it and for ``-``, one who does not asks for ``*``. So a passport
number asked with the wrong issuing state does not hit, and one asked without any still does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from followthemoney import EntityProxy

from corridor.entities.normalize import normalize_identifier, selector_values
from corridor.entities.search.names import INITIAL_KEY, part_alternatives
from corridor.errors import InvalidInput

# The selector types a check names (the API's `type`), and the normaliser kinds behind them.
TYPES: tuple[str, ...] = (
    "phone", "email", "document", "account", "imei", "imsi", "iccid", "imo", "mmsi", "plate",
    "handle", "name",
)  # fmt: skip
KIND_TYPE = {
    "phone": "phone",
    "email": "email",
    "document": "document",
    "iban": "account",
    "bank_account": "account",
    "imei": "imei",
    "imsi": "imsi",
    "iccid": "iccid",
    "imo": "imo",
    "mmsi": "mmsi",
    "plate": "plate",
    "account": "handle",
}
# Types a country qualifies (a passport number is unique only within its issuing state).
COUNTRY_QUALIFIED = frozenset({"document", "plate"})
# Birth years are often estimated (1 January of a guessed year) and off by one or two. A name
# is filed under two bands of five years, one grid shifted by two from the other, and asked
# for with the same two: years two apart or less always share a band of one grid (years up
# to four apart may), at two inputs a name key instead of the five exact years would take.
BIRTH_BAND = 5
BIRTH_SHIFT = 2
# A name of many parts spelled many ways: at most this many whole-name keys (the most
# specific first), so one name cannot flood an index or a holder's quota.
MAX_NAME_KEYS = 24
VERSION = b"corridor-hit/1"
# A one-part name keeps its loose skeleton only when that has four letters or more (tuned on
# the tuning half of the Arabic-Latin pairs, bench/RESULTS.md section 15).
LOOSE_ALONE = 4


@dataclass(frozen=True)
class Selector:
    type: str
    value: str  # normal form (for a name: one whole-name key)
    qualifier: str = "*"  # "*", "-" or "c:PK" / "y:396"

    def oprf_input(self) -> bytes:
        return b"|".join(
            (VERSION, self.type.encode(), self.qualifier.encode(), self.value.encode("utf-8"))
        )


def _combined(groups: list[list[tuple[str, ...]]], limit: int) -> list[str]:
    keys: dict[str, None] = {}
    for group in groups:
        for combo in itertools.product(*group):
            keys["+".join(sorted(combo))] = None
            if len(keys) >= limit:
                return list(keys)
    return list(keys)


def name_keys(name: str) -> tuple[list[str], list[str]]:
    """(whole-name keys, keys of the name less one part) of a name in any script, both empty
    when no part has a key.

    Initials count as parts (`_m`), so "N. Aef" is not filed as the one-word name "Aef"; a name
    with initials also has the whole key of its other parts when two or more are left ("M. Asif
    Khan" is also "Asif Khan"). Keys less one part drop one part that is not an initial, and
    only from names with three or more such parts."""
    parts = part_alternatives(name, initials=True)
    if len(parts) == 1 and min(len(k) for k in parts[0]) < LOOSE_ALONE:
        # A short one-part name has only its few letters to tell it from others: its exact
        # skeleton, not the loose one that merges many short names.
        parts = part_alternatives(name, initials=True, loose=False)
    core = [p for p in parts if not p[0].startswith(INITIAL_KEY)]
    if not core:
        return [], []
    groups = [parts]
    if len(core) < len(parts) and len(core) >= 2:
        groups.append(core)
    full = _combined(groups, MAX_NAME_KEYS)
    if len(core) < 3:
        return full, []
    less_one = [core[:i] + core[i + 1 :] for i in range(len(core))]
    return full, [k for k in _combined(less_one, MAX_NAME_KEYS) if k not in full]


def held_name_values(name: str) -> list[str]:
    """What a holder files a name under: its whole keys ("f:") and, so that a shorter name
    asked finds it, its keys less one part ("p:")."""
    full, partial = name_keys(name)
    return [f"f:{k}" for k in full] + [f"p:{k}" for k in partial]


def asked_name_values(name: str) -> list[str]:
    """What a querier asks for a name: its whole keys against the holder's whole and shorter
    keys, and its keys less one part against whole names only, so two different names of
    three parts that share two (Muhammad Asif Khan, Ali Asif Khan) never meet."""
    full, partial = name_keys(name)
    return [f"f:{k}" for k in full] + [f"p:{k}" for k in full] + [f"f:{k}" for k in partial]


def bands(year: int) -> list[str]:
    """The two birth-year bands of a year (see BIRTH_BAND)."""
    return [f"y:{year // BIRTH_BAND}", f"z:{(year + BIRTH_SHIFT) // BIRTH_BAND}"]


def _held(type_: str, value: str, qualifier: str | None) -> Iterator[Selector]:
    """A holder's entries for one value: unqualified, and for a type a country qualifies,
    qualified or marked as lacking it."""
    yield Selector(type_, value, "*")
    if type_ in COUNTRY_QUALIFIED:
        yield Selector(type_, value, qualifier or "-")


def _asked(type_: str, value: str, qualifiers: list[str] | None) -> Iterator[Selector]:
    """A querier's inputs for one value: its qualifiers and "lacking", or unqualified."""
    if not qualifiers:
        yield Selector(type_, value, "*")
        return
    for q in qualifiers:
        yield Selector(type_, value, q)
    yield Selector(type_, value, "-")


def _birth_years(proxy: EntityProxy) -> list[int]:
    years = []
    for value in proxy.get("birthDate", quiet=True):
        if len(value) >= 4 and value[:4].isdigit():
            years.append(int(value[:4]))
    return sorted(set(years))


def _single_country(proxy: EntityProxy) -> str | None:
    countries = {c.upper() for c in proxy.countries if len(c) == 2}
    return next(iter(countries)) if len(countries) == 1 else None


def of_entity(proxy: EntityProxy, default_region: str | None = None) -> list[Selector]:
    """A holder's index entries for one entity: its selectors and, for a person, its names."""
    out: dict[Selector, None] = {}
    country = _single_country(proxy)
    for kind, value in selector_values(proxy, default_region):
        type_ = KIND_TYPE.get(kind)
        if type_ is None:
            continue
        qualifier = f"c:{country}" if type_ in COUNTRY_QUALIFIED and country else None
        out.update(dict.fromkeys(_held(type_, value, qualifier)))
    if proxy.schema.is_a("Person"):
        years = _birth_years(proxy)
        for name in proxy.names:
            for key in held_name_values(name):
                out[Selector("name", key, "*")] = None
                if years:
                    out.update(
                        dict.fromkeys(Selector("name", key, b) for y in years for b in bands(y))
                    )
                else:
                    out[Selector("name", key, "-")] = None
    return list(out)


def of_query(
    type_: str,
    value: str,
    *,
    country: str | None = None,
    birth_year: int | None = None,
    default_region: str | None = None,
) -> list[Selector]:
    """A querier's inputs for one selector as a person typed it: a phone in any national
    notation (read with `country`, else `default_region`: the asking node's country), a name
    in any script. InvalidInput names what is wrong."""
    if type_ not in TYPES:
        raise InvalidInput(f"type: {type_!r} is not one of {', '.join(TYPES)}", field="type")
    value = value.strip()
    if not value:
        raise InvalidInput("value: empty", field="value")
    country = country.upper() if country else None
    if type_ == "name":
        keys = asked_name_values(value)
        if not keys:
            raise InvalidInput("value: this name has no part that can be compared", field="value")
        asked = bands(birth_year) if birth_year else None
        return [s for k in keys for s in _asked("name", k, asked)]
    kind = next(k for k, t in KIND_TYPE.items() if t == type_ and k != "bank_account")
    normal = normalize_identifier(kind, value, country or default_region)
    if normal is None and type_ == "account":
        normal = normalize_identifier("bank_account", value)
    if normal is None:
        hint = " (give its country for a national number)" if type_ == "phone" else ""
        raise InvalidInput(f"value: not a valid {type_}{hint}", field="value")
    qualifiers = [f"c:{country}"] if type_ in COUNTRY_QUALIFIED and country else None
    return list(_asked(type_, normal, qualifiers))


def inputs(selectors: Iterable[Selector]) -> list[bytes]:
    return [s.oprf_input() for s in selectors]


def queries_of_entity(
    proxy: EntityProxy, default_region: str | None = None
) -> list[tuple[str, str, str | None, int | None]]:
    """What to ask the network about one of our entities: (type, value, country, birth year)
    for each selector and, for a person, each name (with its birth year when it has one)."""
    out: dict[tuple[str, str, str | None, int | None], None] = {}
    country = _single_country(proxy)
    for kind, value in selector_values(proxy, default_region):
        type_ = KIND_TYPE.get(kind)
        if type_ is not None:
            out[(type_, value, country if type_ in COUNTRY_QUALIFIED else None, None)] = None
    if proxy.schema.is_a("Person"):
        years = _birth_years(proxy)
        for name in proxy.names:
            if asked_name_values(name):
                out[("name", name, None, years[0] if len(years) == 1 else None)] = None
    return list(out)
