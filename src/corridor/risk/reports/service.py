"""The monthly risk analysis: one indicator of one dataset in one month, along every route —
key figures, the nationalities behind them, surges and drops of the last twelve months, the
outlook with intervals, the incidents of the month on a map, the analyst's narrative, the
sources and licences — as a page and as a PDF (pdf.py).

Everything comes from the store at the time of asking; the narrative sections are the
analyst's (`ReportNote`, one per dataset, indicator and month)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import InvalidInput, NotFound
from corridor.risk import anomalies, breakdown, forecast
from corridor.risk.models import Dataset, IndicatorRow, ReportNote
from corridor.risk.series import Filter, Series, choose_dataset, number, series
from corridor.risk.sources.mapped import indicator_name
from corridor.security.principal import Principal

# The routes charted and forecast (the others are in the table).
CHARTED = 4
HORIZON = 3
PALETTE = ("#1f5f8b", "#b42318", "#1e7b4a", "#b26b00", "#6941c6", "#475467")
_t = IndicatorRow.__table__.c


@dataclass
class RouteFigures:
    route: str
    month: float
    previous: float | None  # the month before
    year_before: float | None  # the same month a year before
    twelve: float  # twelve months to the month
    twelve_before: float | None  # the twelve months before those
    values: list[float]  # the last 36 months, for the chart

    def change(self, before: float | None, now: float) -> float | None:
        return None if not before else (now - before) / before

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "month": number(self.month),
            "change_previous": self.change(self.previous, self.month),
            "change_year": self.change(self.year_before, self.month),
            "twelve": number(self.twelve),
            "change_twelve": self.change(self.twelve_before, self.twelve),
        }


@dataclass
class MonthlyReport:
    indicator: str
    dataset: Dataset
    month: str
    routes: list[RouteFigures]
    total: RouteFigures
    nationalities: dict[str, Any]
    flagged: list[dict[str, Any]]
    outlook: list[dict[str, Any]]
    incidents: dict[str, Any] | None
    labels: list[str]  # the chart's 36 months
    generated_at: Any = field(default_factory=clock.now)


def _month(value: str | None, dataset: Dataset, indicator: str) -> str:
    cover = dataset.coverage[indicator]
    if cover["finest"] == "year":
        raise InvalidInput(
            f"indicator: {indicator} in {dataset.id} is counted per year; a monthly report "
            "needs monthly figures",
            field="indicator",
        )
    last = f"{cover['last'][0]}-{cover['last'][1]:02d}"
    first = f"{cover['first'][0]}-{cover['first'][1]:02d}"
    if not value:
        return last
    if len(value) != 7 or value[4] != "-" or not (first <= value <= last):
        raise InvalidInput(
            f"month: {value[:20]!r} is not a month the dataset covers ({first} to {last})",
            field="month",
        )
    return value


def _figures(name: str, s: Series, month: str) -> RouteFigures:
    labels = [p for p, _ in s.points]
    values = [v for _, v in s.points]
    i = labels.index(month) if month in labels else -1
    if i < 0:
        return RouteFigures(name, 0.0, None, None, 0.0, None, [0.0] * 36)

    def at(k: int) -> float | None:
        return values[k] if k >= 0 else None

    before = values[max(0, i - 23) : max(0, i - 11)]
    return RouteFigures(
        name,
        values[i],
        at(i - 1),
        at(i - 12),
        sum(values[max(0, i - 11) : i + 1]),
        sum(before) if i >= 23 else None,
        ([0.0] * 36 + values[: i + 1])[-36:],
    )


def monthly(
    session: Session,
    *,
    actor: Principal,
    indicator: str = "illegal_border_crossings",
    dataset: str | None = None,
    month: str | None = None,
) -> MonthlyReport:
    actor.require("risk.read")
    try:
        name = indicator_name(indicator, "indicator")
    except ValueError as exc:
        raise InvalidInput(str(exc), field="indicator") from None
    ds = choose_dataset(session, Filter(name, dataset, purposes=actor.purposes))
    chosen = _month(month, ds, name)
    base = Filter(name, ds.id, purposes=actor.purposes)
    total = _figures("", series(session, base, "month"), chosen)
    routes = []
    for route in ds.coverage[name].get("routes", []):
        s = series(session, dataclasses.replace(base, route=route), "month")
        routes.append((s, _figures(route, s, chosen)))
    routes.sort(key=lambda r: (-r[1].twelve, r[1].route))
    flagged: list[dict[str, Any]] = []
    outlook: list[dict[str, Any]] = []
    year_ago = f"{int(chosen[:4]) - 1}-{chosen[5:]}"
    for s, figures in routes[:CHARTED]:
        upto = dataclasses.replace(s, points=[p for p in s.points if p[0] <= chosen])
        if len(upto.points) > 24:
            for a in anomalies.anomalies(upto):
                if year_ago < a.period <= chosen:
                    flagged.append({"route": figures.route, **a.to_dict()})
        if len(upto.points) > 2 * 12 + HORIZON:
            made = forecast.forecast(upto, horizon=HORIZON)
            outlook.append({"route": figures.route, **made.to_dict()})
    flagged.sort(key=lambda a: (a["period"], -abs(a["score"])), reverse=True)
    return MonthlyReport(
        indicator=name,
        dataset=ds,
        month=chosen,
        routes=[f for _, f in routes],
        total=total,
        nationalities=breakdown.breakdown(session, base, months=1, top=10, until=chosen),
        flagged=flagged,
        outlook=outlook,
        incidents=_incidents(session, chosen, actor.purposes),
        labels=_last_months(chosen, 36),
    )


def _last_months(month: str, n: int) -> list[str]:
    index = int(month[:4]) * 12 + int(month[5:]) - 1
    return [f"{k // 12}-{k % 12 + 1:02d}" for k in range(index - n + 1, index + 1)]


def _incidents(session: Session, month: str, purposes: frozenset[str]) -> dict[str, Any] | None:
    """Deaths and disappearances recorded in the month (the fullest dataset of them), with
    their places: the map's points and the sum per route."""
    try:
        ds = choose_dataset(session, Filter("dead_and_missing", purposes=purposes))
    except NotFound:
        return None
    year, m = int(month[:4]), int(month[5:])
    where = (_t.dataset == ds.id, _t.indicator == "dead_and_missing", _t.year == year,
             _t.month == m)  # fmt: skip
    points = [
        (float(lon), float(lat))
        for lon, lat in session.execute(select(_t.lon, _t.lat).where(*where, _t.lat.is_not(None)))
    ]
    by_route = session.execute(
        select(_t.route, func.sum(_t.value), func.count()).where(*where).group_by(_t.route)
    ).all()
    if not by_route:
        return None
    return {
        "dataset": ds,
        "points": points,
        "routes": sorted(
            ({"route": r or "", "value": number(float(v)), "incidents": n} for r, v, n in by_route),
            key=lambda x: -float(x["value"]),
        ),
        "total": number(sum(float(v) for _r, v, _n in by_route)),
    }


