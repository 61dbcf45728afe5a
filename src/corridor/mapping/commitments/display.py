"""How commitments are shown: shares as percentages, countries by name, the dashboard's charts
and an action with its overdue milestones and indicators' attainment (pure functions of what the
services answer; the templates call some of them)."""

from __future__ import annotations

from datetime import date
from typing import Any

from corridor import clock, countries, formats
from corridor.errors import InvalidInput
from corridor.i18n import gettext as _
from corridor.mapping.commitments.schemas import Indicator
from corridor.mapping.schemas import THEMES


def pct(value: float | None) -> str:
    """A share 0-1 as a whole percentage for display; "—" when nothing is known yet."""
    return "—" if value is None else f"{round(value * 100)} %"


def pct_value(value: float | None) -> float | None:
    """A share 0-1 as a percentage for <progress> elements and charts."""
    return None if value is None else round(value * 100, 1)


def country_label(code: str) -> str:
    try:
        return countries.country_name(code)
    except InvalidInput:
        return code


def stamp(iso: str) -> str:
    """An ISO 8601 time of the services ("…T23:17:39.457168Z") as the reader reads it."""
    return formats.when(clock.parse(iso))


def member_labels(members: list[dict[str, Any]], names: dict[str, str]) -> list[str]:
    """Members by country name; where a country runs several member nodes, the node's name
    tells their bars apart."""
    countries = [m["country"] for m in members]
    return [
        country_label(m["country"])
        if countries.count(m["country"]) == 1
        else f"{country_label(m['country'])} – {names.get(m['origin'], m['origin'])}"
        for m in members
    ]


def chart_specs(data: dict[str, Any], names: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What dashboard.js draws: categories and series, labels already translated (the script
    only lays them out). Percentages, one decimal; null where nothing is known yet."""
    progress = _("Progress (%)")
    members = data["members"]
    labels = member_labels(members, names)
    return {
        "themes": {
            "unit": "%",
            "max": 100,
            "categories": [_(THEMES[t["theme"]]) for t in data["themes"]],
            "series": [
                {"name": progress, "data": [pct_value(t["progress"]) for t in data["themes"]]}
            ],
        },
        "members": {
            "unit": "%",
            "max": 100,
            "categories": labels,
            "series": [{"name": progress, "data": [pct_value(m["progress"]) for m in members]}],
        },
        "milestones": {
            "unit": "",
            "max": None,
            "categories": labels,
            "series": [
                {
                    "name": _("Done"),
                    "stack": "milestones",
                    "data": [m["milestones_done"] for m in members],
                },
                {
                    "name": _("Not done yet"),
                    "stack": "milestones",
                    "data": [m["milestones_total"] - m["milestones_done"] for m in members],
                },
            ],
        },
    }


def decorate(
    action: dict[str, Any], today: date, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An action as the templates show it: overdue milestones marked, indicators with their
    attainment, and (given the record's body) the description and the updates newest first."""
    src = body or action
    # Optional keys are filled in, so the templates can test them without "is defined".
    milestones = [
        {
            "done_on": None,
            **m,
            "overdue": not m.get("done_on") and date.fromisoformat(m["due"]) < today,
        }
        for m in src.get("milestones", [])
    ]
    indicators = [
        {"unit": None, "current": None, **i, "attainment": Indicator.model_validate(i).attainment()}
        for i in src.get("indicators", [])
    ]
    out = {**action, "milestones": milestones, "indicators": indicators}
    if body is not None:
        out["description"] = body.get("description")
        out["update_list"] = sorted(body.get("updates", []), key=lambda u: u["on"], reverse=True)
    return out
