"""Input and response models of imports (see `entities.schemas.Answer`)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from corridor.entities.schemas import Answer
from corridor.schemas import StrictModel, UtcDateTime


class StartIn(StrictModel):
    mapping: dict[str, Any] | None = None
    mapping_name: str | None = Field(default=None, max_length=120)
    save_as: str | None = Field(default=None, max_length=120)


class MappingIn(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    mapping: dict[str, Any]


class ImportOut(Answer):
    """An import run (read from an `ImportRun` row): its progress and its per-row report:
    ``errors`` holds refused rows and, marked ``"kept": true``, values set aside in rows that
    were imported (``rows_failed`` counts only the refused rows)."""

    id: uuid.UUID
    case_id: uuid.UUID
    filename: str
    format: str
    sha256: str
    state: str
    # None until the run is first written (the answer to an upload).
    rows_total: int | None
    rows_done: int | None
    rows_failed: int | None
    entities: int | None
    errors: list[dict[str, Any]]
    error: str | None
    mapping: dict[str, Any] | None
    created_by: str
    created_at: UtcDateTime | None
    finished_at: UtcDateTime | None


class ImportList(Answer):
    items: list[ImportOut]


class PreviewRow(Answer):
    row: int
    values: dict[str, str]


class RowErrorOut(Answer):
    """A refused row, or (``kept``) a value of an imported row that could not be read and was
    kept as typed in the entity's ``unreadValue``."""

    row: int
    column: str | None
    reason: str
    kept: bool = False


class PreviewOut(Answer):
    """The first rows, the suggested mapping and the entities a mapping makes of the rows."""

    import_: ImportOut = Field(alias="import")
    headers: list[str]
    rows: list[PreviewRow]
    suggested_mapping: dict[str, Any] | None
    entities: list[dict[str, Any]]
    errors: list[RowErrorOut]


class SavedMappingOut(Answer):
    name: str
    mapping: dict[str, Any]
    created_by: str


class SavedMappingList(Answer):
    items: list[SavedMappingOut]


class MappingSaved(Answer):
    name: str
    mapping: dict[str, Any]
