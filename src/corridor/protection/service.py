"""The protection compartment's service: people screened, their consent, referrals.

Only protection roles reach it (`protection.read`/`protection.write`); to everyone else it does
not exist (NotFound, audited as denied), on every node. A referral is a record labelled
protection whose source is the person (`records.flow`): the core keeps it to protection roles,
at the nodes it is addressed to, never at a node the person must be kept from. Without a
standing consent nothing is sent; a withdrawn consent withdraws what was sent for it, and the
record's tombstone purges every partner's copy."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.audit.models import AuditEntry
from corridor.errors import InvalidInput, NotFound
from corridor.federation.models import Peer
from corridor.ids import uuid7
from corridor.keys import NODE_ID_RE, NodeKeys
from corridor.protection.indicators import ITEMS
from corridor.protection.models import (
    Consent,
    Finding,
    ProtectedPerson,
    ReferralRow,
    Screening,
)
from corridor.protection.schemas import (
    REFERRAL_TYPE,
    SERVICE_FIELDS,
    STATUS_TYPE,
    ConsentIn,
    PersonIn,
    ReferralIn,
    ScreeningIn,
    StatusIn,
)
from corridor.records import flow
from corridor.records import service as records
from corridor.records.labels import Audience, Labels
from corridor.records.models import StoredRecord
from corridor.records.owned import visible_rows
from corridor.security.principal import Principal

# What every referral says about its handling, on every node it reaches.
HANDLING_NOTE = (
    "Protection data: for the receiving protection service only; never for enforcement, "
    "immigration control or prosecution of the person."
)
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def require(actor: Principal, permission: str = "protection.read") -> None:
    """The compartment exists only for its roles: anyone else is answered as if it did not
    (and the attempt is audited by the caller's `audit.append_denied`)."""
    if not actor.has("protection.read"):
        raise NotFound("not found")
    actor.require(permission)


def _denied(session: Session, actor: Principal, action: str) -> None:
    if not actor.has("protection.read"):
        audit.append_denied(session, actor=actor, action=action, object_type="protection")


def enter(session: Session, actor: Principal, action: str, permission: str) -> None:
    _denied(session, actor, action)
    require(actor, permission)


def _audit(session: Session, actor: Principal, action: str, object_id: Any, **detail: Any) -> None:
    audit.append(
        session,
        actor=actor,
        action=action,
        object_type="protection",
        object_id=str(object_id),
        detail=detail or None,
    )


def _new_reference(session: Session) -> str:
    while True:
        ref = "PR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        if session.scalar(select(ProtectedPerson.id).where(ProtectedPerson.reference == ref)):
            continue
        return ref


# --- people ------------------------------------------------------------------------------------


def create_person(session: Session, *, actor: Principal, data: PersonIn) -> ProtectedPerson:
    enter(session, actor, "protection.person.create", "protection.write")
    now = clock.now()
    person = ProtectedPerson(
        id=uuid7(),
        reference=_new_reference(session),
        name=data.name,
        birth_year=data.birth_year,
        sex=data.sex,
        nationality=data.nationality,
        languages=list(data.languages),
        interpreter_language=data.interpreter_language,
        child=data.child,
        unaccompanied=data.unaccompanied,
        separated=data.separated,
        never_share_with_origin=data.never_share_with_origin,
        officer=actor.handle,
        created_at=now,
        updated_at=now,
        retain_until=now + timedelta(days=data.retain_days),
    )
    session.add(person)
    session.flush()
    _audit(session, actor, "protection.person.create", person.id)
    return person


def person(session: Session, *, actor: Principal, person_id: uuid.UUID) -> ProtectedPerson:
    """One person screened here (their reading audited)."""
    enter(session, actor, "protection.person.read", "protection.read")
    found = session.get(ProtectedPerson, person_id)
    if found is None:
        raise NotFound(f"no person {person_id}")
    _audit(session, actor, "protection.person.read", person_id)
    return found


def people(session: Session, *, actor: Principal, limit: int = 200) -> list[ProtectedPerson]:
    enter(session, actor, "protection.person.list", "protection.read")
    rows = list(
        session.scalars(
            select(ProtectedPerson).order_by(ProtectedPerson.created_at.desc()).limit(limit)
        )
    )
    if rows:
        audit.append(
            session,
            actor=actor,
            action="protection.person.list",
            object_type="protection",
            detail={"ids": [str(r.id) for r in rows]},
        )
    return rows


# --- screening ---------------------------------------------------------------------------------


def screen(
    session: Session, *, actor: Principal, person_id: uuid.UUID, data: ScreeningIn
) -> Screening:
    """Record a structured interview with a person screened here."""
    enter(session, actor, "protection.screening.create", "protection.write")
    found = session.get(ProtectedPerson, person_id)
    if found is None:
        raise NotFound(f"no person {person_id}")
    if (data.best_interests_referral or data.age_assessment_note) and not found.child:
        raise InvalidInput(
            "best_interests_referral: the child-specific fields are for a child (mark the "
            "person as a child first)",
            field="best_interests_referral",
        )
    row = Screening(
        id=uuid7(),
        person_id=found.id,
        interviewer=actor.handle,
        interviewed_at=clock.now(),
        language=data.language,
        interpreter_language=data.interpreter_language,
        location=data.location,
        route=data.route,
        answers=dict(data.answers),
        age_assessment_note=data.age_assessment_note,
        best_interests_referral=data.best_interests_referral,
        notes=data.notes,
    )
    session.add(row)
    found.updated_at = row.interviewed_at
    # The latest screening is what the counts read.
    session.execute(delete(Finding).where(Finding.person_id == found.id))
    session.add_all(
        Finding(person_id=found.id, code=code)
        for code, answer in data.answers.items()
        if answer == "yes"
    )
    session.flush()
    _audit(session, actor, "protection.screening.create", found.id, answers=len(data.answers))
    return row


def screenings(session: Session, person_id: uuid.UUID) -> list[Screening]:
    return list(
        session.scalars(
            select(Screening)
            .where(Screening.person_id == person_id)
            .order_by(Screening.interviewed_at.desc(), Screening.id.desc())
        )
    )


def profile(answers: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """What a screening found, never a single score: the trafficking and aggravated-smuggling
    indicators answered yes, and per vulnerability level its risk and protective factors
    answered yes (`{"trafficking": {"risk": [...]}, "individual": {"risk": [...],
    "protective": [...]}, …}`)."""
    out: dict[str, dict[str, list[str]]] = {}
    for item in ITEMS:
        if answers.get(item.code) != "yes":
            continue
        key = item.level or item.group
        out.setdefault(key, {}).setdefault(item.side or "risk", []).append(item.code)
    return out


# --- consent -----------------------------------------------------------------------------------


def record_consent(
    session: Session, *, actor: Principal, person_id: uuid.UUID, data: ConsentIn
) -> list[Consent]:
    """Consent given (or refused) now, one row per purpose; an earlier one stays as history."""
    enter(session, actor, "protection.consent.record", "protection.write")
    if session.get(ProtectedPerson, person_id) is None:
        raise NotFound(f"no person {person_id}")
    now = clock.now()
    rows = []
    for purpose in dict.fromkeys(data.purposes):
        row = Consent(
            id=uuid7(),
            person_id=person_id,
            purpose=purpose,
            given=data.given,
            method=data.method,
            note=data.note,
            recorded_by=actor.handle,
            recorded_at=now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    _audit(
        session,
        actor,
        "protection.consent.record",
        person_id,
        purposes=list(data.purposes),
        given=data.given,
    )
    return rows


def consents(session: Session, person_id: uuid.UUID) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.person_id == person_id)
            .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        )
    )