def line_chart(
    labels: list[str], lines: list[tuple[str, list[float]]], *, width: int = 720, height: int = 240
) -> str:
    """A self-contained SVG line chart (no script: it prints and goes into the PDF): one
    polyline per series over the same periods, the y axis from zero with three gridlines,
    the first and last period named, a legend."""
    if not lines or not labels:
        return ""
    left, right, top, bottom = 56, 12, 12, 44
    top_value = max((max(v) for _, v in lines), default=0.0) or 1.0
    nice = 10 ** np.floor(np.log10(top_value))
    top_value = float(np.ceil(top_value / nice) * nice)
    span_x = (width - left - right) / max(1, len(labels) - 1)
    span_y = (height - top - bottom) / top_value

    def xy(i: int, v: float) -> str:
        return f"{left + i * span_x:.1f},{height - bottom - v * span_y:.1f}"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img" class="risk-svg" font-family="sans-serif" font-size="11">'
    ]
    for k in range(4):
        v = top_value * k / 3
        y = height - bottom - v * span_y
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#d0d5dd" stroke-width="1"/>')  # fmt: skip
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#475467">'
                   f"{escape(f'{v:,.0f}')}</text>")  # fmt: skip
    for i in (0, len(labels) - 1):
        anchor = "start" if i == 0 else "end"
        out.append(f'<text x="{left + i * span_x:.1f}" y="{height - bottom + 16}" '
                   f'text-anchor="{anchor}" fill="#475467">{escape(labels[i])}</text>')  # fmt: skip
    for n, (name, values) in enumerate(lines):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(xy(i, v) for i, v in enumerate(values))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        lx = left + n * (width - left - right) / max(1, len(lines))
        out.append(f'<rect x="{lx:.1f}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{lx + 14:.1f}" y="{height - 5}" fill="#101828">'
                   f"{escape(name[:40])}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def note_of(session: Session, r: MonthlyReport) -> ReportNote | None:
    return session.scalar(
        select(ReportNote).where(
            ReportNote.dataset == r.dataset.id,
            ReportNote.indicator == r.indicator,
            ReportNote.period == r.month,
        )
    )


def save_note(
    session: Session,
    *,
    actor: Principal,
    dataset: str,
    indicator: str,
    period: str,
    summary: str,
    outlook: str,
) -> ReportNote:
    """The analyst's narrative of one monthly report (written again: replaced)."""
    from corridor.audit import service as audit

    actor.require("risk.assess")
    for name, text in (("summary", summary), ("outlook", outlook)):
        if len(text) > 20_000:
            raise InvalidInput(f"{name}: at most 20,000 characters", field=name)
    note = session.scalar(
        select(ReportNote).where(
            ReportNote.dataset == dataset,
            ReportNote.indicator == indicator,
            ReportNote.period == period,
        )
    )
    if note is None:
        note = ReportNote(dataset=dataset, indicator=indicator, period=period)
        session.add(note)
    note.summary, note.outlook = summary.strip(), outlook.strip()
    note.updated_at, note.updated_by = clock.now(), actor.handle[:200]
    session.flush()
    audit.append(session, actor=actor, action="risk.report_note", object_type="report",
                 object_id=f"{dataset}/{indicator}/{period}")  # fmt: skip
    return note
