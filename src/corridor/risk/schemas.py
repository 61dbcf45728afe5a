"""Answers of /api/v1/indicators (they describe the routes in the OpenAPI document; the
services build the JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class Point(BaseModel):
    period: str
    value: float


class SourceOut(BaseModel):
    dataset: str
    title: str
    citation: str
    licence: str
    url: str


class SeriesOut(BaseModel):
    indicator: str
    dataset: str
    period: str
    filters: dict[str, str]
    items: list[Point]
    source: SourceOut


class AnomalyOut(BaseModel):
    period: str
    value: float
    expected: float
    score: float


class AnomaliesOut(BaseModel):
    indicator: str
    dataset: str
    period: str
    filters: dict[str, str]
    method: str
    threshold: float
    items: list[AnomalyOut]
    source: SourceOut


class ForecastPoint(BaseModel):
    period: str
    value: float
    lower: float
    upper: float


class Backtest(BaseModel):
    origins: int
    horizon: int
    mase: float | None
    mase_seasonal_naive: float | None


class ForecastOut(BaseModel):
    indicator: str
    dataset: str
    period: str
    filters: dict[str, str]
    method: str
    level: float
    items: list[ForecastPoint]
    backtest: Backtest
    source: SourceOut


class Window(BaseModel):
    from_: str = Field(alias="from")
    to: str


class PartOut(BaseModel):
    key: str | None
    name: str | None
    value: float
    share: float | None
    previous: float
    change: float | None
    others: int | None = None


class BreakdownOut(BaseModel):
    indicator: str
    dataset: str
    filters: dict[str, str]
    by: str
    window: Window
    before: Window
    total: float
    items: list[PartOut]
    source: SourceOut


class DatasetOut(BaseModel):
    id: str
    title: str
    citation: str
    licence: str
    url: str
    rows: int
    coverage: dict[str, Any]
    imported_at: datetime
    tlp: str
    purpose: str


class DatasetList(BaseModel):
    items: list[DatasetOut]


class RowErrorOut(BaseModel):
    row: int
    column: str | None = None
    error: str
    kept: bool = False


class ImportOut(BaseModel):
    id: int
    dataset: str
    source: str
    file_name: str
    rows_stored: int
    rows_refused: int
    errors: list[RowErrorOut]
    started_at: datetime
    finished_at: datetime | None


class ImportList(BaseModel):
    items: list[ImportOut]


class HeadOut(BaseModel):
    key: str | None
    name: str | None
    total: float
    others: int | None = None


class MatrixRowOut(HeadOut):
    cells: list[float]


class MatrixOut(BaseModel):
    indicator: str
    dataset: str
    filters: dict[str, str]
    rows_by: str
    columns_by: str
    window: Window
    total: float
    columns: list[HeadOut]
    rows: list[MatrixRowOut]
    source: SourceOut


class SeasonOut(BaseModel):
    month: int
    index: float
    low: float
    high: float


class SeasonalityOut(BaseModel):
    indicator: str
    dataset: str
    filters: dict[str, str]
    years: list[int]
    items: list[SeasonOut]
    source: SourceOut