def standing(session: Session, person_id: uuid.UUID, purpose: str) -> Consent | None:
    """The consent for a purpose that holds now: the latest recorded, if given and not
    withdrawn."""
    latest = next((c for c in consents(session, person_id) if c.purpose == purpose), None)
    if latest is None or not latest.given or latest.withdrawn_at is not None:
        return None
    return latest


def withdraw_consent(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    person_id: uuid.UUID,
    consent_id: uuid.UUID,
    note: str = "",
) -> int:
    """The person withdraws a consent: from now nothing is shared for its purpose, and what
    was shared for it is withdrawn (a referral's tombstone purges each partner's copy).
    Returns how many referrals were withdrawn."""
    enter(session, actor, "protection.consent.withdraw", "protection.write")
    row = session.get(Consent, consent_id)
    if row is None or row.person_id != person_id:
        raise NotFound(f"no consent {consent_id}")
    if row.withdrawn_at is not None:
        return 0
    row.withdrawn_at = clock.now()
    row.withdrawn_by = actor.handle
    row.withdrawal_note = note
    session.flush()
    done = 0
    if row.purpose == "referral" and standing(session, person_id, "referral") is None:
        found = session.get(ProtectedPerson, person_id)
        assert found is not None
        done = _withdraw_referrals(session, keys, actor, found, "consent withdrawn")
    _audit(session, actor, "protection.consent.withdraw", person_id, referrals=done)
    return done


