"""What protection officers send and what a referral record carries.

A referral carries only what the receiving service needs (`SERVICE_FIELDS`): field-level
minimisation is decided here, once, for the API, the pages and the record alike."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from corridor import clock
from corridor.countries import CountryCode
from corridor.i18n import N_, gettext
from corridor.protection.indicators import BY_CODE, ITEMS, Item
from corridor.protection.indicators import Answer as Reply
from corridor.records.schemas import Answer, record_out
from corridor.schemas import StrictModel, UtcDateTime, trimmed_texts

REFERRAL_TYPE = "protection.referral"
# What the service referred to says of a referral: a record back to the referring node.
STATUS_TYPE = "protection.referral.status"

Service = Literal[
    "shelter", "medical", "legal", "psychosocial", "child_protection", "return_reintegration"
]
SERVICE_LABELS = {
    "shelter": N_("Shelter"),
    "medical": N_("Medical care"),
    "legal": N_("Legal aid"),
    "psychosocial": N_("Psychosocial support"),
    "child_protection": N_("Child protection"),
    "return_reintegration": N_("Return and reintegration"),
}
Sex = Literal["female", "male", "other", "unknown"]
SEX_LABELS = {
    "female": N_("Female"),
    "male": N_("Male"),
    "other": N_("Other"),
    "unknown": N_("Not known"),
}
# What a person consents to, one purpose at a time. `referral`: referral to the service named
# (here or in a partner country, as the person was told). `sharing`: passing what the
# screening found to another country's service beyond what a referral carries.
ConsentPurpose = Literal["referral", "sharing"]
CONSENT_PURPOSE_LABELS = {
    "referral": N_("Referral to a service"),
    "sharing": N_("Sharing with another country's service"),
}
ConsentMethod = Literal["oral", "written"]

# Field-level minimisation: beside the reference, sex, birth year and needs, the person's
# fields a referral to each service carries. The name only where the service must know who
# comes (and never when the officer pseudonymises the referral).
SERVICE_FIELDS: dict[str, frozenset[str]] = {
    "shelter": frozenset({"name", "languages", "child", "unaccompanied"}),
    "medical": frozenset({"name", "languages", "child"}),
    "legal": frozenset({"name", "nationality", "languages", "child", "unaccompanied"}),
    "psychosocial": frozenset({"languages", "child"}),
    "child_protection": frozenset({"name", "languages", "child", "unaccompanied", "separated"}),
    "return_reintegration": frozenset({"name", "nationality", "languages", "child"}),
}

# Retention of a screened person (and of everything that follows from them), in days.
RETAIN_DAYS_DEFAULT = 365
RETAIN_DAYS_MAX = 3650

Needs = Annotated[
    list[str], trimmed_texts(200, "each need is 1 to 200 characters"), Field(max_length=20)
]
Languages = Annotated[
    list[str], trimmed_texts(40, "each language is 1 to 40 characters"), Field(max_length=10)
]


def _birth_year_ok(year: int | None) -> int | None:
    if year is not None and not 1900 <= year <= clock.now().year:
        raise ValueError(f"birth_year must lie between 1900 and {clock.now().year}")
    return year


class PersonIn(StrictModel):
    """A person screened: who they are as far as protection needs, and how long it is kept."""

    name: str = Field(min_length=1, max_length=300)
    birth_year: int | None = None
    sex: Sex = "unknown"
    nationality: CountryCode | None = Field(
        default=None, description="ISO 3166-1 alpha-2 (alpha-3 accepted)"
    )
    languages: Languages = Field(default_factory=list)
    interpreter_language: str | None = Field(default=None, max_length=40)
    child: bool = False
    unaccompanied: bool = False
    separated: bool = False
    never_share_with_origin: bool = Field(
        default=False,
        description="an asylum seeker: nothing about them reaches a node of their nationality",
    )
    retain_days: int = Field(default=RETAIN_DAYS_DEFAULT, ge=30, le=RETAIN_DAYS_MAX)

    @model_validator(mode="after")
    def _coherent(self) -> PersonIn:
        _birth_year_ok(self.birth_year)
        if (self.unaccompanied or self.separated) and not self.child:
            raise ValueError("child: an unaccompanied or separated person is a child")
        if self.never_share_with_origin and not self.nationality:
            raise ValueError("nationality: needed to keep the person's data from that country")
        return self


class ConsentIn(StrictModel):
    """Consent given (or refused) now, for one or more purposes, as the person was told."""

    given: bool
    purposes: list[ConsentPurpose] = Field(min_length=1, max_length=2)
    method: ConsentMethod = "oral"
    note: str = Field(default="", max_length=2000)


class WithdrawConsentIn(StrictModel):
    note: str = Field(default="", max_length=2000)


class ScreeningIn(StrictModel):
    """A structured interview: an answer per indicator asked (`protection.indicators`; those
    not asked are left out), and for a child the age assessment and the best-interests
    determination referral."""

    answers: dict[str, Reply] = Field(max_length=len(ITEMS))
    language: str | None = Field(default=None, max_length=40)
    interpreter_language: str | None = Field(default=None, max_length=40)
    location: str = Field(default="", max_length=200)
    route: str | None = Field(default=None, max_length=120)
    age_assessment_note: str | None = Field(default=None, max_length=2000)
    best_interests_referral: bool = False
    notes: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _known(self) -> ScreeningIn:
        unknown = sorted(set(self.answers) - set(BY_CODE))
        if unknown:
            raise ValueError(f"answers: no indicator {', '.join(unknown)}")
        return self


class ReferralIn(StrictModel):
    """`POST /api/v1/protection/referrals`: refer a person screened here (`person_id`) or
    screened now (`person`, with the consent they give now) to a service here (no `to`) or
    at partner nodes' protection compartments."""

    to: list[str] = Field(default_factory=list, max_length=20)
    service: Service
    person: PersonIn | None = None
    person_id: uuid.UUID | None = None
    needs: Needs = Field(default_factory=list)
    consent: ConsentIn | None = None
    note: str = Field(default="", max_length=2000)
    pseudonymise: bool = Field(
        default=False, description="send the person's reference instead of their name"
    )

    @model_validator(mode="after")
    def _one_person(self) -> ReferralIn:
        if (self.person is None) == (self.person_id is None):
            raise ValueError("person: give the person screened now, or person_id")
        return self


