"""The body of a `contact` record: one card per practitioner or unit, owned by the publishing node;
the API's input (the card with its labels) and answers.

The same model checks a card written here and a card received from a partner, so a partner's
card with an unknown language, time zone or expertise is refused before anything is stored."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
import pycountry
from pydantic import ConfigDict, Field, field_validator, model_validator

from corridor import formats
from corridor.countries import CountryCode
from corridor.i18n import N_
from corridor.records.labels import Labels, LabelsIn, TlpIn
from corridor.schemas import ReadModel, StrictModel, UtcDateTime

EXPERTISE: dict[str, str] = {
    "document_fraud": N_("Document fraud"),
    "maritime": N_("Maritime"),
    "financial": N_("Financial investigations"),
    "online": N_("Online"),
    "protection": N_("Protection"),
    "investigations": N_("Investigations"),
    "risk_analysis": N_("Risk analysis"),
    "liaison": N_("Liaison"),
    "legal": N_("Legal"),
    "forensics": N_("Forensics"),
    "other": N_("Other"),
}
Expertise = Literal[
    "document_fraud",
    "maritime",
    "financial",
    "online",
    "protection",
    "investigations",
    "risk_analysis",
    "liaison",
    "legal",
    "forensics",
    "other",
]
KINDS: dict[str, str] = {"person": N_("Person"), "unit": N_("Unit")}
CHANNELS: dict[str, str] = {
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "signal": "Signal",
    "threema": "Threema",
    "wire": "Wire",
    "sienna": "SIENA",
    "i24_7": "I-24/7",
    "other": N_("Other"),
}
ChannelKind = Literal["phone", "email", "signal", "threema", "wire", "sienna", "i24_7", "other"]
DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS: dict[str, str] = {
    "mon": N_("Mon"),
    "tue": N_("Tue"),
    "wed": N_("Wed"),
    "thu": N_("Thu"),
    "fri": N_("Fri"),
    "sat": N_("Sat"),
    "sun": N_("Sun"),
}
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

MAX_ROTA = 200  # about a quarter of daily shifts; older shifts are dropped by their owner
MAX_HOURS = 21  # three slots a day
MAX_CHANNELS = 20
MAX_LANGUAGES = 30
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Channels that are reached with a phone number (Signal and Threema ids are not numbers).
_PHONE_CHANNELS = frozenset({"phone"})


@cache
def timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    if name not in timezones():
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as Europe/Athens")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


def language_code(value: str) -> str:
    """A lower-case ISO 639-1 code (two letters) that pycountry knows."""
    code = value.strip().lower()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise ValueError(f"{value!r} is not an ISO 639-1 language code (two letters, e.g. ur)")
    if pycountry.languages.get(alpha_2=code) is None:
        raise ValueError(f"unknown language code {value!r} (ISO 639-1, e.g. en, ur, fa)")
    return code


def language_name(code: str) -> str:
    """The language's name in the reader's language (`corridor.formats.language`)."""
    return formats.language(code)


def e164(value: str) -> str:
    """A phone number in international form, normalised to E.164."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError(
            f"{value!r} is not an international phone number (+country code…)"
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