def _withdraw_referrals(
    session: Session, keys: NodeKeys, actor: Principal, found: ProtectedPerson, reason: str
) -> int:
    ids = session.scalars(
        select(ReferralRow.id).where(
            ReferralRow.reference == found.reference, ReferralRow.origin == keys.node_id
        )
    ).all()
    done = 0
    for rid in ids:
        row = session.get(StoredRecord, rid)
        if row is not None and row.state == "active":
            records.revoke(session, keys, actor=actor, record_id=rid, reason=reason)
            done += 1
    return done


# --- referrals ---------------------------------------------------------------------------------


def _audience(session: Session, to: list[str], own: str) -> Audience:
    nodes = []
    for t in dict.fromkeys(x.strip() for x in to):
        if not NODE_ID_RE.fullmatch(t):
            raise InvalidInput(f"to: {t!r} is not a node id", field="to")
        if t == own:
            continue  # a service here: the record stays at this node
        if session.get(Peer, t) is None:
            raise InvalidInput(f"to: {t} is not a partner of this node", field="to")
        nodes.append(t)
    return Audience(nodes=nodes)


def _kept_from(session: Session, found: ProtectedPerson) -> tuple[str, ...]:
    """The nodes an asylum seeker's data must never reach: those of the country they fled."""
    if not found.never_share_with_origin or not found.nationality:
        return ()
    return tuple(
        session.scalars(select(Peer.node_id).where(Peer.country == found.nationality)).all()
    )


def _minimised(found: ProtectedPerson, service: str, pseudonymise: bool) -> dict[str, Any]:
    wanted = SERVICE_FIELDS[service] - ({"name"} if pseudonymise else set())
    person: dict[str, Any] = {"birth_year": found.birth_year, "sex": found.sex}
    values = {
        "name": found.name,
        "nationality": found.nationality,
        "languages": list(found.languages),
        "child": found.child,
        "unaccompanied": found.unaccompanied,
        "separated": found.separated,
    }
    person.update({k: v for k, v in values.items() if k in wanted})
    return person


def refer(
    session: Session, keys: NodeKeys, *, actor: Principal, data: ReferralIn
) -> dict[str, Any]:
    """Refer a person to a service: here (no `to`) or at partners' protection compartments.
    The person screened now (`data.person`) is recorded first, with the consent given now."""
    enter(session, actor, "protection.referral.create", "protection.write")
    audience = _audience(session, data.to, keys.node_id)
    if data.person is not None:
        found = create_person(session, actor=actor, data=data.person)
    else:
        assert data.person_id is not None
        maybe = session.get(ProtectedPerson, data.person_id)
        if maybe is None:
            raise InvalidInput(f"person_id: no person {data.person_id}", field="person_id")
        found = maybe
    if data.consent is not None:
        record_consent(session, actor=actor, person_id=found.id, data=data.consent)
    consent = standing(session, found.id, "referral")
    if consent is None:
        raise InvalidInput(
            "consent: the person has not given (or has withdrawn) consent to a referral; "
            "nothing is shared without it",
            field="consent",
        )
    labels = Labels(
        tlp="AMBER+STRICT",
        handling="H3",
        handling_note=HANDLING_NOTE,
        forward="none",
        purpose="protection",
        expires=found.retain_until,
    )
    source = flow.Source(
        ref=f"protection-person:{found.reference}",
        origin=keys.node_id,
        tlp="AMBER+STRICT",
        purpose="protection",
        handling="H3",
        handling_note=HANDLING_NOTE,
        path="export",
        name=found.reference,
        never_to=_kept_from(session, found),
    )
    body = {
        "reference": found.reference,
        "service": data.service,
        "person": _minimised(found, data.service, data.pseudonymise),
        "needs": list(data.needs),
        "consent": {"purposes": ["referral"], "given_at": clock.iso(consent.recorded_at)},
        "note": data.note,
    }
    return records.create(
        session,
        keys,
        actor=actor,
        type=REFERRAL_TYPE,
        body=body,
        labels=labels,
        audience=audience,
        sources=[source],
    )


