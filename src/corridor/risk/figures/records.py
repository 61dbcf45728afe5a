"""The `risk.figures` record type: an aggregate of this node's indicator store (a series and,
if asked, a breakdown) shared with partners. It is derived from a dataset along the `export`
path: the dataset's labels (TLP, purpose) bind the record's, so national figures imported as
AMBER for enforcement never leave as CLEAR for cooperation. Kept up by the analysts
(`risk.assess`); a new version recomputes the figures from the store."""

from __future__ import annotations

from typing import Any

from corridor.records.flow import Flow
from corridor.records.owned import register_owned
from corridor.risk.figures.models import FiguresRow
from corridor.risk.figures.schemas import FiguresBody

FIGURES = "risk.figures"
EDITORS = ("risk.assess",)


def _fill(row: FiguresRow, body: dict[str, Any]) -> None:
    selection = body["selection"]
    items = body.get("items") or []
    row.title = body["title"]
    row.indicator = selection["indicator"]
    row.period = selection.get("period", "month")
    row.route = selection.get("route")
    row.nationality = selection.get("nationality")
    row.country = selection.get("country")
    row.dataset_title = (body.get("source") or {}).get("title", "")[:300]
    row.first = items[0]["period"] if items else None
    row.last = items[-1]["period"] if items else None


register_owned(
    FIGURES,
    body=FiguresBody,
    model=FiguresRow,
    fill=_fill,
    title="Indicator figures",
    flow=Flow(embeds=("export",), editors=EDITORS),
)
