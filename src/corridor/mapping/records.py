"""How the mapping module registers its record types (routes/records.py, challenges/records.py,
commitments/records.py): one projection row per record (the labelled row, filled from the
body by the type's `fill`), removed when the record is purged.

`route`, `challenge` and `commitment` are owned by the node that records them;
`commitment.endorsement` and `commitment.action` by the member that endorses or acts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, inspect
from sqlalchemy.orm import Session

from corridor.records.flow import Flow
from corridor.records.projection import Labelled, labelled_row
from corridor.records.registry import RecordType, register

# Node-owned: the node's picture, kept up by its working roles (mapping.write) as a team.
MAINTAINED = ("mapping.write",)

Project = Callable[[Session, dict[str, Any]], None]
L = TypeVar("L", bound=Labelled)


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _purge(model: type[Labelled]) -> Project:
    key = inspect(model).primary_key[0]

    def purge(session: Session, envelope: dict[str, Any]) -> None:
        session.execute(delete(model).where(key == uuid.UUID(envelope["id"])))

    return purge


def register_type(
    name: str,
    *,
    body: type[BaseModel],
    model: type[L],
    fill: Callable[[L, dict[str, Any]], None],
    title: str,
    flow: Flow,
) -> None:
    def project(session: Session, envelope: dict[str, Any]) -> None:
        fill(labelled_row(session, model, envelope), envelope["body"])

    # National and regional challenges and commitments carry no personal data: reading
    # them is not audited one by one (writes and receipts still are).
    register(
        RecordType(
            name=name,
            body=body,
            flow=flow,
            project=project,
            purge=_purge(model),
            sensitive=False,
            title=title,
        )
    )
