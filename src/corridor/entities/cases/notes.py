"""The notes of a case: short texts by its members, newest first.

Access follows the case (`access.open_case`): members and owners write, readers read, anyone
else gets the same answer as for a case that does not exist. A note is deleted by its author
or a case owner. Every write is audited with identifiers and counts only."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.entities.access import check_tlp, open_case, touch
from corridor.entities.cases.models import CaseNote
from corridor.entities.cases.service import audit_item, listed, own_item
from corridor.entities.models import Case
from corridor.errors import InvalidInput, NotFound
from corridor.security.principal import Principal

MAX_NOTE_CHARS = 20_000


def add_note(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    text: str,
    tlp: str | None = None,
) -> CaseNote:
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    text = text.strip()
    if not text:
        raise InvalidInput("text: a note cannot be empty")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"text: a note holds at most {MAX_NOTE_CHARS:,} characters")
    note = CaseNote(
        case_id=case.id,
        author=actor.handle,
        text=text,
        tlp=check_tlp(case, tlp),
        created_at=clock.now(),
    )
    session.add(note)
    session.flush()
    touch(case)
    audit_item(session, actor, "case.note.add", note.id, case, chars=len(text))
    return note


def case_notes(session: Session, case: Case) -> list[CaseNote]:
    return list(
        session.scalars(
            select(CaseNote)
            .where(CaseNote.case_id == case.id)
            .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
        )
    )


def list_notes(session: Session, *, actor: Principal, case_ref: str | uuid.UUID) -> list[CaseNote]:
    """Newest first."""
    return listed(session, actor, case_ref, case_notes, "case.notes.list")


def delete_note(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, note_id: uuid.UUID
) -> None:
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    note = session.get(CaseNote, note_id)
    if note is None or note.case_id != case.id:
        raise NotFound(f"no note {note_id} in this case")
    own_item(session, actor, case, note.author, "note")
    session.delete(note)
    touch(case)
    audit_item(session, actor, "case.note.delete", note_id, case)
