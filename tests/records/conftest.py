from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from corridor.records.flow import Flow
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

PROJECTED: dict[str, Any] = {}


class NoteBody(StrictModel):
    text: str = Field(min_length=1, max_length=1000)


def _project(session: Session, envelope: dict[str, Any]) -> None:
    PROJECTED[envelope["id"]] = envelope["body"]


def _purge(session: Session, envelope: dict[str, Any]) -> None:
    PROJECTED.pop(envelope["id"], None)


NOTE = register(
    RecordType(name="test.note", body=NoteBody, flow=Flow(), project=_project, purge=_purge)
)
