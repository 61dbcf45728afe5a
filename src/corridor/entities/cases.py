"""Cases: who may open one, who may see and change what is in it.

Access is by membership (a user or a whole unit), never by role alone: an administrator runs the
node without reading investigations, and a protection case is never visible to enforcement roles
whatever its members (purpose limitation)."""

from __future__ import annotations

import re
import uuid
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.entities.models import Case, CaseMember
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.records.labels import TLP, Handling, Purpose
from corridor.schemas import StrictModel
from corridor.security.models import Unit, User
from corridor.security.principal import Principal

REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{1,79}$")
MemberRole = Literal["owner", "member", "reader"]
STATUSES = ("open", "closed", "archived")


class CaseCreate(StrictModel):
    reference: str
    title: str
    summary: str = ""
    tlp: TLP = "AMBER"
    purpose: Purpose = "enforcement"
    handling: Handling = "H0"


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
    audit.append(
        session, actor=actor, action="case.create", object_type="case", object_id=str(case.id)
    )
    return case


def _member_filter(actor: Principal):
    conds = [(CaseMember.kind == "user") & (CaseMember.handle == actor.handle)]
    if actor.unit_handle:
        conds.append((CaseMember.kind == "unit") & (CaseMember.handle == actor.unit_handle))
    return or_(*conds)


def accessible_case_ids(session: Session, actor: Principal) -> list[uuid.UUID]:
    """The cases whose content this actor may read."""
    if actor.kind == "system":
        return list(session.scalars(select(Case.id)))
    if actor.kind not in ("session", "token") or not actor.has("entities.read"):
        return []
    q = (
        select(Case.id)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(_member_filter(actor), Case.purpose.in_(sorted(actor.purposes)))
        .distinct()
    )
    return list(session.scalars(q))


def member_role(session: Session, actor: Principal, case: Case) -> str | None:
    """owner > member > reader; None when the actor has no access."""
    if actor.kind == "system":
        return "owner"
    if actor.kind not in ("session", "token") or case.purpose not in actor.purposes:
        return None
    roles = set(
        session.scalars(
            select(CaseMember.role).where(CaseMember.case_id == case.id, _member_filter(actor))
        )
    )
    for role in ("owner", "member", "reader"):
        if role in roles:
            return role
    return None


def find_case(session: Session, ref: str | uuid.UUID) -> Case:
    """By id or reference, without an access check (callers check)."""
    case = None
    if isinstance(ref, uuid.UUID):
        case = session.get(Case, ref)
    else:
        try:
            case = session.get(Case, uuid.UUID(ref))
        except ValueError:
            case = session.scalar(select(Case).where(Case.reference == ref))
    if case is None:
        raise NotFound(f"no case {ref}")
    return case


def open_case(
    session: Session,
    *,
    actor: Principal,
    ref: str | uuid.UUID,
    write: bool = False,
    manage: bool = False,
) -> Case:
    """The case, if the actor may read it (and write to it / manage it). A case the actor may
    not see answers exactly like a case that does not exist."""
    case = find_case(session, ref)
    if actor.kind == "cli":
        # The machine's operator loads and exports files (`corridor import/export`), audited.
        actor.require("entities.import" if write else "entities.export")
        return case
    actor.require("entities.write" if write or manage else "entities.read")
    role = member_role(session, actor, case)
    if role is None:
        raise NotFound(f"no case {ref}")
    if manage and role != "owner":
        raise PermissionDenied("only an owner of the case may do this")
    if write and role == "reader":
        raise PermissionDenied("you may read this case but not change it")
    if write and case.status != "open":
        raise Conflict(f"the case is {case.status}; reopen it to change it")
    return case


def list_cases(session: Session, *, actor: Principal) -> list[Case]:
    actor.require("entities.read")
    ids = accessible_case_ids(session, actor)
    if not ids:
        return []
    return list(
        session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.updated_at.desc()))
    )


def members(session: Session, case: Case) -> list[CaseMember]:
    return list(
        session.scalars(
            select(CaseMember).where(CaseMember.case_id == case.id).order_by(CaseMember.id)
        )
    )


def add_member(
    session: Session,
    *,
    actor: Principal,
    case_ref: str | uuid.UUID,
    kind: Literal["user", "unit"],
    handle: str,
    role: MemberRole = "member",
) -> CaseMember:
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
    audit.append(
        session,
        actor=actor,
        action="case.member.set",
        object_type="case",
        object_id=str(case.id),
        detail={"kind": kind, "handle": handle, "role": role},
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
    audit.append(
        session,
        actor=actor,
        action="case.member.remove",
        object_type="case",
        object_id=str(case.id),
        detail={"kind": kind, "handle": handle},
    )


def set_status(
    session: Session, *, actor: Principal, case_ref: str | uuid.UUID, status: str
) -> Case:
    case = open_case(session, actor=actor, ref=case_ref, manage=True)
    if status not in STATUSES:
        raise InvalidInput("status is open, closed or archived")
    case.status = status
    case.updated_at = clock.now()
    audit.append(
        session,
        actor=actor,
        action="case.status",
        object_type="case",
        object_id=str(case.id),
        detail={"status": status},
    )
    return case


def touch(case: Case) -> None:
    case.updated_at = clock.now()
