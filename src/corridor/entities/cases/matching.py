"""Cases and hit/no-hit (corridor.matching): whether a case may enter the network's index (the
flow rule, the case as the source), its switch, and what matching reads of its entities (its
own live entities as FollowTheMoney proxies, what changed). The entities keep their tables;
matching keeps its index."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from followthemoney import EntityProxy
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from corridor.entities import store
from corridor.entities.access import audit_case, list_cases, member_role, open_case
from corridor.entities.models import Case, CaseMember, Entity
from corridor.errors import InvalidInput
from corridor.federation.peers import approved_peers
from corridor.jobs.queue import HANDLERS, enqueue
from corridor.records import flow
from corridor.records.labels import Labels
from corridor.security.principal import Principal

BATCH = 2000
# The purpose index segments are labelled with: hit/no-hit serves enforcement cooperation.
INDEX_PURPOSE = "enforcement"
REFRESH_JOB = "matching.refresh"


@dataclass(frozen=True)
class CaseView:
    id: uuid.UUID
    reference: str
    tlp: str
    purpose: str
    handling: str


def _view(case: Case) -> CaseView:
    return CaseView(case.id, case.reference, case.tlp, case.purpose, case.handling)


# --- may a case enter the index: the flow rule, with the case as the source ----------------


def index_source(case: CaseView, node_id: str) -> flow.Source:
    return flow.Source(
        ref=f"case:{case.id}",
        name=case.reference,
        origin=node_id,
        tlp=case.tlp,
        purpose=case.purpose,
        handling=case.handling,
        compartment=f"case:{case.id}",
        path="share",
    )


def index_labels(case: CaseView) -> Labels:
    """The labels of the index segments that carry a case's entries."""
    if case.tlp == "RED":
        raise InvalidInput(
            "matching: a TLP:RED case is for named recipients only; its entities cannot enter "
            "the network's hit/no-hit index",
            field="matching",
        )
    try:
        return Labels(tlp=case.tlp, purpose=INDEX_PURPOSE, handling=case.handling)
    except ValueError:  # H3 needs the restriction's note, which a case does not carry
        raise InvalidInput(
            f"matching: a case handled {case.handling} cannot enter the hit/no-hit index",
            field="matching",
        ) from None


def index_peers(session: Session) -> list[str]:
    """The nodes an index is published to: every approved peer."""
    return sorted(p.node_id for p in approved_peers(session))


def check_allowed(session: Session, case: CaseView, node_id: str) -> None:
    """Refuse (naming the rule) a case whose labels keep its entities out of the index: a
    protection or risk-analysis case, a TLP:RED one."""
    try:
        flow.check(
            sources=[index_source(case, node_id)],
            labels=index_labels(case),
            audience=index_peers(session),
            own_node=node_id,
        )
    except flow.FlowRefused as exc:
        raise InvalidInput(f"matching: {exc.detail}", field="matching") from None


def case_to_read(session: Session, *, actor: Principal, ref: str | uuid.UUID) -> CaseView:
    """A case the actor may read (else NotFound, as for a case that does not exist)."""
    return _view(open_case(session, actor=actor, ref=ref))


def case_to_manage(session: Session, *, actor: Principal, ref: str | uuid.UUID) -> CaseView:
    """A case the actor owns (else NotFound or PermissionDenied)."""
    return _view(open_case(session, actor=actor, ref=ref, manage=True))


def is_owner(session: Session, *, actor: Principal, case_id: uuid.UUID) -> bool:
    case = session.get(Case, case_id)
    return case is not None and member_role(session, actor, case) == "owner"


def readable_cases(session: Session, *, actor: Principal) -> list[CaseView]:
    """The open cases the actor may read, to offer for a check of a whole case."""
    return [_view(c) for c in list_cases(session, actor=actor) if c.status == "open"]


def captions(session: Session, entity_ids: list[str]) -> dict[str, tuple[str, str]]:
    """(caption, schema) of our entities by id, for a page that names them."""
    rows = session.execute(
        select(Entity.id, Entity.caption, Entity.schema).where(Entity.id.in_(entity_ids))
    )
    return {i: (c, s) for i, c, s in rows}


def reference_of(session: Session, case_id: uuid.UUID) -> str:
    return session.scalar(select(Case.reference).where(Case.id == case_id)) or str(case_id)


def member_handles(session: Session, case_id: uuid.UUID) -> list[str]:
    """The users who are members of a case in their own name (owners first)."""
    rows = session.execute(
        select(CaseMember.handle, CaseMember.role).where(
            CaseMember.case_id == case_id, CaseMember.kind == "user"
        )
    ).all()
    return [h for h, _ in sorted(rows, key=lambda r: r[1] != "owner")]


def switch(
    session: Session, *, actor: Principal, node_id: str, ref: str | uuid.UUID, on: bool
) -> CaseView:
    """An owner of the case opts it in to matching (checked by the flow rule) or out."""
    row = open_case(session, actor=actor, ref=ref, manage=True)
    case = _view(row)
    if on:
        check_allowed(session, case, node_id)
    if row.matching != on:
        row.matching = on
        audit_case(session, actor, "case.matching", row.id, {"matching": on})
        if REFRESH_JOB in HANDLERS:  # the matching module's job brings the index in step now
            enqueue(session, REFRESH_JOB, {}, dedupe_key=REFRESH_JOB + ":now")
    return case


def matching_of(session: Session, case_id: uuid.UUID) -> bool:
    return bool(session.scalar(select(Case.matching).where(Case.id == case_id)))


def matching_cases(session: Session) -> list[CaseView]:
    return [_view(c) for c in session.scalars(select(Case).where(Case.matching.is_(True)))]


def _own(case_id: uuid.UUID) -> list[ColumnElement[bool]]:
    return [Entity.case_id == case_id, Entity.origin.is_(None), Entity.merged_into.is_(None)]


def live_count(session: Session, case_id: uuid.UUID) -> int:
    return int(session.scalar(select(func.count(Entity.id)).where(*_own(case_id))) or 0)


def live_ids(session: Session, case_id: uuid.UUID) -> set[str]:
    return set(session.scalars(select(Entity.id).where(*_own(case_id))))


def changed_since(
    session: Session, case_id: uuid.UUID, since: datetime | None
) -> Iterator[tuple[EntityProxy, datetime]]:
    """The case's own live entities written after `since` (all when None), oldest first."""
    query = select(Entity).where(*_own(case_id)).order_by(Entity.updated_at, Entity.id)
    if since is not None:
        query = query.where(Entity.updated_at > since)
    for entity in session.scalars(query.execution_options(yield_per=BATCH)):
        yield store.proxy_of(entity.schema, entity.id, entity.properties), entity.updated_at
