"""What the mapping records and API share: the themes (of challenges and commitments alike), the
evidence a challenge or a progress update cites, and the API's shape of a record.

The same body models validate what a user submits and what a partner node sends, so a record
with an unknown country code or a broken geometry is refused at both ends."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from corridor.i18n import N_
from corridor.records.labels import Audience, Labels, LabelsIn
from corridor.schemas import StrictModel

# The conference's four thematic areas first, then the other recurring kinds of challenge.
THEMES: dict[str, str] = {
    "fraudulent_documents": N_("Fraudulent documentation"),
    "digital_smuggling": N_("Digitally enabled smuggling"),
    "border_vulnerabilities": N_("Border vulnerabilities"),
    "victim_protection": N_("Victim-centred protection"),
    "legal_framework": N_("Legal framework"),
    "capacity": N_("Capacity and resources"),
    "cooperation_gaps": N_("Cooperation gaps"),
    "financial_flows": N_("Financial flows"),
    "other": N_("Other"),
}
THEMATIC_AREAS = (
    "fraudulent_documents",
    "digital_smuggling",
    "border_vulnerabilities",
    "victim_protection",
)
# The conference's four thematic areas first, then the other kinds in the vocabulary's order.
THEME_ORDER = (*THEMATIC_AREAS, *(t for t in THEMES if t not in THEMATIC_AREAS))
Theme = Literal[
    "fraudulent_documents",
    "digital_smuggling",
    "border_vulnerabilities",
    "victim_protection",
    "legal_framework",
    "capacity",
    "cooperation_gaps",
    "financial_flows",
    "other",
]
EVIDENCE_KINDS = ("alert", "indicator", "document", "record", "link")
ShortText = Field(min_length=1, max_length=300)


class Evidence(StrictModel):
    kind: Literal["alert", "indicator", "document", "record", "link"] = "link"
    title: str = ShortText
    ref: str | None = Field(default=None, max_length=200, description="record id or reference")
    url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")

    @model_validator(mode="after")
    def _something(self) -> Evidence:
        if not self.ref and not self.url:
            raise ValueError("evidence needs a ref (record id, file reference) or a url")
        return self


# --- the API ----------------------------------------------------------------------------------

LABEL_FIELDS = frozenset(LabelsIn.model_fields)


class Shared(LabelsIn):
    """A record's body in an API request, with its labels and audience flat beside it."""

    to: list[str] | None = Field(
        default=None,
        max_length=200,
        description="node and/or group ids; omitted: this node only (new), unchanged (change)",
    )

    def labels_if_given(self) -> Labels | None:
        """On a change, labels stay as they were unless the request names one of them."""
        return self.labels() if self.model_fields_set & LABEL_FIELDS else None

    def body(self, model: type[BaseModel]) -> dict[str, Any]:
        return self.model_dump(
            mode="json", include=set(model.model_fields), by_alias=True, exclude_unset=True
        )

    def sharing(self, *, new: bool) -> dict[str, Any]:
        """The labels and audience a service saves: for a new record what the request says
        (labels by default, this node only), for a change only what it names."""
        if new:
            return {"labels": self.labels(), "to": self.to or []}
        return {"labels": self.labels_if_given(), "to": self.to}


class Answer(BaseModel):
    """What the API answers. Forbidding unknown fields makes the OpenAPI document say that
    nothing else comes (and a test holds the answers to it)."""

    model_config = ConfigDict(extra="forbid")


class RecordOut(Answer):
    """A record as the API answers it: its envelope's metadata, then its body's fields (none
    once the record is withdrawn)."""

    id: str
    version: int
    origin: str = Field(description="node id of the node that recorded it")
    author: str
    updated_at: str = Field(description="time of this version (ISO 8601, UTC)")
    labels: Labels
    audience: Audience
    state: Literal["active", "withdrawn"]


def record_out(body: type[BaseModel], name: str) -> type[RecordOut]:
    """The answer model of a record type: RecordOut with each field of its body, not required:
    a withdrawn record answers without them, and an optional field is left out rather than
    null (bodies are stored without their empty fields)."""
    fields: dict[str, Any] = {
        key: (info.annotation, Field(default=None, description=info.description))
        for key, info in body.model_fields.items()
    }
    return create_model(name, __base__=RecordOut, **fields)
