"""Reading FtM JSON lines files: one entity per line, checked like an entity a user writes."""

from __future__ import annotations

import codecs
import json
from collections.abc import Collection, Iterator

from followthemoney import EntityProxy
from followthemoney.types import registry

from corridor.entities.ftm import SUPPORTED, model
from corridor.errors import CorridorError
from corridor.tabular.rows import (
    DEFAULT_LIMITS,
    Limits,
    RowError,
    Source,
    check_size,
    file_size,
)


def _entity_from_json(
    data: object, number: int, schemata: Collection[str]
) -> EntityProxy | RowError:
    if not isinstance(data, dict):
        return RowError(number, None, "the line is not a JSON object")
    schema_name = data.get("schema")
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None or schema.name not in schemata:
        return RowError(
            number, "schema", f"unknown schema {schema_name!r}; known: {', '.join(schemata)}"
        )
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return RowError(number, "id", "the entity has no id")
    if registry.entity.clean(entity_id) is None:
        # FtM signs the id into the case's namespace and drops one it does not accept (only
        # punctuation, say): the entity would have no id when it is stored, and the whole
        # import failed there. Refused here, it is this one line.
        return RowError(
            number,
            "id",
            f"{entity_id[:80]!r} is not an entity id: letters, digits, '.' and '-', "
            "beginning and ending with a letter or digit",
        )
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        return RowError(number, "properties", "properties must be an object of value lists")
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name, values in properties.items():
        prop = schema.get(name)
        if prop is None or prop.stub:
            return RowError(number, name, f"{schema.name} has no property {name!r}")
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return RowError(number, name, "property values must be a list of strings")
        for value in values:
            cleaned = prop.type.clean(value, proxy=proxy)
            if cleaned is None:
                return RowError(
                    number, name, f"{value[:80]!r} is not a valid {prop.type.name} for {name}"
                )
            if proxy.unsafe_add(prop, cleaned, cleaned=True) is None:
                return RowError(number, name, f"the values of {name} exceed FtM's size limit")
    return proxy


def read_ftm(
    path: Source,
    *,
    limits: Limits = DEFAULT_LIMITS,
    schemata: Collection[str] = SUPPORTED,
) -> Iterator[tuple[int, EntityProxy | RowError]]:
    """(line number, entity or error) for each non-blank line of an FtM JSON lines file (UTF-8).
    Every property value is validated and normalised by its FtM type: an unknown schema (or one
    outside ``schemata``), an unknown property or an invalid value makes the line an error."""
    check_size(file_size(path), limits)
    with open(path, "rb") as fh:
        number = 0
        while True:
            line = fh.readline(limits.max_line_bytes + 1)
            if not line:
                return
            number += 1
            if len(line) > limits.max_line_bytes and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):
                    line = fh.readline(limits.max_line_bytes)
                yield (
                    number,
                    RowError(
                        number, None, f"the line is longer than {limits.max_line_bytes} bytes"
                    ),
                )
                continue
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except UnicodeDecodeError:
                yield number, RowError(number, None, "the line is not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield number, RowError(number, None, f"invalid JSON: {exc.msg} at {exc.colno}")
                continue
            try:
                yield number, _entity_from_json(data, number, schemata)
            except CorridorError:
                raise
            # FtM's cleaners raise their own errors on odd values (e.g. bad phone hints).
            except Exception as exc:
                yield number, RowError(number, None, f"invalid entity: {exc}")
