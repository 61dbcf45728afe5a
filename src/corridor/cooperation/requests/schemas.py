"""Bodies of the `rfa` and `rfa.reply` records (checked on creation and again on receipt), the
API's input and its answers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from corridor.cooperation.schemas import TEXT_ALIASES, TEXT_DOC, deprecated_body
from corridor.entities.schemas import ID_RE
from corridor.records.attachments import (
    MAX_ATTACHMENTS,
    MAX_ATTACHMENTS_TOTAL,
    Attachment,
    AttachmentIn,
    AttachmentRead,
    check_total,
)
from corridor.records.labels import LabelsIn
from corridor.records.schemas import origin_field
from corridor.schemas import ReadModel, StrictModel, UtcDateTime, trimmed_texts

RFA_TYPE = "rfa"
REPLY_TYPE = "rfa.reply"
URGENCIES: tuple[str, ...] = ("urgent", "normal", "routine")
Urgency = Literal["urgent", "normal", "routine"]
ReplyKind = Literal["accept", "decline", "answer"]

# Files: the same limits as secure messages (records.attachments).
MAX_QUESTIONS = 50
MAX_ENTITIES = 100
Questions = Annotated[list[str], trimmed_texts(2000, "each question has 1-2000 characters")]


class EntityLink(StrictModel):
    """An entity the request is about, by reference: the receiver gets id, schema and caption
    (the entity itself travels only if it is shared separately)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, serialize_by_alias=True
    )

    id: str = Field(min_length=1, max_length=128, pattern=ID_RE.pattern)
    schema_: str = Field(alias="schema", min_length=1, max_length=64, pattern=r"^[A-Z][A-Za-z]*$")
    caption: str = Field(default="", max_length=300)


class Withdrawal(StrictModel):
    reason: str = Field(min_length=1, max_length=500)
    at: UtcDateTime


class RequestBody(StrictModel):
    subject: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field(default="", max_length=1000)
    urgency: Urgency = "normal"
    deadline: UtcDateTime
    questions: Questions = Field(default_factory=list, max_length=MAX_QUESTIONS)
    text: str = Field(min_length=1, max_length=100_000)
    entities: list[EntityLink] = Field(default_factory=list, max_length=MAX_ENTITIES)
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    withdrawn: Withdrawal | None = None

    @model_validator(mode="after")
    def _sizes(self) -> RequestBody:
        check_total(self.attachments, MAX_ATTACHMENTS_TOTAL)
        return self


class Answer(StrictModel):
    question: int = Field(ge=0, lt=MAX_QUESTIONS, description="index in the request's questions")
    text: str = Field(min_length=1, max_length=20_000)


class ReplyBody(StrictModel):
    request: uuid.UUID
    kind: ReplyKind
    reason: str | None = Field(default=None, max_length=2000)
    text: str = Field(default="", max_length=100_000)
    answers: list[Answer] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    partial: bool = False
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @model_validator(mode="after")
    def _coherent(self) -> ReplyBody:
        if self.kind == "decline" and not (self.reason or "").strip():
            raise ValueError("a decline states its reason")
        if self.kind != "decline" and self.reason:
            raise ValueError("only a decline has a reason")
        if self.kind == "answer" and not self.text and not self.answers:
            raise ValueError("an answer has a text or answers to the questions")
        if self.kind != "answer" and (self.answers or self.partial):
            raise ValueError("only an answer has answers (or is partial)")
        seen = [a.question for a in self.answers]
        if len(seen) != len(set(seen)):
            raise ValueError("one answer per question")
        check_total(self.attachments, MAX_ATTACHMENTS_TOTAL)
        return self


# ---- API input ------------------------------------------------------------------------------


class RequestCreate(LabelsIn):
    to: list[str] = Field(min_length=1, max_length=200, description="node ids and/or group ids")
    subject: str = Field(min_length=1, max_length=300)
    urgency: Urgency = "normal"
    text: str = Field(
        min_length=1, max_length=100_000, validation_alias=TEXT_ALIASES, description=TEXT_DOC
    )
    deadline: UtcDateTime | None = Field(
        default=None, description="default: now + the network's clock for the urgency"
    )
    legal_basis: str = Field(default="", max_length=1000)
    questions: list[str] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    entities: list[EntityLink] = Field(default_factory=list, max_length=MAX_ENTITIES)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class DraftIn(StrictModel):
    """A draft may be incomplete: everything is optional, it is checked when it is sent."""

    to: list[str] = Field(default_factory=list, max_length=200)
    subject: str = Field(default="", max_length=300)
    urgency: Urgency = "normal"
    text: str = Field(
        default="", max_length=100_000, validation_alias=TEXT_ALIASES, description=TEXT_DOC
    )
    deadline: UtcDateTime | None = None
    legal_basis: str = Field(default="", max_length=1000)
    questions: list[str] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    entities: list[EntityLink] = Field(default_factory=list, max_length=MAX_ENTITIES)
    tlp: str = Field(default="AMBER", max_length=16)
    handling: str = Field(default="H0", max_length=4)
    purpose: str = Field(default="cooperation", max_length=32)


