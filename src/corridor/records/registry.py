"""Record types: each module registers its types here (schema + projection), never a transport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput
from corridor.records.envelope import validated
from corridor.records.flow import Flow


@dataclass(frozen=True)
class RecordType:
    name: str
    body: type[BaseModel]
    # Its place in the label matrix: what it derives from other content and who may change it.
    # Required: a record type that does not declare it cannot be registered.
    flow: Flow
    # Keep the module's own tables in step with the latest version (own or received).
    project: Callable[[Session, dict[str, Any]], None] | None = None
    # Remove projected data when the record is revoked or expires.
    purge: Callable[[Session, dict[str, Any]], None] | None = None
    # Rules across records for a record received from a peer (e.g. a receipt only from a node the
    # record was addressed to): raise a CorridorError to refuse it; runs before anything is written.
    check: Callable[[Session, dict[str, Any]], None] | None = None
    # Reading the body of a sensitive record is audited.
    sensitive: bool = True
    title: str = ""


_TYPES: dict[str, RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    existing = _TYPES.get(record_type.name)
    if existing is not None and existing is not record_type:
        raise ValueError(f"record type {record_type.name} is already registered")
    _TYPES[record_type.name] = record_type
    return record_type


def get(name: str) -> RecordType:
    try:
        return _TYPES[name]
    except KeyError:
        raise InvalidInput(f"unknown record type {name!r}") from None


def known() -> list[str]:
    return sorted(_TYPES)


def validate_body(name: str, body: Any) -> dict[str, Any]:
    parsed = validated(get(name).body, body, f"invalid body for record type {name}")
    return parsed.model_dump(mode="json", exclude_none=True)