class ReferredPerson(StrictModel):
    """The person as a referral carries them: only the fields its service needs."""

    name: str | None = Field(default=None, max_length=300)
    birth_year: int | None = Field(default=None, ge=1900, le=2200)
    sex: Sex = "unknown"
    nationality: CountryCode | None = None
    languages: Languages = Field(default_factory=list)
    child: bool | None = None
    unaccompanied: bool | None = None
    separated: bool | None = None


class ConsentCarried(StrictModel):
    purposes: list[ConsentPurpose] = Field(min_length=1, max_length=2)
    given_at: UtcDateTime


class ReferralBody(StrictModel):
    """The body of a `protection.referral` record."""

    reference: str = Field(min_length=1, max_length=20)
    service: Service
    person: ReferredPerson
    needs: Needs = Field(default_factory=list)
    consent: ConsentCarried
    note: str = Field(default="", max_length=2000)


Status = Literal["received", "accepted", "declined", "in_care", "closed"]
STATUS_LABELS = {
    "sent": N_("Sent, no answer yet"),
    "received": N_("Received"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "in_care": N_("In care"),
    "closed": N_("Closed"),
}


class StatusIn(StrictModel):
    """`POST /api/v1/protection/referrals/{id}/status`: the receiving service's answer."""

    status: Status
    note: str = Field(default="", max_length=2000, description="feedback for the referrer")


class StatusBody(StrictModel):
    """The body of a `protection.referral.status` record."""

    referral: uuid.UUID
    status: Status
    note: str = Field(default="", max_length=2000)


# --- answers -------------------------------------------------------------------------------------


class Out(Answer):
    """An answer read off the compartment's rows."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


class ConsentOut(Out):
    id: uuid.UUID
    purpose: ConsentPurpose
    given: bool
    method: ConsentMethod
    note: str
    recorded_by: str
    recorded_at: UtcDateTime
    withdrawn_at: UtcDateTime | None = None
    withdrawn_by: str | None = None
    withdrawal_note: str | None = None


class ReferralItem(Out):
    """A referral in a list: sent from this node (`origin` is this node) or received."""

    id: uuid.UUID
    reference: str
    service: Service
    person_name: str | None = None
    birth_year: int | None = None
    sex: Sex
    needs: list[str]
    origin: str
    audience: list[str] = Field(description="the partner nodes it was sent to")
    sent_at: UtcDateTime
    version: int
    status: str = Field(description="sent (no answer yet), or the service's latest answer")
    status_note: str | None = None
    status_at: UtcDateTime | None = None
    status_node: str | None = None


class ScreeningOut(Out):
    id: uuid.UUID
    interviewer: str
    interviewed_at: UtcDateTime
    language: str | None = None
    interpreter_language: str | None = None
    location: str
    route: str | None = None
    answers: dict[str, Reply]
    age_assessment_note: str | None = None
    best_interests_referral: bool
    notes: str
    profile: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict,
        description="per group (or vulnerability level): the items answered yes, by side",
    )


class PersonOut(Out):
    id: uuid.UUID
    reference: str
    name: str
    birth_year: int | None = None
    sex: Sex
    nationality: str | None = None
    languages: list[str]
    interpreter_language: str | None = None
    child: bool
    unaccompanied: bool
    separated: bool
    never_share_with_origin: bool
    officer: str
    created_at: UtcDateTime
    retain_until: UtcDateTime
    consents: list[ConsentOut] = Field(default_factory=list)
    screenings: list[ScreeningOut] = Field(default_factory=list)
    referrals: list[ReferralItem] = Field(default_factory=list)


class PeopleOut(Out):
    items: list[PersonOut]


class IndicatorOut(Out):
    code: str
    group: str
    level: str | None = None
    side: str | None = None
    label: str
    prompt: str

    @classmethod
    def of(cls, item: Item) -> IndicatorOut:
        return cls(
            code=item.code,
            group=item.group,
            level=item.level,
            side=item.side,
            label=gettext(item.label),
            prompt=gettext(item.prompt),
        )


class IndicatorsOut(Out):
    items: list[IndicatorOut]


class ConsentsOut(Out):
    items: list[ConsentOut]


class WithdrawnOut(Out):
    consent: ConsentOut
    withdrawn_referrals: int = Field(description="referrals withdrawn with it, everywhere")


class ReferralsOut(Out):
    items: list[ReferralItem]


ReferralOut = record_out(ReferralBody, "ReferralOut")
StatusOut = record_out(StatusBody, "StatusOut")


# What each entry of the compartment's access log says it was (the audit's action codes).
ACTION_LABELS = {
    "protection.person.create": N_("Recorded a person"),
    "protection.person.read": N_("Opened a person's file"),
    "protection.person.list": N_("Listed the people screened"),
    "protection.person.purge": N_("Purged at the end of retention"),
    "protection.screening.create": N_("Recorded a screening"),
    "protection.consent.record": N_("Recorded consent"),
    "protection.consent.withdraw": N_("Recorded a withdrawal of consent"),
    "protection.access_log": N_("Read this access log"),
    "record.create": N_("Sent a referral"),
    "record.read": N_("Read a referral"),
    "record.list": N_("Listed referrals"),
    "record.revoke": N_("Withdrew a referral"),
    "record.receive": N_("Received a referral"),
    "record.expire": N_("A referral expired"),
}


class AccessEntry(Out):
    at: UtcDateTime
    actor: str
    action: str
    outcome: str = Field(description="ok, or denied: someone outside the compartment tried")
    object_type: str
    object_id: str
    reference: str | None = Field(default=None, description="the person's, while still held")


class AccessLogOut(Out):
    items: list[AccessEntry]


class CountCell(Out):
    key: str
    count: int | None = Field(description="null when suppressed")
    suppressed: bool


class AggregatesOut(Out):
    by: str
    threshold: int = Field(description="counts under it are suppressed")
    total: int | None = Field(description="people screened; null when under the threshold")
    items: list[CountCell]