def referrals(session: Session, node_id: str, *, actor: Principal) -> list[ReferralRow]:
    """The referrals this actor may see, sent and received, the latest first."""
    enter(session, actor, "protection.referral.list", "protection.read")
    rows = visible_rows(session, ReferralRow, node_id, actor)
    rows.sort(key=lambda r: r.sent_at, reverse=True)
    records.audit_listing(session, actor=actor, type=REFERRAL_TYPE, ids=[str(r.id) for r in rows])
    return rows


def referral(
    session: Session, node_id: str, *, actor: Principal, referral_id: uuid.UUID
) -> dict[str, Any]:
    enter(session, actor, "protection.referral.read", "protection.read")
    return records.get_of_type(
        session, node_id, actor=actor, record_id=referral_id, type=REFERRAL_TYPE
    )


def answer(
    session: Session,
    keys: NodeKeys,
    *,
    actor: Principal,
    referral_id: uuid.UUID,
    data: StatusIn,
) -> dict[str, Any]:
    """The service's answer to a referral it received (or, for a service here, the officer's
    record of it): a record back to the referring node, labelled as the referral is."""
    env = referral(session, keys.node_id, actor=actor, referral_id=referral_id)
    actor.require("protection.write")
    if env.get("body") is None:
        raise InvalidInput("referral: it was withdrawn", field="referral")
    here = env["origin"] == keys.node_id
    if here and env["audience"]["nodes"]:
        raise InvalidInput(
            "referral: the service it was sent to answers it, not the referring node",
            field="referral",
        )
    return records.create(
        session,
        keys,
        actor=actor,
        type=STATUS_TYPE,
        body={"referral": str(referral_id), "status": data.status, "note": data.note},
        labels=flow.inherited_labels(env),
        audience=Audience(nodes=[] if here else [env["origin"]]),
        sources=[flow.of_record(env, path="reply")],
    )


def referrals_of(session: Session, node_id: str, found: ProtectedPerson) -> list[ReferralRow]:
    """This node's referrals of one person."""
    return list(
        session.scalars(
            select(ReferralRow)
            .where(ReferralRow.reference == found.reference, ReferralRow.origin == node_id)
            .order_by(ReferralRow.sent_at.desc())
        )
    )


def access_log(session: Session, *, actor: Principal, limit: int = 200) -> list[AuditEntry]:
    """Everything done in the compartment, and every attempt to reach it from outside, the
    latest first: for its supervisors (their reading of it is audited too)."""
    enter(session, actor, "protection.access_log", "protection.supervise")
    rows, _total = audit.search(session, audit.AuditFilter(object_type="protection"), limit=limit)
    _audit(session, actor, "protection.access_log", "", count=len(rows))
    return rows


def references(session: Session, ids: list[str]) -> dict[str, str]:
    """The references of the people among `ids` still held here (person id → reference)."""
    keys = []
    for i in ids:
        try:
            keys.append(uuid.UUID(i))
        except ValueError:
            continue
    rows = session.execute(
        select(ProtectedPerson.id, ProtectedPerson.reference).where(ProtectedPerson.id.in_(keys))
    )
    return {str(pid): ref for pid, ref in rows}


def purge_due(session: Session, keys: NodeKeys, *, actor: Principal, limit: int = 200) -> int:
    """Retention: people past their time leave with their consent, and what was sent about
    them is withdrawn everywhere (received copies expire with the record's own expiry)."""
    due = session.scalars(
        select(ProtectedPerson)
        .where(ProtectedPerson.retain_until <= clock.now())
        .order_by(ProtectedPerson.retain_until)
        .limit(limit)
    ).all()
    for found in due:
        withdrawn = _withdraw_referrals(session, keys, actor, found, "retention period over")
        for c in consents(session, found.id):
            session.delete(c)
        for sc in screenings(session, found.id):
            session.delete(sc)
        session.execute(delete(Finding).where(Finding.person_id == found.id))
        session.delete(found)
        _audit(session, actor, "protection.person.purge", found.id, referrals=withdrawn)
    return len(due)
