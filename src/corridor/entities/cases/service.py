"""Cases: open one, its members and its status (the access rule itself is `entities.access`).

Every change is audited; a case keeps at least one owner."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.entities.access import audit_case, member_role, members, open_case
from corridor.entities.models import Case, CaseMember
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.security.models import Unit, User
from corridor.security.principal import Principal

if TYPE_CHECKING:
    from corridor.entities.cases.schemas import CaseCreate

REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{1,79}$")
MemberRole = Literal["owner", "member", "reader"]
STATUSES = ("open", "closed", "archived")
T = TypeVar("T")


def _check_fields(reference: str, title: str, summary: str) -> None:
    if not REFERENCE_RE.match(reference):
        raise InvalidInput("reference: 2 to 80 letters, digits or / . _ - (e.g. FIA-AHTC-2026-014)")
    if not title.strip() or len(title) > 300:
        raise InvalidInput("title: 1 to 300 characters")
    if len(summary) > 20_000:
        raise InvalidInput("summary: at most 20,000 characters")


def create_case(session: Session, *, actor: Principal, data: CaseCreate) -> Case:
    actor.require("entities.write")
    _check_fields(data.reference, data.title, data.summary)
    if actor.kind in ("session", "token") and data.purpose not in actor.purposes:
        raise PermissionDenied(f"your role may not hold {data.purpose} data")
    if session.scalar(select(Case.id).where(Case.reference == data.reference)) is not None:
        raise Conflict(f"a case with reference {data.reference} already exists")
    now = clock.now()
    case = Case(
        reference=data.reference,
        title=data.title.strip(),
        summary=data.summary,
        tlp=data.tlp,
        purpose=data.purpose,
        handling=data.handling,
        status="open",
        created_by=actor.handle,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    if actor.kind in ("session", "token"):
        session.add(
            CaseMember(
                case_id=case.id, kind="user", handle=actor.handle, role="owner", added_at=now
            )
        )
    audit_case(session, actor, "case.create", case.id)
    return case


def add_member(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    kind: str,
    handle: str,
    role: str = "member",
) -> CaseMember:
    """Add a user or unit to the case, or change its role. `kind` and `role` come from forms
    as typed and are checked here."""
    case = open_case(session, actor=actor, ref=case_ref, manage=True)
    if kind == "user":
        if session.scalar(select(User.id).where(User.handle == handle)) is None:
            raise InvalidInput(f"no user with handle {handle!r}")
    elif kind == "unit":
        if session.scalar(select(Unit.id).where(Unit.handle == handle)) is None:
            raise InvalidInput(f"no unit with handle {handle!r}")
    else:
        raise InvalidInput("kind is user or unit")
    if role not in ("owner", "member", "reader"):
        raise InvalidInput("role is owner, member or reader")
    existing = session.scalar(
        select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.kind == kind, CaseMember.handle == handle
        )
    )
    if existing is not None:
        existing.role = role
        row = existing
    else:
        row = CaseMember(case_id=case.id, kind=kind, handle=handle, role=role, added_at=clock.now())
        session.add(row)
    audit_case(
        session, actor, "case.member.set", case.id, {"kind": kind, "handle": handle, "role": role}
    )
    return row


def remove_member(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, kind: str, handle: str
) -> None:
    case = open_case(session, actor=actor, ref=case_ref, manage=True)
    row = session.scalar(
        select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.kind == kind, CaseMember.handle == handle
        )
    )
    if row is None:
        raise NotFound(f"{kind}:{handle} is not a member of this case")
    owners = [m for m in members(session, case) if m.role == "owner"]
    if row.role == "owner" and len(owners) == 1:
        raise Conflict("a case keeps at least one owner")
    session.delete(row)
    audit_case(session, actor, "case.member.remove", case.id, {"kind": kind, "handle": handle})


def set_status(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, status: str
) -> Case:
    case = open_case(session, actor=actor, ref=case_ref, manage=True)
    if status not in STATUSES:
        raise InvalidInput("status is open, closed or archived")
    case.status = status
    case.updated_at = clock.now()
    audit_case(session, actor, "case.status", case.id, {"status": status})
    return case


def audit_item(
    session: Session,
    actor: Principal,
    action: str,
    item: uuid.UUID | None,
    case: Case,
    **detail: Any,
) -> None:
    """An item of the case (note, file, task) or, with `item=None`, the case itself."""
    if item is None:
        audit_case(session, actor, action, case.id, detail)
        return
    audit.append(
        session,
        actor=actor,
        action=action,
        object_type=f"case_{action.split('.')[1]}",
        object_id=str(item),
        detail={"case": str(case.id), **detail},
    )


def listed(
    session: Session,
    actor: Principal,
    case_ref: str | uuid.UUID,
    items_of: Callable[[Session, Case], list[T]],
    action: str,
) -> list[T]:
    """The items of a case the actor may open (`items_of`: notes, files, tasks), read with one
    audit entry counting them."""
    case = open_case(session, actor=actor, ref=case_ref)
    items = items_of(session, case)
    audit_item(session, actor, action, None, case, count=len(items))
    return items


def own_item(session: Session, actor: Principal, case: Case, author: str, what: str) -> None:
    if author != actor.handle and member_role(session, actor, case) != "owner":
        raise PermissionDenied(f"only its author or an owner of the case may delete this {what}")
