"""Projection rows that carry their record's labels, so a module can list and filter its
records from its own tables and still apply the one visibility rule (`policy.can_see`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from corridor import clock
from corridor.records import flow
from corridor.records.policy import can_see
from corridor.security.principal import Principal


class Labelled:
    """Mixin: the columns `can_see` reads, kept in step with the latest version."""

    origin: Mapped[str] = mapped_column(String(26), index=True)
    author: Mapped[str] = mapped_column(String(80))
    tlp: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    recipients: Mapped[list[str]]
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]

    def label_view(self) -> dict[str, Any]:
        return label_view(self)


def label_view(row: Any) -> dict[str, Any]:
    """The parts of an envelope that `records.policy.can_see` reads, from a projection row (an
    ORM object or a row of selected columns)."""
    return {
        "origin": row.origin,
        "author": row.author,
        "labels": {"tlp": row.tlp, "purpose": row.purpose, "recipients": row.recipients},
    }


class Identified(Protocol):
    """A projection row or a row of its selected columns: what `readable` filters."""

    @property
    def id(self) -> uuid.UUID: ...


R = TypeVar("R", bound=Identified)


def visible(actor: Principal, row: Any, node_id: str) -> bool:
    return can_see(actor, label_view(row), node_id)


def readable(session: Session, actor: Principal, rows: Iterable[R], node_id: str) -> list[R]:
    """The rows whose records this actor may read: their labels allow it (`can_see`) and so
    does what they draw on (`flow.hidden`: a case's content, a source withdrawn)."""
    seen = [row for row in rows if visible(actor, row, node_id)]
    hidden = flow.hidden(session, actor, [row.id for row in seen])
    return [row for row in seen if row.id not in hidden]


Row = TypeVar("Row", bound=Labelled)


def labelled_row(session: Session, model: type[Row], envelope: dict[str, Any]) -> Row:
    """The projection row of a record version (created on first sight), its labels filled."""
    rid = uuid.UUID(envelope["id"])
    # A first version has no projection yet: no lookup needed.
    row = None if envelope["version"] == 1 else session.get(model, rid)
    if row is None:
        # `model` is a mapped class (Labelled + Base), which takes its columns as keywords; the
        # mixin alone does not, and a type variable cannot name both.
        row = model(id=rid)  # type: ignore[call-arg]
        session.add(row)
    labels = envelope["labels"]
    row.origin = envelope["origin"]
    row.author = envelope["author"]
    row.tlp = labels["tlp"]
    row.purpose = labels.get("purpose", "cooperation")
    row.recipients = list(labels.get("recipients", []))
    row.version = envelope["version"]
    row.updated_at = clock.parse(envelope["ts"])
    return row
