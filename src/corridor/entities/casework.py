"""Case work: the notes, files and tasks of a case, and its timeline.

Access follows the case (`cases.open_case`): members and owners write, readers read, anyone
else gets the same answer as for a case that does not exist. A note or file is deleted by its
author or a case owner. Every write and every file download is audited with identifiers and
counts only."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from corridor import clock
from corridor.audit import service as audit
from corridor.config import Limits
from corridor.entities import cases, graph, store
from corridor.entities.ftm import model
from corridor.entities.models import Case, CaseFile, CaseNote, CaseTask, Entity, EntityIndex
from corridor.entities.service import _check_tlp
from corridor.errors import InvalidInput, NotFound, PermissionDenied, TooLarge
from corridor.security.models import Unit, User
from corridor.security.principal import Principal
from corridor.security.service import principal_for

MAX_NOTE_CHARS = 20_000
MAX_FILE_BYTES = Limits.max_case_file_bytes
MAX_FILE_NAME = 200
MAX_TASK_TITLE = 300
MAX_TASK_DETAILS = 20_000
TASK_STATUSES = ("open", "done", "cancelled")
MAX_TIMELINE = 5000

# Case activity first, then the dated facts of the case's entities.
ACTIVITY_KINDS = ("case", "note", "file", "task", "entity")
FACT_KINDS = ("call", "payment", "trip", "event")
TIMELINE_KINDS = ACTIVITY_KINDS + FACT_KINDS
# Most specific first: a Trip is also an Event.
_FACT_SCHEMATA = (("Call", "call"), ("Payment", "payment"), ("Trip", "trip"), ("Event", "event"))

# Right-to-left overrides and isolates make "gpj.exe" display as "exe.jpg".
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTENT_TYPE_RE = re.compile(r"^[A-Za-z0-9][\w.+-]{0,63}/[A-Za-z0-9][\w.+-]{0,63}$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2})?)?)?)?)?$")
# Partial dates ("2024", "2024-03") are widened to the earliest / latest moment they cover.
_LO = "0000-01-01T00:00:00"
_HI = "9999-12-31T23:59:59"


def _audit(
    session: Session,
    actor: Principal,
    action: str,
    item: uuid.UUID | None,
    case: Case,
    **detail: Any,
) -> None:
    """An item of the case (note, file, task) or, with `item=None`, the case itself."""
    audit.append(
        session,
        actor=actor,
        action=action,
        object_type=f"case_{action.split('.')[1]}" if item else "case",
        object_id=str(item or case.id),
        detail={"case": str(case.id), **detail} if item else detail,
    )


# --- notes ------------------------------------------------------------------------------------


def add_note(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    text: str,
    tlp: str | None = None,
) -> CaseNote:
    case = cases.open_case(session, actor=actor, ref=case_ref, write=True)
    text = text.strip()
    if not text:
        raise InvalidInput("text: a note cannot be empty")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"text: a note holds at most {MAX_NOTE_CHARS:,} characters")
    note = CaseNote(
        case_id=case.id,
        author=actor.handle,
        text=text,
        tlp=_check_tlp(case, tlp),
        created_at=clock.now(),
    )
    session.add(note)
    session.flush()
    cases.touch(case)
    _audit(session, actor, "case.note.add", note.id, case, chars=len(text))
    return note


def _notes(session: Session, case: Case) -> list[CaseNote]:
    return list(
        session.scalars(
            select(CaseNote)
            .where(CaseNote.case_id == case.id)
            .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
        )
    )


def list_notes(session: Session, *, actor: Principal, case_ref: str | uuid.UUID) -> list[CaseNote]:
    """Newest first."""
    case = cases.open_case(session, actor=actor, ref=case_ref)
    notes = _notes(session, case)
    _audit(session, actor, "case.notes.list", None, case, count=len(notes))
    return notes


def _own_item(session: Session, actor: Principal, case: Case, author: str, what: str) -> None:
    if author != actor.handle and cases.member_role(session, actor, case) != "owner":
        raise PermissionDenied(f"only its author or an owner of the case may delete this {what}")


def delete_note(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, note_id: uuid.UUID
) -> None:
    case = cases.open_case(session, actor=actor, ref=case_ref, write=True)
    note = session.get(CaseNote, note_id)
    if note is None or note.case_id != case.id:
        raise NotFound(f"no note {note_id} in this case")
    _own_item(session, actor, case, note.author, "note")
    session.delete(note)
    cases.touch(case)
    _audit(session, actor, "case.note.delete", note_id, case)


# --- files ------------------------------------------------------------------------------------


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
    case = cases.open_case(session, actor=actor, ref=case_ref, write=True)
    name = clean_file_name(name)
    if len(content) > MAX_FILE_BYTES:
        raise TooLarge(f"file: at most {MAX_FILE_BYTES // (1024 * 1024)} MiB per file")
    if not content:
        raise InvalidInput("file: the file is empty")
    tlp = _check_tlp(case, tlp)
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
    cases.touch(case)
    _audit(session, actor, "case.file.add", row.id, case, size=row.size, sha256=digest)
    return row, True


def _files(session: Session, case: Case) -> list[CaseFile]:
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
    case = cases.open_case(session, actor=actor, ref=case_ref)
    files = _files(session, case)
    _audit(session, actor, "case.files.list", None, case, count=len(files))
    return files


def _file_of(session: Session, case: Case, file_id: uuid.UUID) -> CaseFile:
    row = session.get(CaseFile, file_id)
    if row is None or row.case_id != case.id:
        raise NotFound(f"no file {file_id} in this case")
    return row


def read_file(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, file_id: uuid.UUID
) -> CaseFile:
    """The file with its content; every download is an audited read."""
    case = cases.open_case(session, actor=actor, ref=case_ref)
    row = _file_of(session, case, file_id)
    _audit(session, actor, "case.file.read", row.id, case)
    return row


def delete_file(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, file_id: uuid.UUID
) -> None:
    case = cases.open_case(session, actor=actor, ref=case_ref, write=True)
    row = _file_of(session, case, file_id)
    _own_item(session, actor, case, row.uploaded_by, "file")
    session.delete(row)
    cases.touch(case)
    _audit(session, actor, "case.file.delete", file_id, case)


# --- tasks ------------------------------------------------------------------------------------


def parse_due(text: str | None) -> datetime | None:
    """A due date from a form or the API: a date means the end of that day (UTC); a time
    without an offset is UTC; empty means none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        due = clock.parse(text)
    except ValueError:
        raise InvalidInput(
            "due: a date (2026-05-31) or a UTC time (2026-05-31T17:00:00Z)"
        ) from None
    if len(text) == 10:
        due = datetime.combine(due.date(), time(23, 59, 59), tzinfo=due.tzinfo)
    return due


