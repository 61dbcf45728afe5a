"""The `alert` record type: schema, projection, receipts and how it is announced.

An alert belongs to the node that sends it (origin); only it may issue a new version or withdraw
it. Its validity (`valid_until`) is the labels' `expires`, so expiry purges it on every node
through the core's retention. Recipients send receipts: delivered (automatic), read (first
opened) and acknowledged (a person confirmed it)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from corridor import clock
from corridor.cooperation.alerts.models import AlertRow
from corridor.cooperation.notifications.registry import Notice
from corridor.cooperation.notifications.registry import register as register_notice
from corridor.countries import field_values
from corridor.federation.receipts import WANTS_RECEIPTS
from corridor.i18n import N_
from corridor.mapping import geo
from corridor.records.flow import Flow
from corridor.records.projection import labelled_row
from corridor.records.registry import RecordType, register
from corridor.schemas import StrictModel

ALERT = "alert"

TYPES: dict[str, str] = {
    "imminent_departure": N_("Imminent departure"),
    "boat_in_distress": N_("Boat in distress"),
    "new_modus_operandi": N_("New modus operandi"),
    "wanted_facilitator": N_("Wanted facilitator"),
    "fraudulent_document_series": N_("Fraudulent document series"),
    "online_campaign": N_("Online advertising campaign"),
    "route_shift": N_("Route shift"),
    "other": N_("Other"),
}
SEVERITIES: dict[str, str] = {
    "urgent": N_("Urgent"),
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
AlertType = Literal[
    "imminent_departure",
    "boat_in_distress",
    "new_modus_operandi",
    "wanted_facilitator",
    "fraudulent_document_series",
    "online_campaign",
    "route_shift",
    "other",
]
Severity = Literal["urgent", "high", "medium", "low"]
MAX_ENTITIES = 50


class EntityRef(StrictModel):
    """A reference to an entity the sender holds (its details follow on request)."""

    # "schema" would shadow a BaseModel attribute: the field is schema_ on the wire as schema.
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, serialize_by_alias=True
    )

    id: str = Field(min_length=1, max_length=128)
    schema_: str = Field(alias="schema", min_length=1, max_length=64)
    caption: str = Field(min_length=1, max_length=500)


class AlertBody(StrictModel):
    type: AlertType
    severity: Severity
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=20_000)
    area: dict[str, Any] | None = Field(default=None, description="GeoJSON geometry")
    route: uuid.UUID | None = Field(default=None, description="a `route` record of mapping")
    countries: list[str] = Field(default_factory=list, max_length=60)
    entities: list[EntityRef] = Field(default_factory=list, max_length=MAX_ENTITIES)

    @field_validator("area")
    @classmethod
    def _area(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if v is None else geo.field_geometry(v, where="area")

    @field_validator("countries")
    @classmethod
    def _countries(cls, values: list[str]) -> list[str]:
        return field_values(values)


def _project(session: Session, envelope: dict[str, Any]) -> None:
    body = envelope["body"]
    labels = envelope["labels"]
    row = labelled_row(session, AlertRow, envelope)
    if row.sent_at is None:
        row.sent_at = row.updated_at
    row.type = body["type"]
    row.severity = body["severity"]
    row.severity_rank = SEVERITY_RANK[body["severity"]]
    row.title = body["title"]
    row.countries = list(body.get("countries", []))
    row.area = body.get("area")
    row.route_id = uuid.UUID(body["route"]) if body.get("route") else None
    row.entities = len(body.get("entities", []))
    row.audience = list(envelope["audience"]["nodes"])
    row.valid_until = clock.parse(labels["expires"]) if labels.get("expires") else None
    row.state = "active"


def _purge(session: Session, envelope: dict[str, Any]) -> None:
    """Withdrawn or expired: keep the row as a trace (id, origin, kind, times) so the list can
    say so, but drop everything the sender wrote."""
    row = session.get(AlertRow, uuid.UUID(envelope["id"]))
    if row is None:
        return
    tomb = envelope.get("tombstone") or {}
    expired = envelope.get("purged") or tomb.get("reason") == "expired"
    row.state = "expired" if expired else "withdrawn"
    row.version = envelope["version"]
    row.title = ""
    row.area = None
    row.countries = []
    row.route_id = None
    row.entities = 0
    row.updated_at = clock.now()


def describe(envelope: dict[str, Any]) -> Notice | None:
    """How a received alert is announced: urgent ones stand out (and may go by e-mail)."""
    body = envelope["body"]
    urgent = body["severity"] == "urgent"
    return Notice(
        kind="alert.urgent" if urgent else "alert",
        title=f"{'URGENT ' if urgent else ''}{TYPES[body['type']]}: {body['title']}"[:300],
        link=f"/alerts/{envelope['id']}",
        urgent=urgent,
    )


register(
    RecordType(
        name=ALERT,
        body=AlertBody,
        # Links entities (of a case, or a partner's) and a route: each is a flow source.
        flow=Flow(embeds=("link",), editors=("node.manage",)),
        project=_project,
        purge=_purge,
        sensitive=True,
        title="Alert",
    )
)
WANTS_RECEIPTS.add(ALERT)
register_notice(ALERT, describe, kinds={"alert.urgent": N_("Urgent alerts"), "alert": N_("Alerts")})
