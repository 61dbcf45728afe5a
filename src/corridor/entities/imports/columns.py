"""Column-to-property mappings: how the rows of a spreadsheet become FtM entities.

A mapping names one or more entities per row, in the style of FtM's own mapping files::

    {"entities": {
        "person": {"schema": "Person", "keys": ["passport_no", "full_name"],
                   "properties": {"name": {"column": "full_name"},
                                  "birthDate": {"column": "dob", "format": "%d/%m/%Y"},
                                  "phone": {"columns": ["phone1", "phone2"]}}},
        "passport": {"schema": "Passport", "keys": ["passport_no"], "optional": true,
                     "properties": {"number": {"column": "passport_no"},
                                    "holder": {"entity": "person"}}}}}

FtM's ``followthemoney.mapping`` implements the same idea, but it is built around a data source
(CSV URL or SQL query), drops values it cannot clean with a log warning, and derives ids from
the key values alone. An import needs the opposite on each point: rows from any reader, a row
that is rejected whole with the reason, and ids that differ per case and per mapped entity. So
the format is kept and the engine is our own, with FtM's property types doing the cleaning.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import phonenumbers
from followthemoney import EntityProxy, Property, Schema
from followthemoney.types import registry
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from corridor.entities.ftm import SUPPORTED, UNREAD, model
from corridor.errors import InvalidInput
from corridor.tabular.rows import Row, RowError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")


class PropertyMap(BaseModel):
    """Where one property's values come from: exactly one of ``column``, ``columns``, ``const``
    (literal values) or ``entity`` (another mapped entity of the same row)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    column: str | None = None
    columns: list[str] = Field(default_factory=list)
    const: str | list[str] | None = None
    entity: str | None = None
    format: str | list[str] | None = None
    """Dates: strptime pattern(s) tried in turn (ISO 8601 is always accepted too). Phones: the
    country numbers in national notation are dialled in (overrides the node's country)."""
    split: str | None = None
    """Separator of several values in one cell, e.g. ";"."""
    join: str | None = None
    """Joins the values of ``columns`` into one value, e.g. first and last name with " "."""

    @model_validator(mode="after")
    def _one_source(self) -> PropertyMap:
        sources = [self.column is not None, bool(self.columns), self.const is not None]
        sources.append(self.entity is not None)
        if sum(sources) != 1:
            raise ValueError("give exactly one of column, columns, const or entity")
        if self.entity is not None and (self.format or self.split or self.join):
            raise ValueError("format, split and join do not apply to an entity reference")
        if self.join is not None and not self.columns:
            raise ValueError("join applies to columns (several columns into one value)")
        if self.split == "":
            raise ValueError("split must be a non-empty separator")
        return self

    def source_columns(self) -> list[str]:
        return [self.column] if self.column is not None else list(self.columns)

    def consts(self) -> list[str]:
        if self.const is None:
            return []
        return [self.const] if isinstance(self.const, str) else list(self.const)

    def formats(self) -> list[str]:
        if self.format is None:
            return []
        return [self.format] if isinstance(self.format, str) else list(self.format)


