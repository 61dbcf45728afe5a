"""Tables of the indicator store.

An indicator row is one figure: an indicator (what is counted), a period (a day, a month or a
year), where (route, border type, country, border section, crossing point), who (nationality,
sex, age band) and its value, in the dataset it was imported into. Its `key` is a digest of
everything that identifies it, so importing a file again (or the same figures in another layout
of the same source) replaces figures instead of adding them. The columns a dashboard filters
and groups by are plain columns with indexes; what a source says beyond them (an incident's
cause and place) is `detail`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from corridor.db import Base

# SQLite gives an INTEGER PRIMARY KEY its rowid (autoincrement); PostgreSQL needs BIGINT for
# tens of millions of rows.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class Dataset(Base):
    """A dataset of indicator rows: one per source imported (frontex-ibc, iom-mmp, …) or named
    by the analyst for a mapped file; its citation and licence go with every chart and report
    drawn from it, its labels with every figure shared from it."""

    __tablename__ = "risk_datasets"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    # Labels of every figure shared from it (risk.figures records); who reads it here.
    tlp: Mapped[str] = mapped_column(String(20), default="CLEAR")
    purpose: Mapped[str] = mapped_column(String(40), default="risk-analysis")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    # Per indicator, the periods the dataset covers and its finest period: {"dead_and_missing":
    # {"first": [2014, 1, 6], "last": [2025, 4, 30], "finest": "day"}}. A period inside them
    # without a figure counts zero (the sources leave out months without detections).
    coverage: Mapped[dict[str, Any]]
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(String(200), default="")


class IndicatorRow(Base):
    __tablename__ = "risk_indicators"
    __table_args__ = (
        Index("uq_risk_indicators_dataset_key", "dataset", "key", unique=True),
        # A series is one indicator of one dataset, filtered by route, nationality or country.
        Index("ix_risk_indicators_route", "dataset", "indicator", "route", "year", "month"),
        Index("ix_risk_indicators_nationality", "dataset", "indicator", "nationality", "year"),
        Index("ix_risk_indicators_country", "dataset", "indicator", "country", "year"),
        # The figures with a place (IOM's incidents): the map reads them by period.
        Index(
            "ix_risk_indicators_placed",
            "dataset",
            "indicator",
            "year",
            "month",
            postgresql_where=text("lat IS NOT NULL"),
            sqlite_where=text("lat IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(32))
    indicator: Mapped[str] = mapped_column(String(60))
    # The period: a year, a month of it or a day of that month.
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int | None] = mapped_column(SmallInteger)
    day: Mapped[int | None] = mapped_column(SmallInteger)
    route: Mapped[str | None] = mapped_column(String(120))
    border_type: Mapped[str | None] = mapped_column(String(20))
    # ISO 3166-1 alpha-3 as the sources write them (with their own codes for the unknown,
    # stateless and Kosovo: UNK, STL, XKX, …).
    country: Mapped[str | None] = mapped_column(String(8))
    border_section: Mapped[str | None] = mapped_column(String(120))
    crossing_point: Mapped[str | None] = mapped_column(String(120))
    nationality: Mapped[str | None] = mapped_column(String(8))
    sex: Mapped[str | None] = mapped_column(String(10))
    age: Mapped[str | None] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    # A total of other rows of the dataset (Eurostat's EU27): left out of sums unless asked.
    aggregate: Mapped[bool] = mapped_column(Boolean, default=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[dict[str, Any] | None]
    # The import that stored it (`risk_imports.id`).
    import_id: Mapped[int] = mapped_column(Integer)


class Rollup(Base):
    """Sums of a dataset's figures per indicator, route, border type and period, without the
    people (nationality, sex, age) and places below the route: a route's or a whole
    indicator's series reads a few hundred rows here instead of a million figures. Rebuilt for
    a dataset after each import of it (rollup.rebuild); totals (`aggregate`) are left out."""

    __tablename__ = "risk_rollup"
    __table_args__ = (
        Index("ix_risk_rollup_series", "dataset", "indicator", "route", "year", "month"),
    )

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(60))
    indicator: Mapped[str] = mapped_column(String(60))
    route: Mapped[str | None] = mapped_column(String(120))
    border_type: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(SmallInteger)
    month: Mapped[int | None] = mapped_column(SmallInteger)
    day: Mapped[int | None] = mapped_column(SmallInteger)
    value: Mapped[float] = mapped_column(Float)
    figures: Mapped[int] = mapped_column(Integer)


class ReportNote(Base):
    """The analyst's narrative of a monthly report: one per dataset, indicator and month."""

    __tablename__ = "risk_report_notes"
    __table_args__ = (Index("uq_risk_report_notes", "dataset", "indicator", "period", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(60))
    indicator: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(Text, default="")
    outlook: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class ImportRun(Base):
    """One import of a file: who, what, how many rows kept, and the rows refused with why."""

    __tablename__ = "risk_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(60), index=True)
    source: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_refused: Mapped[int] = mapped_column(Integer, default=0)
    # The first refused rows: [{"row": 12, "column": "month", "error": "…"}].
    errors: Mapped[list[dict[str, Any]]]