def _check_due(due: datetime | None) -> datetime | None:
    if due is None:
        return None
    due = clock.as_utc(due)
    if due < clock.now():
        raise InvalidInput("due: the due date is in the past")
    return due


def _check_owner(session: Session, case: Case, handle: str | None) -> str | None:
    """A task goes to a user who may work on the case: a member or owner, directly or through
    their unit, whose role may hold the case's purpose."""
    handle = (handle or "").strip()
    if not handle:
        return None
    user = session.scalar(select(User).where(User.handle == handle))
    if user is None or user.disabled:
        raise InvalidInput(f"owner: no active user with handle {handle!r}")
    role = cases.member_role(session, principal_for(user, kind="session"), case)
    if role is None:
        raise InvalidInput(f"owner: {handle} is not a member of this case")
    if role == "reader":
        raise InvalidInput(f"owner: {handle} may only read this case")
    return handle


def assignable_users(session: Session, case: Case) -> list[str]:
    """Handles of the users a task of this case may go to (see `_check_owner`)."""
    writers = [m for m in cases.members(session, case) if m.role in ("owner", "member")]
    units = [m.handle for m in writers if m.kind == "unit"]
    users = {m.handle for m in writers if m.kind == "user"}
    if units:
        users.update(
            session.scalars(
                select(User.handle)
                .join(Unit, Unit.id == User.unit_id)
                .where(Unit.handle.in_(units))
            )
        )
    rows = session.scalars(
        select(User).where(User.handle.in_(sorted(users)), User.disabled.is_(False))
    )
    return sorted(
        u.handle
        for u in rows
        if cases.member_role(session, principal_for(u, kind="session"), case) in ("owner", "member")
    )


def _check_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > MAX_TASK_TITLE:
        raise InvalidInput(f"title: 1 to {MAX_TASK_TITLE} characters")
    return title