class EntityMap(BaseModel):
    """One entity built from each row. Its id derives from the ``keys`` columns; an ``optional``
    entity whose keys are all empty is left out of that row instead of failing it."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )

    schema_name: str = Field(alias="schema")
    keys: list[str] = Field(min_length=1)
    optional: bool = False
    properties: dict[str, PropertyMap] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _PropPlan:
    prop: Property
    columns: tuple[str, ...]
    consts: tuple[str, ...]
    entity: str | None
    formats: tuple[str, ...]
    split: str | None
    join: str | None
    region: str | None
    type_name: str
    is_phone: bool


@dataclass(frozen=True, slots=True)
class _EntityPlan:
    name: str
    schema: Schema
    keys: tuple[str, ...]
    optional: bool
    props: tuple[_PropPlan, ...]


class Mapping(BaseModel):
    """A saved, reusable column-to-property mapping, checked against the FtM model when it is
    built. Check it against a file's columns with ``check_columns``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entities: dict[str, EntityMap] = Field(min_length=1)
    _plan: tuple[_EntityPlan, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _compile(self) -> Mapping:
        self._plan = _compile(self)
        return self

    def columns(self) -> list[str]:
        """Every column the mapping reads, in first-use order."""
        seen: dict[str, None] = {}
        for entity in self.entities.values():
            seen.update(dict.fromkeys(entity.keys))
            for prop in entity.properties.values():
                seen.update(dict.fromkeys(prop.source_columns()))
        return list(seen)

    def check_columns(self, headers: Sequence[str]) -> None:
        """Raise InvalidInput naming the mapped columns the file lacks and the ones it has."""
        present = set(headers)
        missing = [c for c in self.columns() if c not in present]
        if missing:
            raise InvalidInput(
                f"the file has no column(s) {', '.join(map(repr, missing))}; "
                f"its columns are {', '.join(map(repr, headers))}"
            )


def parse_mapping(data: str | bytes | dict[str, Any]) -> Mapping:
    """A mapping from JSON text or a decoded JSON object; InvalidInput lists every problem."""
    try:
        if isinstance(data, str | bytes):
            return Mapping.model_validate_json(data)
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise InvalidInput("invalid mapping: " + "; ".join(problems)) from None


# ---------------------------------------------------------------------------------------------
# Checking a mapping against the FtM model


def _region(value: str) -> str:
    """A phonenumbers region code from a country code or name ("pk", "PAK", "Pakistan")."""
    code = value.upper() if len(value) == 2 else registry.country.clean(value)
    if code is None or code.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{value!r} is not a country with a telephone numbering plan")
    return code.upper()


def _compile_prop(
    entity: str, schema: Schema, name: str, spec: PropertyMap, mapping: Mapping
) -> _PropPlan:
    where = f"{entity}.{name}"
    prop = schema.get(name)
    if prop is None or prop.stub:
        own = sorted(n for n, p in schema.properties.items() if not p.stub)
        raise ValueError(f"{where}: {schema.name} has no property {name!r}; it has {own}")
    region = None
    if prop.type == registry.entity:
        if spec.entity is None:
            raise ValueError(f"{where}: an entity property takes {{'entity': NAME}}")
        target = mapping.entities.get(spec.entity)
        if target is None:
            raise ValueError(
                f"{where}: no mapped entity {spec.entity!r}; mapped: {sorted(mapping.entities)}"
            )
        target_schema = model.get(target.schema_name)
        if (
            prop.range is not None
            and target_schema is not None
            and not target_schema.is_a(prop.range)
        ):
            raise ValueError(f"{where}: must be a {prop.range.name}, not a {target_schema.name}")
    elif spec.entity is not None:
        raise ValueError(f"{where}: is a {prop.type.name}, not an entity reference")
    if spec.format is not None:
        if prop.type == registry.phone:
            if len(spec.formats()) != 1:
                raise ValueError(f"{where}: a phone format is one country")
            region = _region(spec.formats()[0])
        elif prop.type != registry.date:
            raise ValueError(f"{where}: format applies to dates and phones only")
    consts = []
    for value in spec.consts():
        if prop.type == registry.phone:
            cleaned = _clean_phone(value, (region,) if region else ())
        else:
            cleaned = _clean_value(prop.type.name, value, tuple(spec.formats()))
        if cleaned is None:
            raise ValueError(f"{where}: {value!r} is not a valid {prop.type.name}")
        consts.append(cleaned)
    return _PropPlan(
        prop=prop,
        columns=tuple(spec.source_columns()),
        consts=tuple(consts),
        entity=spec.entity,
        formats=tuple(spec.formats()),
        split=spec.split,
        join=spec.join,
        region=region,
        type_name=prop.type.name,
        is_phone=prop.type == registry.phone,
    )


def _order(mapping: Mapping) -> list[str]:
    """Entity names with every referenced entity before those referring to it."""
    deps = {
        name: {p.entity for p in spec.properties.values() if p.entity is not None}
        for name, spec in mapping.entities.items()
    }
    ordered: list[str] = []
    while len(ordered) < len(deps):
        ready = [n for n, d in deps.items() if n not in ordered and d <= set(ordered)]
        if not ready:
            stuck = sorted(n for n in deps if n not in ordered)
            raise ValueError(f"entities {stuck} refer to each other in a cycle")
        ordered.extend(ready)
    return ordered


def _compile(mapping: Mapping) -> tuple[_EntityPlan, ...]:
    plans: dict[str, _EntityPlan] = {}
    for name, spec in mapping.entities.items():
        if not _NAME.match(name):
            raise ValueError(
                f"entity name {name!r}: use letters, digits, '_' or '-', starting with a letter"
            )
        schema = model.get(spec.schema_name)
        if schema is None or schema.name not in SUPPORTED:
            raise ValueError(
                f"{name}: unknown schema {spec.schema_name!r}; use one of {', '.join(SUPPORTED)}"
            )
        props = [_compile_prop(name, schema, p, s, mapping) for p, s in spec.properties.items()]
        unmapped = sorted(set(schema.required) - set(spec.properties))
        if unmapped:
            raise ValueError(f"{name}: a {schema.name} needs {unmapped}; map them")
        # Countries go first: they are the fallback hints for national phone numbers.
        props.sort(key=lambda p: p.prop.type != registry.country)
        plans[name] = _EntityPlan(name, schema, tuple(spec.keys), spec.optional, tuple(props))
    return tuple(plans[n] for n in _order(mapping))


# ---------------------------------------------------------------------------------------------
# Cleaning values with FtM's types


# A numeric date format with a separator between day, month and year (%d/%m/%Y, %Y-%m-%d...).
_NUMERIC_DATE_FORMAT = re.compile(r"^(%[dmY])([/.\-])(%[dmY])\2(%[dmY])$")
_DATE_FIELDS = {"%d": "([0-9]{1,2})", "%m": "([0-9]{1,2})", "%Y": "([0-9]{4})"}


@lru_cache(maxsize=64)
def _numeric_date_pattern(fmt: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    found = _NUMERIC_DATE_FORMAT.match(fmt)
    if found is None:
        return None
    fields = (found.group(1), found.group(3), found.group(4))
    if sorted(fields) != ["%Y", "%d", "%m"]:
        return None
    sep = re.escape(found.group(2))
    return re.compile(sep.join(_DATE_FIELDS[f] for f in fields)), fields


def _numeric_date(value: str, fmt: str) -> str | None:
    """`registry.date.clean(value, format=fmt)` for the common numeric formats without strptime
    (which costs most of mapping a row): the ISO date, "" when the value has the format's
    fields but names no real day (strptime fails on it too), None when it cannot tell (strptime
    decides). The separators delimit the fields, so both read the same digits as the same
    fields; ASCII digits only, as strptime also reads other scripts' digits."""
    pattern = _numeric_date_pattern(fmt)
    if pattern is None:
        return None
    regex, fields = pattern
    found = regex.fullmatch(value)
    if found is None:
        return None
    parts = dict(zip(fields, map(int, found.groups()), strict=True))
    try:
        day = date(parts["%Y"], parts["%m"], parts["%d"])
    except ValueError:
        return ""
    return day.isoformat()


def _clean_date(value: str, fmt: str) -> str | None:
    fast = _numeric_date(value, fmt)
    if fast is not None:
        return fast or None
    return registry.date.clean(value, format=fmt)


@lru_cache(maxsize=65536)
def _clean_value(type_name: str, value: str, formats: tuple[str, ...]) -> str | None:
    """A value cleaned by its FtM type (cached: country lookups cost about a millisecond)."""
    kind = registry.get(type_name)
    if kind is None:  # pragma: no cover - names come from the model's own properties
        return None
    if kind == registry.date:
        for fmt in formats:
            cleaned = _clean_date(value, fmt)
            if cleaned:
                return cleaned
    cleaned = kind.clean(value)
    if cleaned is not None and len(cleaned) > kind.max_length:
        return None
    return cleaned


@lru_cache(maxsize=65536)
def _clean_phone(value: str, regions: tuple[str, ...]) -> str | None:
    """E.164 from international notation, else from national notation in the first region
    where the number is valid (FtM's phone type only knows one region)."""
    # A leading + makes phonenumbers ignore the region: one parse is enough.
    for region in (None,) if value.startswith("+") else regions:
        try:
            parsed = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def _reason(plan: _PropPlan, value: str, regions: Sequence[str]) -> str:
    kind = plan.prop.type
    shown = value if len(value) <= 60 else value[:57] + "..."
    if kind == registry.date:
        expected = ", ".join([*plan.formats, "YYYY-MM-DD"])
        return f"{shown!r} is not a date ({expected}) for {plan.prop.name}"
    if kind == registry.phone:
        where = f" or in national notation of {', '.join(regions)}" if regions else ""
        return f"{shown!r} is not a valid phone number in international notation{where}"
    if kind == registry.country:
        return f"{shown!r} is not a known country (name or ISO code) for {plan.prop.name}"
    if len(value) > kind.max_length:
        return f"{plan.prop.name} takes at most {kind.max_length} characters"
    return f"{shown!r} is not a valid {kind.name} for {plan.prop.name}"


def _key_text(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join(value.split())).casefold()


def entity_id(namespace: str, entity: str, keys: Sequence[tuple[str, str]]) -> str:
    """The id of a mapped entity: a SHA-1 over the namespace (the case), the mapping's entity
    name and the (column, value) key pairs in column order; values are compared with whitespace
    collapsed and case folded, so re-importing a file (or a re-typed copy) finds the same ids."""
    # Length-prefixed, so that no choice of values can make two different keys hash alike.
    parts = [namespace, entity]
    for column, value in sorted(keys):
        parts += (column, _key_text(value))
    data = "".join(f"{len(p)}:{p}" for p in parts).encode()
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@lru_cache(maxsize=256)
def _default_regions(default_region: str | None) -> tuple[str, ...]:
    if default_region is None:
        return ()
    try:
        return (_region(default_region),)
    except ValueError as exc:
        raise InvalidInput(f"default_region: {exc}") from None


def _cell_values(plan: _PropPlan, row: Row) -> list[tuple[str | None, str]]:
    """(column, raw value) pairs for one property, split and joined as mapped."""
    if plan.join is None and plan.split is None:  # the common case, once per cell of a file
        return [(c, v) for c in plan.columns if (v := row.values.get(c, "").strip())]
    if plan.join is not None:
        joined = plan.join.join(v for c in plan.columns if (v := row.values.get(c, "")))
        cells = [(plan.columns[0], joined)]
    else:
        cells = [(c, row.values.get(c, "")) for c in plan.columns]
    if plan.split is not None:
        cells = [(c, part) for c, v in cells for part in v.split(plan.split)]
    return [(c, v.strip()) for c, v in cells if v.strip()]


# How much of a value that could not be read is kept beside the entity (FtM's string limit
# leaves room for the property name before it).
UNREAD_KEPT_CHARS = 900


def _unread(prop: _PropPlan, value: str) -> str:
    shown = value if len(value) <= UNREAD_KEPT_CHARS else value[: UNREAD_KEPT_CHARS - 1] + "…"
    return f"{prop.prop.name}: {shown}"


# Values that identify an entity without its name: a row that has one is kept even when a
# required property (a Person's name) is empty.
_IDENTIFYING = frozenset({registry.identifier, registry.email, registry.phone})


def _identifiers(proxy: EntityProxy) -> str:
    """The identifying properties the entity has, by label ("" when none)."""
    return ", ".join(
        sorted({p.label for p, _ in proxy.itervalues() if p.type in _IDENTIFYING and not p.stub})
    )


def apply(
    mapping: Mapping, row: Row, *, namespace: str, default_region: str | None
) -> list[EntityProxy] | RowError:
    """The row's entities, as :func:`apply_row` maps them, without the values set aside."""
    mapped = apply_row(mapping, row, namespace=namespace, default_region=default_region)
    return mapped if isinstance(mapped, RowError) else mapped[0]


def apply_row(
    mapping: Mapping, row: Row, *, namespace: str, default_region: str | None
) -> tuple[list[EntityProxy], list[RowError]] | RowError:
    """The row's entities (referenced entities before those referring to them) and the values
    set aside, or the problem that makes the row unusable: all keys of a non-optional entity
    empty, or an entity with no value at all. An entity that lacks a required property but has
    other values (a Person known by an e-mail, or only by a birth date and a place: someone not
    yet identified) is kept and reported (``kept``), so that someone adds what it lacks.

    A value its type rejects (a date that does not exist, a phone number that is not one, an
    unknown country, too much text) does not cost the row: it is kept as typed in the entity's
    ``unreadValue`` ("birthDate: 31/02/1980"), shown on the entity and correctable there, and
    reported as a ``kept`` RowError naming its column. An optional entity whose keys are empty
    is left out, and so is an entity whose required reference (e.g. an Associate's ``person``)
    points at it. Columns the row lacks read as empty: check the file first with
    ``Mapping.check_columns``.

    Phones in national notation are read as dialled in the property's ``format`` country, else
    ``default_region`` (the node's country), else a country of the entity (e.g. nationality)."""
    if not namespace:
        raise InvalidInput("namespace (the case id) must not be empty")
    base_regions = _default_regions(default_region)
    ids: dict[str, str] = {}
    entities: list[EntityProxy] = []
    kept: list[RowError] = []
    for plan in mapping._plan:
        keys = [(c, row.values.get(c, "")) for c in plan.keys]
        if not any(v.strip() for _, v in keys):
            if plan.optional:
                continue
            return RowError(
                row.number,
                plan.keys[0] if len(plan.keys) == 1 else None,
                f"{plan.name}: the key column(s) {', '.join(plan.keys)} are all empty",
            )
        proxy = EntityProxy(plan.schema, {})
        proxy.id = entity_id(namespace, plan.name, keys)
        left_out = False
        set_aside: list[tuple[str, RowError]] = []  # (property, why its value was not read)
        for prop in plan.props:
            if prop.entity is not None:
                if prop.entity in ids:
                    proxy.unsafe_add(prop.prop, ids[prop.entity], cleaned=True)
                elif prop.prop.name in plan.schema.required:
                    left_out = True  # refers to an optional entity absent from this row
                continue
            for value in prop.consts:
                proxy.unsafe_add(prop.prop, value, cleaned=True)
            regions: tuple[str, ...] = ()
            if prop.is_phone:
                regions = (prop.region,) if prop.region else base_regions
                regions += tuple(c.upper() for c in proxy.countries if len(c) == 2)
            for column, value in _cell_values(prop, row):
                if prop.is_phone:
                    cleaned = _clean_phone(value, regions)
                else:
                    cleaned = _clean_value(prop.type_name, value, prop.formats)
                if cleaned is None:
                    reason = _reason(prop, value, regions)
                elif proxy.unsafe_add(prop.prop, cleaned, cleaned=True) is None:
                    reason = f"too much text for {prop.prop.name}"
                else:
                    continue
                proxy.unsafe_add(plan.schema.properties[UNREAD], _unread(prop, value), cleaned=True)
                set_aside.append((prop.prop.name, RowError(row.number, column, reason)))
        if left_out:
            continue
        missing = sorted(p for p in plan.schema.required if not proxy.has(p))
        if missing:
            needs = f"{plan.name}: a {plan.schema.name} needs {', '.join(missing)}"
            if not any(True for p, _ in proxy.itervalues() if not p.stub):
                # Nothing at all: a required value that could not be read is the reason.
                unread = [err for name, err in set_aside if name in missing]
                return unread[0] if unread else RowError(row.number, None, needs)
            # Known by an identifier (an e-mail, a document number) or only by what the row
            # says (a birth date and a place: someone not yet identified): kept, and said, so
            # that someone adds the name.
            known_by = _identifiers(proxy)
            said = f"known by {known_by}" if known_by else "kept without it"
            set_aside.append(("", RowError(row.number, None, f"{needs}; {said}")))
        ids[plan.name] = proxy.id
        entities.append(proxy)
        kept.extend(
            RowError(
                err.row, err.column, f"{err.reason}; kept as typed" if name else err.reason, True
            )
            for name, err in set_aside
        )
    return entities, kept


# Day first before month first: most of the world writes dates that way.
DATE_FORMATS = (
    "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m/%d/%Y", "%Y/%m/%d", "%d/%m/%y", "%d.%m.%y", "%Y%m%d",
)  # fmt: skip


def guess_date_format(values: Sequence[str]) -> str | None:
    """The first of ``DATE_FORMATS`` that reads every non-empty sample value, or None when the
    values are ISO dates already (or no format reads them all)."""
    samples = [v for v in values if v]
    if not samples or all(_clean_value("date", v, ()) for v in samples):
        return None
    for fmt in DATE_FORMATS:
        if all(_clean_value("date", v, (fmt,)) for v in samples):
            return fmt
    return None
