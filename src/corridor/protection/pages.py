"""The protection compartment in the web UI: /protection (people screened here, referrals sent
and received), screening a person, their file (consent given and withdrawn, referrals made),
and a referral as its receiver reads it. To anyone outside the compartment each page answers
404, as the API does."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from corridor.federation.peers import approved_peers, node_names
from corridor.i18n import N_
from corridor.i18n import gettext as _
from corridor.node.service import Node
from corridor.protection import service
from corridor.protection.aggregates import THRESHOLD, By, counts
from corridor.protection.indicators import (
    ANSWER_LABELS,
    BY_CODE,
    GROUP_LABELS,
    ITEMS,
    LEVEL_LABELS,
    SIDE_LABELS,
)
from corridor.protection.models import ReferralRow
from corridor.protection.schemas import (
    ACTION_LABELS,
    CONSENT_PURPOSE_LABELS,
    RETAIN_DAYS_DEFAULT,
    SERVICE_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    ConsentIn,
    PersonIn,
    ReferralIn,
    ScreeningIn,
    StatusIn,
)
from corridor.web.auth import Auth, node_of
from corridor.web.forms import act_form, save_form, typed
from corridor.web.params import Checked, Description, Name, PageAuth
from corridor.web.render import own_label, page

router = APIRouter(include_in_schema=False, prefix="/protection")

LABELS = {
    "statuses": STATUS_LABELS,
    "services": SERVICE_LABELS,
    "sexes": SEX_LABELS,
    "consent_purposes": CONSENT_PURPOSE_LABELS,
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.get("", response_class=HTMLResponse)
def home(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        people = service.people(session, actor=auth.principal)
        referrals = service.referrals(session, node.id, actor=auth.principal)
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "protection/index.html",
        {
            "people": people,
            "sent": [r for r in referrals if r.origin == node.id],
            "received": [r for r in referrals if r.origin != node.id],
            "names": names,
            "may_write": auth.principal.has("protection.write"),
            "supervises": auth.principal.has("protection.supervise"),
            **LABELS,
        },
    )


class ScreeningForm(BaseModel):
    """The screening form's fields, as typed: the person, and the consent they give now."""

    name: Name = ""
    birth_year: Annotated[str, Field(max_length=4, pattern=r"^\d{0,4}$")] = ""
    sex: Annotated[str, Field(max_length=10)] = "unknown"
    nationality: Annotated[str, Field(max_length=3)] = ""
    languages: Annotated[str, Field(max_length=400)] = ""
    interpreter_language: Annotated[str, Field(max_length=40)] = ""
    child: Checked = None
    unaccompanied: Checked = None
    separated: Checked = None
    never_share_with_origin: Checked = None
    retain_days: Annotated[str, Field(max_length=4, pattern=r"^\d{0,4}$")] = str(
        RETAIN_DAYS_DEFAULT
    )
    consent: Checked = None
    consent_method: Annotated[str, Field(max_length=10)] = "oral"
    consent_note: Description = ""

    def person(self) -> PersonIn:
        return PersonIn(
            name=self.name,
            birth_year=int(self.birth_year) if self.birth_year else None,
            sex=self.sex,
            nationality=self.nationality or None,
            languages=[x.strip() for x in self.languages.split(",") if x.strip()],
            interpreter_language=self.interpreter_language or None,
            child=bool(self.child),
            unaccompanied=bool(self.unaccompanied),
            separated=bool(self.separated),
            never_share_with_origin=bool(self.never_share_with_origin),
            retain_days=int(self.retain_days or RETAIN_DAYS_DEFAULT),
        )

    def consent_given(self) -> ConsentIn | None:
        if not self.consent:
            return None
        return ConsentIn(
            given=True,
            purposes=self.consent,
            method=self.consent_method,
            note=self.consent_note,
        )


def _screening_page(
    request: Request, auth: Auth, form: ScreeningForm, *, error: str = "", status: int = 200
) -> HTMLResponse:
    service.require(auth.principal, "protection.write")
    return page(
        request,
        "protection/screen.html",
        {"form": form, "error": error, **LABELS},
        status=status,
    )


