"""Input and response models of the entities API, and the entity id pattern other modules
check references against (an FtM id: 1 to 128 letters, digits or . _ : -).

Response models describe exactly the JSON the endpoints answered before they were declared
(`Answer`); a field that an answer carries only sometimes has a default and the endpoint sets
`response_model_exclude_unset`, so it is left out where it was left out."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field

from corridor.records.labels import TLP, Forward, LabelsIn, Purpose
from corridor.schemas import StrictModel, UtcDateTime

if TYPE_CHECKING:
    from corridor.entities.models import Statement

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class Answer(BaseModel):
    """A response model: read from a row's attributes or from keyword arguments; a field named
    after a Python or Pydantic word (`schema`, `import`) is declared with a trailing `_` and
    answered under its alias."""

    model_config = ConfigDict(
        extra="forbid", from_attributes=True, validate_by_name=True, serialize_by_alias=True
    )

    @classmethod
    def from_row(cls, row: object, **computed: Any) -> Self:
        """The answer read from a row's attributes, but for the fields the row does not hold,
        which are given here (`TaskOut.from_row(task, overdue=...)`)."""
        held = {name: getattr(row, name) for name in cls.model_fields if name not in computed}
        return cls(**held, **computed)


# --- input ------------------------------------------------------------------------------------


class EntityIn(StrictModel):
    schema_: str = Field(alias="schema", min_length=1, max_length=64)
    id: str | None = Field(default=None, max_length=128)
    properties: dict[str, list[str] | str] = Field(default_factory=dict)
    tlp: TLP | None = None

    def ftm(self) -> dict[str, Any]:
        return {"id": self.id, "schema": self.schema_, "properties": self.properties}


class ShareIn(LabelsIn):
    entities: list[str] = Field(min_length=1, max_length=2000)
    to: list[str] = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=5000)
    with_related: bool = True
    purpose: Purpose = "enforcement"
    # Receivers may not even ask to pass investigation data on, unless the sharer allows it.
    forward: Forward = "none"


# --- answers ----------------------------------------------------------------------------------


class EntityOut(Answer):
    """An entity's merged view (read from an `Entity` row)."""

    id: str
    schema_: str = Field(alias="schema")
    caption: str
    properties: dict[str, list[str]]
    case_id: uuid.UUID | None
    origin: str | None
    tlp: str
    purpose: str
    merged_into: str | None
    created_at: UtcDateTime | None
    updated_at: UtcDateTime | None


class EntityList(Answer):
    items: list[EntityOut]


class EntityPage(EntityList):
    total: int


class StatementSource(Answer):
    kind: str
    id: str
    label: str


class StatementOut(Answer):
    entity_id: str
    prop: str
    value: str
    original: str | None
    source: StatementSource
    tlp: str
    created_at: UtcDateTime | None
    retracted_at: UtcDateTime | None

    @classmethod
    def of(cls, row: Statement) -> StatementOut:
        source = StatementSource(kind=row.source_kind, id=row.source, label=row.source_label)
        return cls.from_row(row, source=source)


class CaseRef(Answer):
    id: uuid.UUID
    reference: str


class AsOf(Answer):
    source: str
    properties: dict[str, list[str]]


class EntityDetail(EntityOut):
    """An entity with its statements (provenance); `case` for a case's entity, `as_of` when
    asked for one source's view."""

    statements: list[StatementOut]
    sources: list[str]
    case: CaseRef | None = None
    as_of: AsOf | None = None


class Shared(Answer):
    """The record a share made."""

    id: str
    version: int
    to: list[str]
    entities: list[str]
    labels: dict[str, Any]
