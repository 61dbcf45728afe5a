"""Sharing indicator figures: the node computes them from its store for the selection the
analyst makes (a client's figures are never taken), names the dataset as their source for the
flow rule, and records them as this node's `risk.figures` record."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from corridor.errors import InvalidInput, NotFound
from corridor.records import flow
from corridor.records.labels import canonical_tlp
from corridor.records.owned import SaveOwn, visible_rows
from corridor.risk import service as risk
from corridor.risk.figures.models import FiguresRow
from corridor.risk.figures.records import FIGURES
from corridor.risk.figures.schemas import Selection
from corridor.risk.models import Dataset
from corridor.risk.series import Filter
from corridor.security.principal import Principal

# The span of a shared breakdown: the twelve months to the last period shared.
BREAKDOWN_MONTHS = 12


def _last_month(period: str, label: str) -> str:
    """The last month of a period label ("2024" → "2024-12", "2024-Q3" → "2024-09")."""
    if period == "year":
        return f"{label}-12"
    if period == "quarter":
        return f"{label[:4]}-{int(label[-1]) * 3:02d}"
    return label


def computed(session: Session, actor: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """The body with the figures of its selection from this node's store, as this actor may
    read them: the series over the span asked, the breakdown if asked, the dataset cited."""
    try:
        chosen = Selection.model_validate(body.get("selection"))
    except ValueError:
        chosen = None
    if chosen is None:
        return body  # the schema names what is wrong
    try:
        return _computed(session, actor, body, chosen)
    except NotFound as exc:  # no dataset of the indicator that this actor may read
        raise InvalidInput(
            f"selection.indicator: {exc.detail}", field="selection.indicator"
        ) from None
    except InvalidInput as exc:
        # The store names its query's parameters; here they are fields of the selection.
        field = exc.extra.get("field")
        if field is None or str(field).startswith("selection."):
            raise
        raise InvalidInput(f"selection.{exc.detail}", field=f"selection.{field}") from None


def _computed(
    session: Session, actor: Principal, body: dict[str, Any], chosen: Selection
) -> dict[str, Any]:
    f = Filter.parse(
        indicator=chosen.indicator,
        dataset=chosen.dataset,
        route=chosen.route,
        nationality=chosen.nationality,
        country=chosen.country,
        border_type=chosen.border_type,
        sex=chosen.sex,
    )
    s = risk.series(session, actor=actor, filter=f, period=chosen.period)
    points = [
        (p, v)
        for p, v in s.points
        if (chosen.since is None or p >= chosen.since)
        and (chosen.until is None or p <= chosen.until)
    ]
    if not points:
        raise InvalidInput(
            "selection.since: the dataset has no figures of this selection in that span",
            field="selection.since",
        )
    resolved = s.filter
    selection = {
        **chosen.model_dump(exclude_none=True),
        "indicator": resolved.indicator,
        "dataset": s.dataset.id,
        **{
            k: v
            for k, v in (
                ("route", resolved.route),
                ("nationality", resolved.nationality),
                ("country", resolved.country),
                ("border_type", resolved.border_type),
                ("sex", resolved.sex),
            )
            if v is not None
        },
    }
    out = {
        "title": body.get("title"),
        "note": body.get("note", ""),
        "selection": selection,
        "source": risk.source_of(s.dataset),
        "items": [{"period": p, "value": v} for p, v in points],
    }
    if chosen.by is not None:
        made = risk.breakdown(
            session,
            actor=actor,
            filter=f,
            by=chosen.by,
            months=BREAKDOWN_MONTHS,
            until=_last_month(chosen.period, points[-1][0]),
        )
        out["breakdown"] = {
            "by": made["by"],
            "window": made["window"],
            "total": made["total"],
            "items": [
                {k: i.get(k) for k in ("key", "value", "share", "previous", "others")}
                for i in made["items"]
            ],
        }
    return out


def _dataset_source(
    session: Session, node_id: str, actor: Principal, body: dict[str, Any]
) -> list[flow.Source]:
    """The dataset the figures are drawn from, as a flow source: local content carrying the
    labels its import gave it."""
    ds = session.get(Dataset, body["selection"]["dataset"])
    if ds is None:
        raise InvalidInput("selection.dataset: no such dataset here", field="selection.dataset")
    return [
        flow.Source(
            ref=f"dataset:{ds.id}",
            origin=node_id,
            tlp=canonical_tlp(ds.tlp),
            purpose=ds.purpose,
            path="export",
            name=ds.title,
        )
    ]


# Share the figures of a selection, or (with `record_id`) recompute and share a new version of
# figures this node shared: computed from the store as the actor may read it.
save_figures = SaveOwn(FIGURES, check=_dataset_source, prepare=computed)


def listed(session: Session, node_id: str, *, actor: Principal) -> list[FiguresRow]:
    """The shared figures this actor may see (this node's and partners'), the latest first."""
    actor.require("risk.read")
    rows = visible_rows(session, FiguresRow, node_id, actor)
    return sorted(rows, key=lambda r: (r.last or "", r.title.casefold()), reverse=True)
