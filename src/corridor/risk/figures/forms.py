"""The form that shares figures: the selection as the workbench holds it, a title and a note."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form
from pydantic import BaseModel, ValidationError

from corridor.errors import InvalidInput
from corridor.i18n import N_
from corridor.risk.figures.schemas import Selection
from corridor.schemas import field_errors

Short = Annotated[str, Form(max_length=300)]
Code = Annotated[str, Form(max_length=200)]
FIELD_LABELS = {
    "title": N_("Title"),
    "note": N_("Note for the partners"),
    "indicator": N_("Indicator"),
    "dataset": N_("Dataset"),
    "route": N_("Route"),
    "nationality": N_("Nationality"),
    "country": N_("Country"),
    "period": N_("Period"),
    "since": N_("From"),
    "until": N_("To"),
    "by": N_("Breakdown by"),
}
_SELECTION = ("indicator", "dataset", "route", "nationality", "country", "period", "since",
              "until", "by")  # fmt: skip


class FiguresForm(BaseModel):
    title: Short = ""
    note: Annotated[str, Form(max_length=5000)] = ""
    indicator: Annotated[str, Form(max_length=60)] = ""
    dataset: Annotated[str, Form(max_length=60)] = ""
    route: Code = ""
    nationality: Code = ""
    country: Code = ""
    period: Annotated[str, Form(max_length=10)] = "month"
    since: Annotated[str, Form(max_length=7)] = ""
    until: Annotated[str, Form(max_length=7)] = ""
    by: Annotated[str, Form(max_length=20)] = ""

    @classmethod
    def of_body(cls, body: dict[str, Any]) -> FiguresForm:
        selection = body.get("selection") or {}
        return cls(
            title=body.get("title", ""),
            note=body.get("note", ""),
            **{k: str(selection.get(k) or "") for k in _SELECTION if selection.get(k)},
        )

    def body(self) -> dict[str, Any]:
        given = {k: getattr(self, k).strip() for k in _SELECTION}
        selection = {k: v for k, v in given.items() if v}
        try:
            Selection.model_validate(selection)
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc, FIELD_LABELS)) from None
        return {"title": self.title.strip(), "note": self.note.strip(), "selection": selection}
