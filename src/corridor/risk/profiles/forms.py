"""The risk profile form: lists as one item a line, codes separated by commas or spaces."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Form
from pydantic import BaseModel, ValidationError

from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.risk.profiles.schemas import ProfileBody
from corridor.schemas import field_errors

Short = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=30_000)]
FIELD_LABELS = {
    "title": N_("Title"),
    "modus_operandi": N_("Modus operandi"),
    "route": N_("Route"),
    "countries": N_("Where it applies"),
    "nationalities": N_("Nationalities"),
    "indicators": N_("Indicators, one a line"),
    "documents": N_("Documents involved, one a line"),
    "actions": N_("What to do on a match"),
    "valid_until": N_("Valid until"),
    "assessment": N_("Assessment it draws on"),
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text) if c]


class ProfileForm(BaseModel):
    title: Short = ""
    modus_operandi: Long = ""
    route: Short = ""
    countries: Short = ""
    nationalities: Short = ""
    indicators: Long = ""
    documents: Long = ""
    actions: Long = ""
    valid_until: Annotated[str, Form(max_length=20)] = ""
    assessment: Annotated[str, Form(max_length=40)] = ""

    @classmethod
    def of_body(cls, body: dict[str, Any]) -> ProfileForm:
        return cls(
            title=body["title"],
            modus_operandi=body["modus_operandi"],
            route=body.get("route") or "",
            countries=", ".join(body.get("countries", [])),
            nationalities=", ".join(body.get("nationalities", [])),
            indicators="\n".join(body.get("indicators", [])),
            documents="\n".join(body.get("documents", [])),
            actions=body.get("actions", ""),
            valid_until=body.get("valid_until") or "",
            assessment=body.get("assessment") or "",
        )

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": self.title.strip(),
            "modus_operandi": self.modus_operandi.strip(),
            "countries": _codes(self.countries),
            "nationalities": _codes(self.nationalities),
            "indicators": _lines(self.indicators),
            "documents": _lines(self.documents),
            "actions": self.actions.strip(),
        }
        for key in ("route", "valid_until", "assessment"):
            if getattr(self, key).strip():
                body[key] = getattr(self, key).strip()
        try:
            checked = ProfileBody.model_validate(body)
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc, FIELD_LABELS)) from None
        return checked.model_dump(mode="json", exclude_none=True)