def _check_details(details: str) -> str:
    if len(details) > MAX_TASK_DETAILS:
        raise InvalidInput(f"details: at most {MAX_TASK_DETAILS:,} characters")
    return details.strip()


def add_task(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    title: str,
    details: str = "",
    owner: str | None = None,
    due: datetime | None = None,
) -> CaseTask:
    case = cases.open_case(session, actor=actor, ref=case_ref, write=True)
    task = CaseTask(
        case_id=case.id,
        title=_check_title(title),
        details=_check_details(details),
        owner=_check_owner(session, case, owner),
        due=_check_due(due),
        status="open",
        created_by=actor.handle,
        created_at=clock.now(),
    )
    session.add(task)
    session.flush()
    cases.touch(case)
    _audit(session, actor, "case.task.add", task.id, case)
    return task


_UNSET: Any = object()


def update_task(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    task_id: uuid.UUID,
    status: str | None = None,
    title: str | None = None,
    details: str | None = None,
    owner: str | None = _UNSET,
    due: datetime | None = _UNSET,
) -> CaseTask:
    """Change what is given. `owner=None` / `due=None` clear them; leaving them out keeps
    them. A new due date may not be in the past; closing sets `closed_at`, reopening clears it."""
    case = cases.open_case(session, actor=actor, ref=case_ref, write=True)
    task = session.get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise NotFound(f"no task {task_id} in this case")
    changed: list[str] = []
    if title is not None:
        task.title = _check_title(title)
        changed.append("title")
    if details is not None:
        task.details = _check_details(details)
        changed.append("details")
    if owner is not _UNSET:
        task.owner = _check_owner(session, case, owner)
        changed.append("owner")
    if due is not _UNSET:
        task.due = _check_due(due)
        changed.append("due")
    if status is not None and status != task.status:
        if status not in TASK_STATUSES:
            raise InvalidInput(f"status: one of {', '.join(TASK_STATUSES)}")
        task.status = status
        task.closed_at = None if status == "open" else clock.now()
        changed.append("status")
    if changed:
        cases.touch(case)
        _audit(
            session, actor, "case.task.update", task.id, case, fields=changed, status=task.status
        )
    return task


def is_overdue(task: CaseTask, now: datetime | None = None) -> bool:
    return (
        task.status == "open"
        and task.due is not None
        and clock.as_utc(task.due) < (now or clock.now())
    )


def _tasks(session: Session, case: Case) -> list[CaseTask]:
    rows = session.scalars(select(CaseTask).where(CaseTask.case_id == case.id))
    now = clock.now()

    def order(t: CaseTask) -> tuple[int, float, float]:
        # Overdue, then open by due date (undated last), then closed, most recent first.
        if t.status != "open":
            return 2, -clock.as_utc(t.closed_at or t.created_at).timestamp(), 0.0
        due = clock.as_utc(t.due).timestamp() if t.due else float("inf")
        return (0 if is_overdue(t, now) else 1), due, clock.as_utc(t.created_at).timestamp()

    return sorted(rows, key=order)


def list_tasks(session: Session, *, actor: Principal, case_ref: str | uuid.UUID) -> list[CaseTask]:
    """Overdue first, then open tasks by due date, then closed ones."""
    case = cases.open_case(session, actor=actor, ref=case_ref)
    tasks = _tasks(session, case)
    _audit(session, actor, "case.tasks.list", None, case, count=len(tasks))
    return tasks


