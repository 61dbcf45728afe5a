"""Risk analysis: importing indicator figures and reading series, anomalies and forecasts.

Every call checks the caller's permission (`risk.import`, `risk.read`); an import is one
transaction (a file that turns out unreadable half-way stores nothing) and one audit entry with
its counts. Series are aggregates of published or national statistics, not personal data: they
are read without an audit entry each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.errors import InvalidInput
from corridor.records.labels import PURPOSES, canonical_tlp
from corridor.risk import anomalies as anomalies_mod
from corridor.risk import breakdown as breakdown_mod
from corridor.risk import flows, rollup, store, trends
from corridor.risk import forecast as forecast_mod
from corridor.risk import series as series_mod
from corridor.risk.models import Dataset, ImportRun
from corridor.risk.sources import SOURCES
from corridor.security.principal import Principal

# What a mapping may say of its dataset besides its columns.
_META = ("dataset", "title", "source", "licence")
_DATASET = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")


def dataset_id(text: str, where: str = "dataset") -> str:
    name = re.sub(r"[^a-z0-9._-]+", "-", text.strip().casefold()).strip("-._")[:60]
    if not _DATASET.fullmatch(name):
        raise InvalidInput(
            f"{where}: {text[:60]!r} cannot name a dataset (letters, digits, - . _)", field=where
        )
    return name


def import_file(
    session: Session,
    *,
    actor: Principal,
    path: Path,
    source: str,
    file_name: str | None = None,
    mapping: dict[str, Any] | None = None,
    dataset: str | None = None,
    title: str | None = None,
    tlp: str | None = None,
    purpose: str | None = None,
) -> ImportRun:
    """Import the figures of a file from `source` (see `sources.SOURCES`): every figure that
    can be read is stored (replacing the same figure of an earlier import), every row that
    cannot is listed with its row number, column and reason."""
    actor.require("risk.import")
    chosen = SOURCES.get(source)
    if chosen is None:
        raise InvalidInput(f"source: {source!r} is not one of {', '.join(SOURCES)}", field="source")
    name = file_name or path.name
    if mapping is not None and source != "csv":
        raise InvalidInput("mapping: only --source csv takes a mapping", field="mapping")
    if mapping is not None and not isinstance(mapping, dict):
        raise InvalidInput("mapping: a JSON object of field → column is expected", field="mapping")
    labels = dataset_labels(actor, tlp, purpose)
    meta = {k: str(v) for k, v in (mapping or {}).items() if k in _META and v is not None}
    given = dataset or meta.get("dataset") or chosen.dataset or Path(name).stem
    ds_id = dataset_id(str(given))
    now = clock.now()
    ds = session.get(Dataset, ds_id)
    if ds is None:
        ds = Dataset(
            id=ds_id,
            title=(title or meta.get("title") or chosen.title or name)[:300],
            source=(meta.get("source") or chosen.citation)[:2000],
            licence=(meta.get("licence") or chosen.licence)[:300],
            url=chosen.url,
            coverage={},
            imported_at=now,
            tlp="CLEAR",
            purpose="risk-analysis",
        )
        session.add(ds)
    elif not series_mod.readable(ds, _labelling(actor)):
        raise InvalidInput(
            f"dataset: {ds_id!r} is labelled for {ds.purpose}, a purpose you do not work for",
            field="dataset",
        )
    for name, value in labels.items():
        setattr(ds, name, value)
    run = ImportRun(
        dataset=ds_id,
        source=source,
        file_name=name[:300],
        actor=actor.handle[:200],
        started_at=now,
        errors=[],
    )
    session.add(run)
    session.flush()
    written = store.write(
        session, dataset=ds_id, import_id=run.id, items=chosen.read(path, mapping)
    )
    store.record_dataset(session, ds, written)
    rollup.rebuild(session, ds_id)
    ds.imported_at = clock.now()
    ds.imported_by = actor.handle[:200]
    run.finished_at = ds.imported_at
    run.rows_stored = written.stored
    run.rows_refused = len(written.refused_rows)
    run.rows_read = written.stored + run.rows_refused
    run.errors = written.errors
    audit.append(
        session,
        actor=actor,
        action="risk.import",
        object_type="dataset",
        object_id=ds_id,
        detail={
            "source": source,
            "stored": written.stored,
            "refused": run.rows_refused,
            "import": run.id,
            "tlp": canonical_tlp(ds.tlp),
            "purpose": ds.purpose,
        },
    )
    return run


# A dataset is read by everyone of its purpose at this node: no TLP:RED (named recipients).
DATASET_TLP = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT")


def _labelling(actor: Principal) -> frozenset[str]:
    """The purposes an importer may label a dataset for: their own; any, for the operator at
    the node's command line (who loads the node's files)."""
    return frozenset(PURPOSES) if actor.kind == "cli" else actor.purposes


def dataset_labels(actor: Principal, tlp: str | None, purpose: str | None) -> dict[str, str]:
    """The labels an import gives its dataset (those given; the others stay as they are, or
    CLEAR and risk analysis for a new dataset): every figure shared from it carries them."""
    out = {}
    if tlp is not None and tlp.strip():
        level = canonical_tlp(tlp)
        if level not in DATASET_TLP:
            raise InvalidInput(
                f"tlp: {tlp[:30]!r} is not one of {', '.join(DATASET_TLP)} (a dataset is read "
                "by everyone of its purpose here: no TLP:RED)",
                field="tlp",
            )
        out["tlp"] = level
    if purpose is not None and purpose.strip():
        chosen = purpose.strip().casefold()
        if chosen not in PURPOSES:
            raise InvalidInput(
                f"purpose: {purpose[:40]!r} is not one of {', '.join(PURPOSES)}", field="purpose"
            )
        if chosen not in _labelling(actor):
            raise InvalidInput(
                f"purpose: you do not work for {chosen}; label the dataset for one of "
                + ", ".join(sorted(_labelling(actor))),
                field="purpose",
            )
        out["purpose"] = chosen
    return out


def datasets(session: Session, *, actor: Principal) -> list[Dataset]:
    """The datasets this reader sees: those labelled for one of their purposes."""
    actor.require("risk.read")
    found = session.scalars(select(Dataset).order_by(Dataset.id))
    return [d for d in found if series_mod.readable(d, actor.purposes)]


def imports(session: Session, *, actor: Principal, limit: int = 50) -> list[ImportRun]:
    actor.require("risk.read")
    seen = [d.id for d in datasets(session, actor=actor)]
    query = (
        select(ImportRun)
        .where(ImportRun.dataset.in_(seen))
        .order_by(ImportRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def series(
    session: Session, *, actor: Principal, filter: series_mod.Filter, period: str = "month"
) -> series_mod.Series:
    actor.require("risk.read")
    return series_mod.series(session, filter.read_by(actor.purposes), period)


def anomalies(
    session: Session,
    *,
    actor: Principal,
    filter: series_mod.Filter,
    period: str = "month",
    threshold: float = anomalies_mod.THRESHOLD,
    direction: str = "both",
) -> tuple[series_mod.Series, list[anomalies_mod.Anomaly]]:
    actor.require("risk.read")
    s = series_mod.series(session, filter.read_by(actor.purposes), period)
    return s, anomalies_mod.anomalies(s, threshold=threshold, direction=direction)


def forecast(
    session: Session,
    *,
    actor: Principal,
    filter: series_mod.Filter,
    period: str = "month",
    horizon: int = 6,
    level: float = 0.8,
) -> tuple[series_mod.Series, forecast_mod.Forecast]:
    actor.require("risk.read")
    s = series_mod.series(session, filter.read_by(actor.purposes), period)
    return s, forecast_mod.forecast(s, horizon=horizon, level=level)


def breakdown(
    session: Session,
    *,
    actor: Principal,
    filter: series_mod.Filter,
    by: str = "nationality",
    months: int = 12,
    top: int = 10,
    until: str | None = None,
) -> dict[str, Any]:
    actor.require("risk.read")
    f = filter.read_by(actor.purposes)
    return breakdown_mod.breakdown(session, f, by=by, months=months, top=top, until=until)


def matrix(
    session: Session,
    *,
    actor: Principal,
    filter: series_mod.Filter,
    rows: str = "route",
    columns: str = "nationality",
    months: int = 12,
) -> dict[str, Any]:
    actor.require("risk.read")
    f = filter.read_by(actor.purposes)
    return breakdown_mod.matrix(session, f, rows=rows, columns=columns, months=months)


def seasonality(
    session: Session, *, actor: Principal, filter: series_mod.Filter
) -> tuple[series_mod.Series, trends.Seasonality | None]:
    actor.require("risk.read")
    s = series_mod.series(session, filter.read_by(actor.purposes), "month")
    return s, trends.seasonality(s)


def flow_map(
    session: Session, *, actor: Principal, filter: series_mod.Filter, months: int = 12
) -> dict[str, Any]:
    actor.require("risk.read")
    return flows.flow_map(session, filter.read_by(actor.purposes), months=months)


def source_of(ds: Dataset) -> dict[str, str]:
    """What a chart or table drawn from the dataset cites."""
    return {
        "dataset": ds.id,
        "title": ds.title,
        "citation": ds.source,
        "licence": ds.licence,
        "url": ds.url,
    }
