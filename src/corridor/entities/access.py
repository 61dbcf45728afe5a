"""Who may open a case, and so see and change the entities in it.

Access is by membership (a user or a whole unit), never by role alone: an administrator runs the
node without reading investigations, and a protection case is never visible to enforcement roles
whatever its members (purpose limitation). Every part of the module asks this one rule (the
store's search, flows, imports, analysis, case work), so it lies beneath them all; what people
do with a case (open one, members, notes, files, tasks) is the `cases` sub-package."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.entities.models import Case, CaseMember
from corridor.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from corridor.records.labels import TLP_LEVELS
from corridor.security.principal import Principal


def _member_filter(actor: Principal) -> ColumnElement[bool]:
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


def touch(case: Case) -> None:
    case.updated_at = clock.now()


def check_tlp(case: Case, tlp: str | None) -> str:
    """The TLP of an item put in the case (an entity, a note, a file): the case's unless given;
    an item may be labelled more strictly than its case, never less."""
    tlp = tlp or case.tlp
    if tlp not in TLP_LEVELS:
        raise InvalidInput(f"tlp: one of {', '.join(TLP_LEVELS)}")
    if TLP_LEVELS.index(tlp) < TLP_LEVELS.index(case.tlp):
        raise InvalidInput(f"tlp: an item of a {case.tlp} case cannot be {tlp}")
    return tlp


# What was done with a case or an entity, named by its id (the detail: identifiers and counts
# only, never the content of the case).
audit_case = audit.About("case")
audit_entity = audit.About("entity")
