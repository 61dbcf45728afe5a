"""The FollowTheMoney model as corridor uses it: FtM's own schemata plus corridor's extension
schemata (``entities/schema/*.yaml``), loaded once into FtM's model singleton.

Import ``model`` from here, never ``followthemoney.model`` directly, so the extension is loaded
before any entity is built.
"""

from __future__ import annotations

from pathlib import Path
from threading import Lock
from typing import Any, cast

from followthemoney import EntityProxy, Schema
from followthemoney import model as _model
from followthemoney.property import Property, PropertySpec
from followthemoney.types import registry

from corridor.entities.normalize import normalize_phone
from corridor.entities.schemas import ID_RE
from corridor.errors import InvalidInput

EXTENSION_DIR = Path(__file__).parent / "schema"

# The schemata an investigator creates directly; relations (edges) come last.
SUPPORTED = (
    "Person",
    "Organization",
    "Company",
    "Passport",
    "Identification",
    "BankAccount",
    "Vessel",
    "Vehicle",
    "UserAccount",
    "MobileDevice",
    "Address",
    "Event",
    "Trip",
    "Call",
    "Payment",
    "Associate",
    "Family",
    "Membership",
    "Ownership",
    "UnknownLink",
)

_lock = Lock()


def _extend() -> None:
    """Load corridor's schema files into FtM's model. FtM builds reverse properties (e.g.
    ``Person:mobileDevices``) when a schema is generated; inherited properties are copied down to
    descendants the way ``Model.generate`` does it."""
    with _lock:
        files = sorted(EXTENSION_DIR.glob("*.yaml"))
        new: list[Schema] = []
        for path in files:
            before = set(_model.schemata)
            _model._load(str(path))
            new.extend(_model.schemata[n] for n in set(_model.schemata) - before)
        for schema in new:
            schema.generate(_model)
        for prop in _model.properties:
            _model.qnames[prop.qname] = prop
            for schema in prop.schema.descendants:
                if prop.name not in schema.properties:
                    schema.properties[prop.name] = prop


# A value an import could not read (a date that does not exist, a phone number that is not
# one), kept as typed beside the entity instead of losing the row: "birthDate: 31/02/1980".
# Shown on the entity, correctable by editing it; never compared or matched.
UNREAD = "unreadValue"
_UNREAD_SPEC: dict[str, Any] = {
    "label": "Value not read",
    "type": "string",
    "description": "A value an import could not read, as it was typed, after its property.",
}


def _add_unread() -> None:
    for base in ("Thing", "Interval"):
        schema = _model.schemata[base]
        prop = Property(schema, UNREAD, cast(PropertySpec, _UNREAD_SPEC))
        schema.properties[UNREAD] = prop
        prop.generate(_model)
        _model.qnames[prop.qname] = prop
        for child in schema.descendants:
            child.properties.setdefault(UNREAD, prop)


if "MobileDevice" not in _model.schemata:
    _extend()
    _add_unread()

model = _model


def entity_schemata() -> list[str]:
    """The schemata a user may create, as the forms offer them."""
    return [s for s in SUPPORTED if model.get(s) is not None]


def schema(name: str) -> Schema:
    found = model.get(name)
    if found is None or found.abstract:
        raise InvalidInput(f"unknown entity schema {name!r}")
    return found


def make_entity(schema_name: str, entity_id: str | None = None) -> EntityProxy:
    proxy = model.make_entity(schema(schema_name))
    if entity_id is not None:
        proxy.id = entity_id
    return proxy


MAX_VALUES = 200
MAX_VALUE_CHARS = 10_000


def parse_entity(
    data: Any,
    *,
    default_region: str | None = None,
    require_id: bool = True,
    originals: dict[tuple[str, str], str] | None = None,
) -> EntityProxy:
    """An entity from FtM JSON given by a user or a file, strictly: an unknown schema or
    property, or a value that is not valid for its type, is an error naming it (FtM itself
    would silently drop it). `originals` receives (property, cleaned value) -> what was written,
    where cleaning changed it, for provenance."""
    if not isinstance(data, dict):
        raise InvalidInput("an entity is a JSON object with schema, id and properties")
    unknown = set(data) - {
        "id",
        "schema",
        "properties",
        "caption",
        "datasets",
        "referents",
        "first_seen",
        "last_seen",
        "last_change",
        "target",
    }
    if unknown:
        raise InvalidInput(f"unknown entity fields: {', '.join(sorted(unknown))}")
    sch = schema(str(data.get("schema") or ""))
    entity_id = data.get("id")
    if entity_id is None and require_id:
        raise InvalidInput("entity: id is required")
    if entity_id is not None and (not isinstance(entity_id, str) or not ID_RE.match(entity_id)):
        raise InvalidInput("entity id: 1 to 128 letters, digits or . _ : -")
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        raise InvalidInput("properties is an object of property name to list of values")
    proxy = model.make_entity(sch)
    proxy.id = entity_id
    for name, values in props.items():
        prop = sch.get(name)
        if prop is None:
            raise InvalidInput(f"{sch.name} has no property {name!r}")
        if prop.stub:
            raise InvalidInput(f"{sch.name}:{name} is set from the other side of the relation")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or len(values) > MAX_VALUES:
            raise InvalidInput(f"{name}: a list of at most {MAX_VALUES} values")
        for value in values:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise InvalidInput(f"{name}: values are strings")
            text = str(value).strip()
            if not text:
                continue
            if len(text) > MAX_VALUE_CHARS:
                raise InvalidInput(f"{name}: a value is longer than {MAX_VALUE_CHARS} characters")
            if prop.type == registry.phone:
                # FtM drops national notations ("0300 1234567") without a country: the
                # node's is used.
                cleaned = normalize_phone(text, default_region)
            else:
                cleaned = prop.type.clean_text(text, format=prop.format, proxy=proxy)
            if cleaned is None:
                raise InvalidInput(f"{name}: {text[:60]!r} is not a valid {prop.type.name}")
            proxy.unsafe_add(prop, cleaned, cleaned=True)
            if originals is not None and cleaned != text:
                originals.setdefault((name, cleaned), text)
    return proxy