# --- timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """One dated thing. `start`/`end` are ISO 8601: UTC times with Z for case activity, the
    date as written (possibly partial, e.g. "2024-03") for facts from entities."""

    start: str
    kind: str  # one of TIMELINE_KINDS
    action: str  # opened | added | created | done | cancelled | dated
    title: str
    ref: str  # id of the case, note, file, task or entity
    end: str | None = None
    actor: str | None = None
    # (entity id, caption) of the people, accounts, places a fact involves.
    participants: tuple[tuple[str, str], ...] = ()
    details: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "action": self.action,
            "title": self.title,
            "ref": self.ref,
            "actor": self.actor,
            "participants": [{"id": i, "caption": c} for i, c in self.participants],
            "details": self.details,
        }


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    total: int  # before `limit`


def parse_bound(text: str | None, name: str) -> str | None:
    """A date range bound: a year, month, day or time (UTC), as the API and forms take it."""
    text = (text or "").strip().removesuffix("Z")
    if not text:
        return None
    if not _DATE_RE.match(text):
        raise InvalidInput(f"{name}: a date such as 2024, 2024-03 or 2024-03-05")
    return text.replace(" ", "T")


def _lo(value: str) -> str:
    value = value.removesuffix("Z")[:19]
    return value + _LO[len(value) :]


def _hi(value: str) -> str:
    value = value.removesuffix("Z")[:19]
    return value + _HI[len(value) :]


def _at(dt: datetime) -> str:
    return clock.iso(dt.replace(microsecond=0))


def _excerpt(text: str, size: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 1] + "…"


def _activity(session: Session, case: Case) -> Iterable[TimelineItem]:
    yield TimelineItem(
        _at(case.created_at), "case", "opened", case.title, str(case.id), actor=case.created_by
    )
    for n in _notes(session, case):
        yield TimelineItem(
            _at(n.created_at), "note", "added", _excerpt(n.text), str(n.id), actor=n.author
        )
    for f in _files(session, case):
        yield TimelineItem(
            _at(f.uploaded_at),
            "file",
            "added",
            f.name,
            str(f.id),
            actor=f.uploaded_by,
            details={"size": str(f.size)},
        )
    for t in _tasks(session, case):
        yield TimelineItem(
            _at(t.created_at), "task", "created", t.title, str(t.id), actor=t.created_by
        )
        if t.status != "open" and t.closed_at is not None:
            yield TimelineItem(_at(t.closed_at), "task", t.status, t.title, str(t.id))
    yield from _entity_batches(session, case)


def _entity_batches(session: Session, case: Case) -> Iterable[TimelineItem]:
    """Entities added, one item per write: an import of 10,000 rows is one line, not 10,000.
    `details` counts them by schema; `ref` is the entity, or the case for several."""
    rows = session.execute(
        select(
            Entity.created_at,
            Entity.schema,
            func.count(),
            func.min(Entity.id),
            func.min(Entity.caption),
        )
        .where(Entity.case_id == case.id)
        .group_by(Entity.created_at, Entity.schema)
    )
    batches: dict[datetime, list[tuple[str, int, str, str]]] = defaultdict(list)
    for created_at, schema, count, first_id, first_caption in rows:
        batches[created_at].append((schema, count, first_id, first_caption))
    for created_at, parts in batches.items():
        total = sum(count for _, count, _, _ in parts)
        if total == 1:
            schema, _, eid, caption = parts[0]
            yield TimelineItem(
                _at(created_at), "entity", "added", caption, eid, details={schema: "1"}
            )
        else:
            yield TimelineItem(
                _at(created_at),
                "entity",
                "added",
                f"{total} entities",
                str(case.id),
                details={schema: str(count) for schema, count, _, _ in sorted(parts)},
            )


def _fact_schemata(kinds: set[str]) -> list[str]:
    names = [name for name, kind in _FACT_SCHEMATA if kind in kinds]
    return sorted(s.name for s in model.schemata.values() if any(s.is_a(n) for n in names))


def _facts(
    session: Session, case: Case, kinds: set[str], date_from: str | None, date_to: str | None
) -> Iterable[TimelineItem]:
    """The dated calls, payments, trips and events of the case, as `graph.timeline` reads
    them, with the captions of the entities they involve."""
    wanted = _fact_schemata(kinds)
    if not wanted:
        return
    live = (Entity.case_id == case.id) & Entity.merged_into.is_(None)
    q = select(Entity.id, Entity.schema, Entity.properties).where(live, Entity.schema.in_(wanted))
    if date_from or date_to:
        # The search index spans all dates of an entity, a superset of its timeline dates: a
        # cheap first cut, by year at the lower end since partial dates ("2024-05") sort early.
        q = q.join(EntityIndex, EntityIndex.entity_id == Entity.id)
        if date_from:
            q = q.where(EntityIndex.last_date >= date_from[:4])
        if date_to:
            q = q.where(EntityIndex.first_date <= date_to + "\uffff")
    facts = [store.proxy_of(schema, eid, props) for eid, schema, props in session.execute(q)]
    refs = sorted({v for p in facts for prop, v in p.itervalues() if prop.type.name == "entity"})
    # Captions only: reading whole entities for them would double the work.
    captions: dict[str, str] = {}
    for i in range(0, len(refs), 500):
        q = select(Entity.id, Entity.caption).where(live, Entity.id.in_(refs[i : i + 500]))
        captions.update({eid: caption for eid, caption in session.execute(q)})
    for item in graph.timeline(facts):
        if item.start is None or item.kind not in kinds:
            continue
        details: dict[str, str] = {}
        if item.amount is not None:
            amount = f"{item.amount:.2f}".rstrip("0").rstrip(".")
            details["amount"] = f"{amount} {item.currency.upper()}" if item.currency else amount
        if item.origin:
            details["from"] = captions.get(item.origin, item.origin)
        if item.destination:
            details["to"] = captions.get(item.destination, item.destination)
        yield TimelineItem(
            item.start,
            item.kind,
            "dated",
            item.caption,
            item.id,
            end=item.end,
            participants=tuple((p.id, captions.get(p.id, p.caption)) for p in item.participants),
            details=details,
        )


def _in_range(item: TimelineItem, date_from: str | None, date_to: str | None) -> bool:
    # Overlap: a trip from March to May is in April.
    if date_from is not None and _hi(item.end or item.start) < _lo(date_from):
        return False
    return date_to is None or _lo(item.start) <= _hi(date_to)


def _kinds(kinds: Iterable[str] | None) -> set[str]:
    chosen = {k.strip() for k in kinds or () if k.strip()}
    unknown = chosen - set(TIMELINE_KINDS)
    if unknown:
        raise InvalidInput(f"kind: any of {', '.join(TIMELINE_KINDS)}")
    return chosen or set(TIMELINE_KINDS)


def _timeline(
    session: Session,
    case: Case,
    *,
    kinds: Iterable[str] | None,
    date_from: str | None,
    date_to: str | None,
    limit: int,
) -> Timeline:
    if not 1 <= limit <= MAX_TIMELINE:
        raise InvalidInput(f"limit: 1 to {MAX_TIMELINE}")
    chosen = _kinds(kinds)
    lo, hi = parse_bound(date_from, "from"), parse_bound(date_to, "to")
    if lo and hi and _lo(lo) > _hi(hi):
        raise InvalidInput("from: the range starts after it ends")
    items: list[TimelineItem] = []
    if chosen & set(ACTIVITY_KINDS):
        items.extend(i for i in _activity(session, case) if i.kind in chosen)
    items.extend(_facts(session, case, chosen & set(FACT_KINDS), lo, hi))
    kept = sorted(
        (i for i in items if _in_range(i, lo, hi)),
        key=lambda i: (_lo(i.start), TIMELINE_KINDS.index(i.kind), i.ref),
    )
    return Timeline(kept[:limit], len(kept))


def timeline(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    kinds: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 1000,
) -> Timeline:
    """Case activity and the dated calls, payments, trips and events of its entities, oldest
    first; `kinds` narrows to some of TIMELINE_KINDS, the range keeps what overlaps it."""
    case = cases.open_case(session, actor=actor, ref=case_ref)
    result = _timeline(
        session, case, kinds=kinds, date_from=date_from, date_to=date_to, limit=limit
    )
    _audit(session, actor, "case.timeline.read", None, case, count=len(result.items))
    return result


# --- the case work view -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseWork:
    """Everything the case page shows below the entities, read with one audit entry."""

    case: Case
    role: str
    notes: list[CaseNote]
    files: list[CaseFile]
    tasks: list[CaseTask]
    timeline: Timeline
    assignable: list[str]

    @property
    def can_write(self) -> bool:
        return self.role in ("owner", "member") and self.case.status == "open"

    @property
    def overdue(self) -> set[uuid.UUID]:
        now = clock.now()
        return {t.id for t in self.tasks if is_overdue(t, now)}


def overview(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    kinds: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int = 500,
) -> CaseWork:
    case = cases.open_case(session, actor=actor, ref=case_ref)
    role = cases.member_role(session, actor, case) or "reader"
    work = CaseWork(
        case=case,
        role=role,
        notes=_notes(session, case),
        files=_files(session, case),
        tasks=_tasks(session, case),
        timeline=_timeline(
            session, case, kinds=kinds, date_from=date_from, date_to=date_to, limit=limit
        ),
        assignable=assignable_users(session, case),
    )
    _audit(
        session,
        actor,
        "case.work.read",
        None,
        case,
        notes=len(work.notes),
        files=len(work.files),
        tasks=len(work.tasks),
        timeline=len(work.timeline.items),
    )
    return work
