"""The alerts API's input and answers."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from corridor.cooperation.alerts.records import AlertType, Severity
from corridor.cooperation.schemas import TEXT_ALIASES, TEXT_DOC, deprecated_body
from corridor.records.labels import LabelsIn
from corridor.records.schemas import SentRead, origin_field
from corridor.schemas import ReadModel, StrictModel, UtcDateTime


class EntityPick(StrictModel):
    """An entity of this node to link; its schema and caption are taken from the store."""

    id: str = Field(min_length=1, max_length=128)
    schema_: str | None = Field(default=None, alias="schema", max_length=64)
    caption: str | None = Field(default=None, max_length=500)


class AlertCreate(LabelsIn):
    to: list[str] = Field(min_length=1, max_length=200, description="node ids and/or group ids")
    type: AlertType
    severity: Severity
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(
        min_length=1, max_length=20_000, validation_alias=TEXT_ALIASES, description=TEXT_DOC
    )
    area: dict[str, Any] | None = Field(default=None, description="GeoJSON geometry")
    route: uuid.UUID | None = Field(default=None, description="id of a mapping route record")
    countries: list[str] = Field(default_factory=list, max_length=60)
    entities: list[str | EntityPick] = Field(default_factory=list, max_length=50)
    valid_until: UtcDateTime | None = Field(
        default=None, description="the alert expires then (everywhere); same as expires"
    )


class AlertSummary(ReadModel):
    id: str
    from_: str = origin_field()
    author: str
    to: list[str] = Field(description="the nodes it was sent to")
    type: str
    severity: str
    title: str | None = Field(description="none once withdrawn or expired")
    countries: list[str]
    area: dict[str, Any] | None = Field(description="GeoJSON geometry")
    route: str | None
    entities: int = Field(description="how many entities it links")
    tlp: str
    sent_at: str
    valid_until: str | None
    state: str = Field(description="active, expired or withdrawn")
    acknowledged_by: list[str] | None = Field(
        default=None, description="the sender's list only: the nodes that acknowledged it"
    )
    acknowledged_at: str | None = Field(
        default=None, description="a recipient's list only: when a person here acknowledged it"
    )


class AlertList(ReadModel):
    items: list[AlertSummary]


class AlertAcknowledged(ReadModel):
    by: str
    at: str


class AlertRead(SentRead):
    """An alert; a withdrawn or expired one keeps its kind and times, not what it said."""

    state: str = Field(description="active, expired or withdrawn")
    type: str
    severity: str
    title: str | None
    text: str | None
    body: str | None = deprecated_body()
    area: dict[str, Any] | None = Field(description="GeoJSON geometry")
    route: str | None
    countries: list[str]
    entities: list[dict[str, Any]] = Field(description="id, schema and caption of each")
    valid_until: str | None
    reason: str | None = Field(default=None, description="why it was withdrawn")
    recipients: dict[str, dict[str, str]] | None = Field(
        default=None, description="the sender's view: node id -> {receipt status: when}"
    )
    recipient_status: dict[str, str] | None = Field(
        default=None,
        description="the sender's view: node id -> pending, delivered, read or acknowledged",
    )
    acknowledged: AlertAcknowledged | None = Field(
        default=None, description="a recipient's view: who acknowledged it here, and when"
    )