@router.get("/people/new", response_class=HTMLResponse)
def screen(request: Request, auth: PageAuth) -> HTMLResponse:
    return _screening_page(request, auth, ScreeningForm())


@router.post("/people/new", response_class=HTMLResponse)
def screened(
    request: Request,
    auth: PageAuth,
    form: Annotated[ScreeningForm, Depends(typed(ScreeningForm))],
) -> Response:
    def save(session: Session, _node: Node) -> uuid.UUID:
        person = form.person()
        found = service.create_person(session, actor=auth.principal, data=person)
        given = form.consent_given()
        if given is not None:
            service.record_consent(session, actor=auth.principal, person_id=found.id, data=given)
        return found.id

    def done(person_id: uuid.UUID) -> tuple[str, str]:
        return f"/protection/people/{person_id}", _("Person recorded.")

    again = partial(_screening_page, request, auth, form)
    return save_form(request, auth, save=save, done=done, again=again)


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person(request: Request, auth: PageAuth, person_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        found = service.person(session, actor=auth.principal, person_id=person_id)
        consents = service.consents(session, found.id)
        referrals = service.referrals_of(session, node.id, found)
        standing = {p: service.standing(session, found.id, p) for p in CONSENT_PURPOSE_LABELS}
        interviews = [
            {"s": sc, "profile": service.profile(sc.answers)}
            for sc in service.screenings(session, found.id)
        ]
        peers = approved_peers(session)
        names = node_names(session, node.id, own_label(request))
    return page(
        request,
        "protection/person.html",
        {
            "p": found,
            "consents": consents,
            "interviews": interviews,
            "items": ITEMS,
            "groups": GROUP_LABELS,
            "levels": LEVEL_LABELS,
            "sides": SIDE_LABELS,
            "answers": ANSWER_LABELS,
            "by_code": BY_CODE,
            "referrals": referrals,
            "standing": standing,
            "peers": peers,
            "names": names,
            "may_write": auth.principal.has("protection.write"),
            **LABELS,
        },
    )


@router.post("/people/{person_id}/screenings")
async def screened_again(request: Request, auth: PageAuth, person_id: uuid.UUID) -> Response:
    """The interview form: an answer per indicator (`a_<code>`; those left unanswered were not
    asked), and the interview's own fields."""
    posted = await request.form()

    def text(name: str) -> str:
        value = posted.get(name)
        return value.strip() if isinstance(value, str) else ""

    def act(session: Session, _node: Node) -> object:
        answers = {i.code: text(f"a_{i.code}") for i in ITEMS if text(f"a_{i.code}")}
        data = ScreeningIn.model_validate(
            {
                "answers": answers,
                "language": text("language") or None,
                "interpreter_language": text("interpreter_language") or None,
                "location": text("location"),
                "route": text("route") or None,
                "age_assessment_note": text("age_assessment_note") or None,
                "best_interests_referral": text("best_interests_referral") == "yes",
                "notes": text("notes"),
            }
        )
        return service.screen(session, actor=auth.principal, person_id=person_id, data=data)

    back = f"/protection/people/{person_id}"
    return await run_in_threadpool(
        act_form, request, auth, act=act, back=back, done=N_("Screening recorded.")
    )


@router.post("/people/{person_id}/consents")
def consent(
    request: Request,
    auth: PageAuth,
    person_id: uuid.UUID,
    purposes: Checked = None,
    method: Annotated[str, Form(max_length=10)] = "oral",
    given: Annotated[str, Form(max_length=3)] = "yes",
    note: Description = "",
) -> Response:
    def act(session: Session, _node: Node) -> object:
        data = ConsentIn.model_validate(
            {"given": given == "yes", "purposes": purposes or [], "method": method, "note": note}
        )
        return service.record_consent(session, actor=auth.principal, person_id=person_id, data=data)

    back = f"/protection/people/{person_id}"
    return act_form(request, auth, act=act, back=back, done=N_("Consent recorded."))


@router.post("/people/{person_id}/consents/{consent_id}/withdraw")
def withdraw_consent(
    request: Request,
    auth: PageAuth,
    person_id: uuid.UUID,
    consent_id: uuid.UUID,
    note: Description = "",
) -> Response:
    def act(session: Session, node: Node) -> int:
        return service.withdraw_consent(
            session,
            node.keys,
            actor=auth.principal,
            person_id=person_id,
            consent_id=consent_id,
            note=note,
        )

    def done(count: int) -> str:
        return _("Consent withdrawn; %(n)d referral(s) withdrawn from every node.") % {"n": count}

    back = f"/protection/people/{person_id}"
    return act_form(request, auth, act=act, back=back, done=done)


@router.post("/people/{person_id}/refer")
def refer(
    request: Request,
    auth: PageAuth,
    person_id: uuid.UUID,
    service_name: Annotated[str, Form(max_length=30, alias="service")] = "",
    to: Annotated[str, Form(max_length=26)] = "",
    needs: Description = "",
    note: Description = "",
    pseudonymise: Checked = None,
) -> Response:
    def act(session: Session, node: Node) -> dict[str, Any]:
        data = ReferralIn.model_validate(
            {
                "to": [to] if to else [],
                "service": service_name,
                "person_id": person_id,
                "needs": _lines(needs),
                "note": note,
                "pseudonymise": bool(pseudonymise),
            }
        )
        return service.refer(session, node.keys, actor=auth.principal, data=data)

    back = f"/protection/people/{person_id}"
    return act_form(request, auth, act=act, back=back, done=N_("Referral sent."))


BY_LABELS: dict[By, str] = {
    "nationality": N_("Nationality"),
    "route": N_("Route"),
    "sex": N_("Sex"),
    "age_band": N_("Age band"),
    "vulnerability": N_("Vulnerability type"),
}


@router.get("/counts", response_class=HTMLResponse)
def counted(request: Request, auth: PageAuth) -> HTMLResponse:
    """The counts that leave the compartment, as risk analysts read them."""
    node = node_of(request)
    with node.db.transaction() as session:
        tables = {by: counts(session, actor=auth.principal, by=by) for by in BY_LABELS}
    return page(
        request,
        "protection/counts.html",
        {
            "tables": tables,
            "by_labels": BY_LABELS,
            "by_code": BY_CODE,
            "threshold": THRESHOLD,
            "sexes_shown": SEX_LABELS,
        },
    )


@router.get("/access", response_class=HTMLResponse)
def access(request: Request, auth: PageAuth) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        rows = service.access_log(session, actor=auth.principal)
        refs = service.references(session, [r.object_id for r in rows])
    return page(
        request,
        "protection/access.html",
        {"rows": rows, "refs": refs, "actions": ACTION_LABELS},
    )


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral(request: Request, auth: PageAuth, referral_id: uuid.UUID) -> HTMLResponse:
    node = node_of(request)
    with node.db.transaction() as session:
        env = service.referral(session, node.id, actor=auth.principal, referral_id=referral_id)
        row = session.get(ReferralRow, referral_id)
        names = node_names(session, node.id, own_label(request))
    received = env["origin"] != node.id or not env["audience"]["nodes"]
    return page(
        request,
        "protection/referral.html",
        {
            "e": env,
            "b": env.get("body"),
            "row": row,
            "names": names,
            "may_answer": received
            and env.get("body") is not None
            and auth.principal.has("protection.write"),
            **LABELS,
        },
    )


@router.post("/referrals/{referral_id}/status")
def answered(
    request: Request,
    auth: PageAuth,
    referral_id: uuid.UUID,
    status: Annotated[str, Form(max_length=20)] = "",
    note: Description = "",
) -> Response:
    def act(session: Session, node: Node) -> dict[str, Any]:
        data = StatusIn.model_validate({"status": status, "note": note})
        return service.answer(
            session, node.keys, actor=auth.principal, referral_id=referral_id, data=data
        )

    back = f"/protection/referrals/{referral_id}"
    return act_form(request, auth, act=act, back=back, done=N_("Answer sent to the referrer."))