class Hours(StrictModel):
    """Weekly hours on some days, local time of the card's time zone. `to` before `from` is a
    night shift that ends the next morning; "24:00" ends at midnight."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, serialize_by_alias=True
    )

    days: list[Day] = Field(min_length=1, max_length=7)
    start: str = Field(alias="from", pattern=_HHMM.pattern)
    end: str = Field(alias="to", pattern=_HHMM.pattern)

    @field_validator("days")
    @classmethod
    def _ordered(cls, v: list[str]) -> list[str]:
        return [d for d in DAYS if d in v]

    @model_validator(mode="after")
    def _span(self) -> Hours:
        if self.start == "24:00":
            raise ValueError("hours start at 23:59 at the latest")
        if minutes(self.start) == minutes(self.end):
            raise ValueError("hours must not start and end at the same time")
        return self

    def covers(self, local: datetime) -> bool:
        """Whether a local time (in the card's time zone) falls within these hours."""
        now = local.hour * 60 + local.minute
        start, end = minutes(self.start), minutes(self.end)
        today = DAYS[local.weekday()]
        yesterday = DAYS[(local.weekday() - 1) % 7]
        if start < end:
            return today in self.days and start <= now < end
        # Overnight: the evening part today, the morning part from yesterday's shift.
        return (today in self.days and now >= start) or (yesterday in self.days and now < end)


class DutyShift(StrictModel):
    """One shift of the duty rota, in UTC."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, serialize_by_alias=True
    )

    start: UtcDateTime = Field(alias="from")
    end: UtcDateTime = Field(alias="to")
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=40)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return e164(v) if v else None

    @model_validator(mode="after")
    def _order(self) -> DutyShift:
        if self.end <= self.start:
            raise ValueError("a duty shift must end after it starts ('to' after 'from')")
        if self.end - self.start > timedelta(days=31):
            raise ValueError("a duty shift lasts at most 31 days")
        return self


class Availability(StrictModel):
    always: bool = Field(default=False, description="reachable 24/7")
    timezone: str | None = Field(default=None, max_length=64, description="IANA time zone")
    hours: list[Hours] = Field(default_factory=list, max_length=MAX_HOURS)
    rota: list[DutyShift] = Field(default_factory=list, max_length=MAX_ROTA)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return check_timezone(v) if v else None

    @field_validator("rota")
    @classmethod
    def _sorted(cls, v: list[DutyShift]) -> list[DutyShift]:
        return sorted(v, key=lambda s: (s.start, s.end))

    @model_validator(mode="after")
    def _coherent(self) -> Availability:
        if self.always and self.hours:
            raise ValueError("a contact available 24/7 has no weekly hours")
        if self.hours and not self.timezone:
            raise ValueError("weekly hours need the time zone they are in (e.g. Asia/Karachi)")
        return self


class Channel(StrictModel):
    kind: ChannelKind
    value: str = Field(min_length=1, max_length=300)
    note: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _value(self) -> Channel:
        if self.kind in _PHONE_CHANNELS:
            self.value = e164(self.value)
        elif self.kind == "email" and not _EMAIL.match(self.value):
            raise ValueError(f"{self.value!r} is not an e-mail address")
        return self


class ContactBody(StrictModel):
    kind: Literal["person", "unit"]
    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=200, description="function or role title")
    unit: str | None = Field(default=None, max_length=200)
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 (alpha-3 accepted)")
    languages: list[str] = Field(default_factory=list, max_length=MAX_LANGUAGES)
    expertise: list[Expertise] = Field(default_factory=list, max_length=len(EXPERTISE))
    availability: Availability = Field(default_factory=Availability)
    channels: list[Channel] = Field(default_factory=list, max_length=MAX_CHANNELS)
    notes: str | None = Field(default=None, max_length=5000)
    active: bool = True

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str]) -> list[str]:
        out: list[str] = []
        for code in (language_code(c) for c in v):
            if code not in out:
                out.append(code)
        return out

    @field_validator("expertise")
    @classmethod
    def _expertise(cls, v: list[str]) -> list[str]:
        return [e for e in EXPERTISE if e in v]


# --- the API ------------------------------------------------------------------------------------

LABEL_FIELDS = frozenset(LabelsIn.model_fields)
CARD_FIELDS = frozenset(ContactBody.model_fields)


class ContactIn(LabelsIn):
    """A contact card with its labels (flat) and audience."""

    tlp: TlpIn = "GREEN"  # a directory is for the network community
    to: list[str] | None = Field(
        default=None,
        max_length=500,
        description="approved peers' node ids and/or group ids; omitted: every approved peer "
        "(new card) or unchanged (change)",
    )
    kind: Literal["person", "unit"]
    name: str = Field(min_length=1, max_length=200)
    role: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=200)
    country: str | None = Field(
        default=None, max_length=3, description="ISO 3166-1; default: this node's country"
    )
    languages: list[str] = Field(default_factory=list, max_length=MAX_LANGUAGES)
    expertise: list[Expertise] = Field(default_factory=list)
    availability: Availability = Field(default_factory=Availability)
    channels: list[Channel] = Field(default_factory=list, max_length=MAX_CHANNELS)
    notes: str | None = Field(default=None, max_length=5000)
    active: bool = True

    def card(self) -> dict[str, Any]:
        return self.model_dump(
            mode="json", include=set(CARD_FIELDS), by_alias=True, exclude_none=True
        )

    def labels_if_given(self) -> Labels | None:
        """On a change, labels stay as they were unless the request names one of them."""
        return self.labels() if self.model_fields_set & LABEL_FIELDS else None


class ContactSummary(ReadModel):
    id: str
    kind: str
    name: str
    role: str | None
    unit: str | None
    country: str
    languages: list[str]
    expertise: list[str]
    active: bool
    availability_summary: str = Field(description="weekly hours and rota in a few words")
    available_now: bool
    available_why: str | None = Field(description="always, hours or rota")
    on_duty: list[dict[str, Any]] = Field(description="the rota's shifts running now")
    origin: str
    version: int
    updated_at: str
    tlp: str


class DirectoryFiltersRead(ReadModel):
    """The filters the search applied, as it read them."""

    expertise: list[str]
    country: list[str]
    language: list[str]
    q: str
    available_now: bool
    origin: str | None
    kind: str | None
    include_inactive: bool


class ContactList(ReadModel):
    items: list[ContactSummary]
    filters: DirectoryFiltersRead


class ContactRead(ReadModel):
    """A contact card with its envelope; a withdrawn card has none of the card's fields."""

    id: str
    version: int
    origin: str
    author: str
    updated_at: str
    labels: dict[str, Any]
    audience: dict[str, Any] = Field(description="nodes and groups it was published to")
    state: str = Field(description="active or withdrawn")
    kind: str | None = None
    name: str | None = None
    role: str | None = None
    unit: str | None = None
    country: str | None = None
    languages: list[str] | None = None
    expertise: list[str] | None = None
    availability: dict[str, Any] | None = None
    channels: list[dict[str, Any]] | None = None
    notes: str | None = None
    active: bool | None = None
    available_now: bool
    available_why: str | None = Field(description="always, hours or rota")
    on_duty: list[dict[str, Any]] = Field(description="the rota's shifts running now")
    availability_summary: str | None = Field(
        default=None, description="weekly hours and rota in a few words"
    )