class ReplyLabelsIn(LabelsIn):
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class AnswerIn(ReplyLabelsIn):
    text: str = Field(default="", max_length=100_000)
    answers: list[Answer] = Field(default_factory=list, max_length=MAX_QUESTIONS)
    partial: bool = False


class AcceptIn(ReplyLabelsIn):
    text: str = Field(default="", max_length=100_000)


class DeclineIn(ReplyLabelsIn):
    reason: str = Field(min_length=1, max_length=2000)
    text: str = Field(default="", max_length=100_000)


# ---- API answers ----------------------------------------------------------------------------


class RequestRecipientRead(ReadModel):
    """Where one requested node stands (the requester sees every node, a requested node only
    itself)."""

    node: str
    state: str = Field(description="sent, delivered, accepted, partially_answered, answered, …")
    delivered_at: str | None
    read_at: str | None
    accepted_at: str | None
    first_answer_at: str | None
    answered_at: str | None = Field(description="the first complete answer")
    declined_at: str | None
    decline_reason: str | None


class RequestSummary(ReadModel):
    id: str
    from_: str = origin_field("the requesting node")
    author: str
    to: list[str] = Field(description="the requested nodes")
    subject: str
    urgency: str
    deadline: str | None
    sent_at: str | None
    tlp: str
    purpose: str
    state: str = Field(description="one state from those of the requested nodes")
    recipients: list[RequestRecipientRead]


class RequestAnswerRead(ReadModel):
    question: int = Field(description="index in the request's questions")
    text: str


class RequestReplyRead(ReadModel):
    id: str
    from_: str = origin_field("the replying node")
    author: str
    sent_at: str
    labels: dict[str, Any]
    kind: str | None = Field(description="accept, decline or answer (none once withdrawn)")
    reason: str | None = Field(description="why it was declined")
    text: str | None
    answers: list[RequestAnswerRead]
    partial: bool
    attachments: list[AttachmentRead]


class RequestWithdrawnRead(ReadModel):
    reason: str
    at: str


class RequestRead(ReadModel):
    """A request with where each requested node stands and the replies the reader may see."""

    id: str
    version: int
    from_: str = origin_field("the requesting node")
    author: str
    to: list[str] = Field(description="the requested nodes")
    sent_at: str
    labels: dict[str, Any]
    subject: str
    legal_basis: str | None
    urgency: str
    deadline: str | None
    questions: list[str]
    text: str | None
    body: str | None = deprecated_body()
    entities: list[dict[str, Any]] = Field(description="id, schema and caption of each")
    attachments: list[AttachmentRead]
    withdrawn: RequestWithdrawnRead | None
    state: str = Field(description="one state from those of the requested nodes")
    recipients: list[RequestRecipientRead]
    replies: list[RequestReplyRead]


class DraftRead(ReadModel):
    """A saved draft: what was written so far (anything may still be missing)."""

    id: str
    state: str = Field(description="draft")
    subject: str
    created_at: str | None
    updated_at: str | None
    to: list[str] | None = None
    urgency: str | None = None
    text: str | None = None
    deadline: str | None = None
    legal_basis: str | None = None
    questions: list[str] | None = None
    entities: list[dict[str, Any]] | None = None
    tlp: str | None = None
    handling: str | None = None
    purpose: str | None = None
    body: str = deprecated_body()


class RequestList(ReadModel):
    items: list[RequestSummary | DraftRead] = Field(description="drafts for box=drafts")


class RequestPartnerStatsRead(ReadModel):
    node: str
    total: int
    open: int
    overdue: int
    by_state: dict[str, int]
    answered: int = Field(description="how many got a first answer")
    median_hours: float | None = Field(description="to the first answer")
    p90_hours: float | None
    on_time_share: float | None = Field(description="answered by the deadline, of those due")


class RequestsOverviewRead(ReadModel):
    generated_at: str
    sent: list[RequestPartnerStatsRead] = Field(description="our requests, by requested node")
    received: list[RequestPartnerStatsRead] = Field(description="requests to us, by requester")
    totals: dict[str, dict[str, int]] = Field(description="sent and received, by state")
