"""What the mapping records and API share: the themes (of challenges and commitments alike), the
evidence a challenge or a progress update cites, and the API's shape of a record.

The same body models validate what a user submits and what a partner node sends, so a record
with an unknown country code or a broken geometry is refused at both ends."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from corridor.i18n import N_
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
