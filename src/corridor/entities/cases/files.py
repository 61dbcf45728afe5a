"""The files of a case: stored under their SHA-256 (the same content twice is one file), never
rendered inline, every download an audited read. A file is deleted by whoever uploaded it or
a case owner."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from corridor import clock
from corridor.config import Limits
from corridor.entities.access import check_tlp, open_case, touch
from corridor.entities.cases.models import CaseFile
from corridor.entities.cases.service import audit_item, listed, own_item
from corridor.entities.models import Case
from corridor.errors import InvalidInput, NotFound, TooLarge
from corridor.security.principal import Principal

MAX_FILE_BYTES = Limits.max_case_file_bytes
MAX_FILE_NAME = 200
# Right-to-left overrides and isolates make "gpj.exe" display as "exe.jpg".
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTENT_TYPE_RE = re.compile(r"^[A-Za-z0-9][\w.+-]{0,63}/[A-Za-z0-9][\w.+-]{0,63}$")


def clean_file_name(name: str | None) -> str:
    """A plain file name as uploaded, or InvalidInput: no directories, no control characters,
    no hidden files (browsers send only the base name; anything else is crafted)."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise InvalidInput("file name: the file needs a name")
    if len(name) > MAX_FILE_NAME:
        raise InvalidInput(f"file name: at most {MAX_FILE_NAME} characters")
    if "/" in name or "\\" in name:
        raise InvalidInput("file name: a plain file name, without a path")
    if name.startswith("."):
        raise InvalidInput("file name: may not start with a dot")
    if any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in name):
        raise InvalidInput("file name: may not contain control characters")
    return name


def _content_type(declared: str | None, name: str) -> str:
    declared = (declared or "").split(";", 1)[0].strip().lower()
    if _CONTENT_TYPE_RE.match(declared):
        return declared
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def add_file(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    name: str | None,
    content: bytes,
    content_type: str | None = None,
    tlp: str | None = None,
) -> tuple[CaseFile, bool]:
    """Store a file under its SHA-256. The same content uploaded to the case again is the same
    file: the existing one is returned with `False` (nothing is stored or relabelled)."""
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    name = clean_file_name(name)
    if len(content) > MAX_FILE_BYTES:
        raise TooLarge(f"file: at most {MAX_FILE_BYTES // (1024 * 1024)} MiB per file")
    if not content:
        raise InvalidInput("file: the file is empty")
    tlp = check_tlp(case, tlp)
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalar(
        select(CaseFile)
        .options(defer(CaseFile.content))
        .where(CaseFile.case_id == case.id, CaseFile.sha256 == digest)
    )
    if existing is not None:
        return existing, False
    row = CaseFile(
        case_id=case.id,
        name=name,
        content_type=_content_type(content_type, name),
        size=len(content),
        sha256=digest,
        content=content,
        tlp=tlp,
        uploaded_by=actor.handle,
        uploaded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    touch(case)
    audit_item(session, actor, "case.file.add", row.id, case, size=row.size, sha256=digest)
    return row, True


def case_files(session: Session, case: Case) -> list[CaseFile]:
    # Lists never load the content.
    return list(
        session.scalars(
            select(CaseFile)
            .options(defer(CaseFile.content))
            .where(CaseFile.case_id == case.id)
            .order_by(CaseFile.uploaded_at.desc(), CaseFile.id.desc())
        )
    )


def list_files(session: Session, *, actor: Principal, case_ref: str | uuid.UUID) -> list[CaseFile]:
    """Newest first, without their content."""
    return listed(session, actor, case_ref, case_files, "case.files.list")


def _file_of(session: Session, case: Case, file_id: uuid.UUID) -> CaseFile:
    row = session.get(CaseFile, file_id)
    if row is None or row.case_id != case.id:
        raise NotFound(f"no file {file_id} in this case")
    return row


def read_file(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, file_id: uuid.UUID
) -> CaseFile:
    """The file with its content; every download is an audited read."""
    case = open_case(session, actor=actor, ref=case_ref)
    row = _file_of(session, case, file_id)
    audit_item(session, actor, "case.file.read", row.id, case)
    return row


def delete_file(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, file_id: uuid.UUID
) -> None:
    case = open_case(session, actor=actor, ref=case_ref, write=True)
    row = _file_of(session, case, file_id)
    own_item(session, actor, case, row.uploaded_by, "file")
    session.delete(row)
    touch(case)
    audit_item(session, actor, "case.file.delete", file_id, case)
