"""The `contact` record type: a contact card of a practitioner or unit, owned by the node that
publishes it. An update is a new version and a withdrawal a revocation: both propagate, and a
withdrawn card is purged from every node's directory."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from corridor.cooperation.directory.models import ContactRow
from corridor.cooperation.directory.schemas import ContactBody
from corridor.records.flow import Flow
from corridor.records.projection import labelled_row
from corridor.records.registry import RecordType, register

CONTACT = "contact"


def tags(languages: list[str], expertise: list[str]) -> str:
    """The filter column: each value between spaces, so `LIKE '% lang:en %'` matches one value."""
    parts = [f"lang:{c}" for c in languages] + [f"exp:{e}" for e in expertise]
    return f" {' '.join(parts)} "


def search_text(body: dict[str, Any]) -> str:
    return " ".join(str(body.get(k) or "") for k in ("name", "unit", "role")).casefold()


def _project(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    row = labelled_row(session, ContactRow, envelope)
    availability = body.get("availability") or {}
    row.kind = body["kind"]
    row.name = body["name"]
    row.role = body.get("role")
    row.unit = body.get("unit")
    row.country = body["country"]
    row.languages = list(body.get("languages", []))
    row.expertise = list(body.get("expertise", []))
    row.tags = tags(row.languages, row.expertise)
    row.search = search_text(body)
    row.always = bool(availability.get("always", False))
    row.timezone = availability.get("timezone")
    row.hours = list(availability.get("hours", []))
    row.rota = list(availability.get("rota", []))
    row.active = bool(body.get("active", True))


def _purge(session: Session, envelope: dict[str, Any]) -> None:
    # Withdrawn or expired: nothing of the card stays in the directory (the tombstone remains).
    session.execute(delete(ContactRow).where(ContactRow.id == uuid.UUID(envelope["id"])))


register(
    RecordType(
        name=CONTACT,
        body=ContactBody,
        flow=Flow(editors=("node.manage",)),  # its author or the node's administrator
        project=_project,
        purge=_purge,
        # Names and phone numbers of officers: reading a whole card is audited.
        sensitive=True,
        title="Contact card",
    )
)
