"""REST API: /api/v1/protection (people screened, consent, referrals). Protection roles only:
to anyone else every route answers 404, as for a path that does not exist."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from corridor.clock import as_utc
from corridor.protection import service
from corridor.protection.aggregates import By, counts
from corridor.protection.indicators import ITEMS
from corridor.protection.models import ProtectedPerson, Screening
from corridor.protection.schemas import (
    AccessEntry,
    AccessLogOut,
    AggregatesOut,
    ConsentIn,
    ConsentOut,
    ConsentsOut,
    IndicatorOut,
    IndicatorsOut,
    PeopleOut,
    PersonIn,
    PersonOut,
    ReferralIn,
    ReferralItem,
    ReferralOut,
    ReferralsOut,
    ScreeningIn,
    ScreeningOut,
    StatusIn,
    StatusOut,
    WithdrawConsentIn,
    WithdrawnOut,
)
from corridor.records.schemas import record_view
from corridor.web.endpoints import Api, answer, as_json

router = APIRouter(prefix="/api/v1/protection", tags=["protection"])


def _screening_out(row: Screening) -> ScreeningOut:
    out = ScreeningOut.model_validate(row)
    out.profile = service.profile(row.answers)
    return out


def _person_out(session: Session, node_id: str, found: ProtectedPerson) -> PersonOut:
    out = PersonOut.model_validate(found)
    out.consents = [ConsentOut.model_validate(c) for c in service.consents(session, found.id)]
    out.screenings = [_screening_out(s) for s in service.screenings(session, found.id)]
    out.referrals = [
        ReferralItem.model_validate(r) for r in service.referrals_of(session, node_id, found)
    ]
    return out


@router.post("/people", status_code=201, response_model=PersonOut)
def create_person(api: Api, payload: PersonIn) -> Response:
    """Record a person screened here (kept for `retain_days`, then purged)."""
    with api.transaction() as session:
        found = service.create_person(session, actor=api.actor, data=payload)
        out = _person_out(session, api.node.id, found)
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


@router.get("/people", response_model=PeopleOut)
def people(api: Api) -> Response:
    with api.transaction() as session:
        rows = service.people(session, actor=api.actor)
        out = PeopleOut(items=[PersonOut.model_validate(r) for r in rows])
    return as_json(out)


@router.get("/people/{person_id}", response_model=PersonOut)
def person(api: Api, person_id: uuid.UUID) -> Response:
    """A person, with their consent (history included) and this node's referrals of them."""
    with api.transaction() as session:
        found = service.person(session, actor=api.actor, person_id=person_id)
        out = _person_out(session, api.node.id, found)
    return as_json(out)


@router.post("/people/{person_id}/screenings", status_code=201, response_model=ScreeningOut)
def screen(api: Api, person_id: uuid.UUID, payload: ScreeningIn) -> Response:
    """A structured interview: the answers per indicator (`GET .../indicators` lists them),
    and what it found per group and vulnerability level (never a single score)."""
    with api.transaction() as session:
        row = service.screen(session, actor=api.actor, person_id=person_id, data=payload)
        out = _screening_out(row)
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


@router.get("/indicators", response_model=IndicatorsOut)
def indicators(api: Api) -> Response:
    """What a screening asks: each item's code, group, level and side, label and prompt, in the
    caller's language."""
    service.require(api.actor)
    return as_json(IndicatorsOut(items=[IndicatorOut.of(i) for i in ITEMS]))


@router.post("/people/{person_id}/consents", status_code=201, response_model=ConsentsOut)
def consent(api: Api, person_id: uuid.UUID, payload: ConsentIn) -> Response:
    """Consent given (or refused) now, for each purpose named."""
    with api.transaction() as session:
        rows = service.record_consent(session, actor=api.actor, person_id=person_id, data=payload)
        out = ConsentsOut(items=[ConsentOut.model_validate(r) for r in rows])
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


@router.post("/people/{person_id}/consents/{consent_id}/withdraw", response_model=WithdrawnOut)
def withdraw_consent(
    api: Api, person_id: uuid.UUID, consent_id: uuid.UUID, payload: WithdrawConsentIn
) -> Response:
    """The person withdraws a consent: what was shared for it is withdrawn from every node."""
    with api.transaction() as session:
        done = api.run(
            session,
            service.withdraw_consent,
            person_id=person_id,
            consent_id=consent_id,
            note=payload.note,
        )
        row = next(c for c in service.consents(session, person_id) if c.id == consent_id)
        out = WithdrawnOut(consent=ConsentOut.model_validate(row), withdrawn_referrals=done)
    return as_json(out)


@router.get("/access-log", response_model=AccessLogOut)
def access_log(api: Api) -> Response:
    """For the compartment's supervisors: everything done in it, and every attempt from
    outside it, the latest first (200 entries)."""
    with api.transaction() as session:
        rows = service.access_log(session, actor=api.actor)
        refs = service.references(session, [r.object_id for r in rows])
        out = AccessLogOut(
            items=[
                AccessEntry(
                    at=r.ts,
                    actor=r.actor,
                    action=r.action,
                    outcome=r.outcome,
                    object_type=r.object_type,
                    object_id=r.object_id,
                    reference=refs.get(r.object_id),
                )
                for r in rows
            ]
        )
    return as_json(out)


@router.get("/aggregates", response_model=AggregatesOut)
def aggregates(
    api: Api,
    by: Annotated[By, Query(description="what the people screened are counted by")],
    since: Annotated[datetime | None, Query(description="screened from (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="screened before (ISO 8601)")] = None,
) -> Response:
    """Counts of the people screened here, for risk analysis (risk and protection roles): by
    nationality, route, sex, age band or vulnerability type. Counts under the threshold are
    suppressed (`count` null), with a second one beside a lone suppressed count."""
    with api.transaction() as session:
        made = counts(
            session,
            actor=api.actor,
            by=by,
            since=as_utc(since) if since else None,
            until=as_utc(until) if until else None,
        )
    return answer(made)


@router.post("/referrals", status_code=201, response_model=ReferralOut)
def refer(api: Api, payload: ReferralIn) -> Response:
    """Refer a person to a service here (no `to`) or at partners' protection compartments
    (`to`: node ids). Nothing is sent without the person's consent to a referral; the record
    carries only what the service needs, and never reaches a node of the country a person
    flagged `never_share_with_origin` fled."""
    with api.transaction() as session:
        envelope = api.run(session, service.refer, data=payload)
    return answer(record_view(envelope), 201)


@router.post("/referrals/{referral_id}/status", status_code=201, response_model=StatusOut)
def answer_referral(api: Api, referral_id: uuid.UUID, payload: StatusIn) -> Response:
    """The receiving service's answer (received, accepted, declined, in care, closed) and its
    feedback: a record back to the referring node only, labelled as the referral is."""
    with api.transaction() as session:
        envelope = api.run(session, service.answer, referral_id=referral_id, data=payload)
    return answer(record_view(envelope), 201)


@router.get("/referrals", response_model=ReferralsOut)
def referrals(api: Api) -> Response:
    """The referrals sent from this node and received from partners."""
    with api.transaction() as session:
        rows = service.referrals(session, api.node.id, actor=api.actor)
        out = ReferralsOut(items=[ReferralItem.model_validate(r) for r in rows])
    return as_json(out)


@router.get("/referrals/{referral_id}", response_model=ReferralOut)
def referral(api: Api, referral_id: uuid.UUID) -> Response:
    with api.transaction() as session:
        envelope = service.referral(session, api.node.id, actor=api.actor, referral_id=referral_id)
    return answer(record_view(envelope))
