"""Input and answer models of hit/no-hit."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from corridor.matching.selectors import TYPES
from corridor.schemas import StrictModel

SelectorType = Literal[TYPES]  # type: ignore[valid-type]


class SelectorIn(StrictModel):
    type: SelectorType
    value: str = Field(min_length=1, max_length=300)
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{2}$",
        description="ISO 3166-1 alpha-2: reads a national phone number, qualifies a document "
        "number (issuing state) or a plate",
    )
    birth_year: int | None = Field(default=None, ge=1900, le=2100)


class CheckIn(StrictModel):
    selectors: list[SelectorIn] = Field(min_length=1, max_length=10_000)


class SelectorOut(BaseModel):
    type: str
    value: str
    country: str | None = None
    birth_year: int | None = None


class HitOut(BaseModel):
    node: str = Field(description="the partner node that holds a match")
    type: str
    handle: str = Field(description="the partner's referral handle: quote it in a request")
    level: Literal["exact", "name"]


class ResultOut(BaseModel):
    selector: SelectorOut
    hits: list[HitOut]


class PeerOut(BaseModel):
    node: str
    state: str = Field(description="answered | unreachable | refused: …")


class CheckOut(BaseModel):
    results: list[ResultOut]
    peers: list[PeerOut]


class HitOnOursOut(BaseModel):
    id: str
    handle: str
    entity: str | None = Field(description="our entity the handle refers to")
    type: str
    level: str
    node: str = Field(description="the partner node that asked")
    author: str = Field(description="who asked there")
    at: datetime


class HitList(BaseModel):
    items: list[HitOnOursOut]


class RunIn(StrictModel):
    """A check run as a job: a list of selectors (up to 100,000) or every entity of a case."""

    selectors: list[SelectorIn] = Field(default_factory=list, max_length=100_000)
    case: str | None = Field(default=None, max_length=80, description="a case's id or reference")
    title: str = Field(default="", max_length=300)


class RunResult(BaseModel):
    selector: SelectorOut
    hits: list[HitOut]


class RunOut(BaseModel):
    id: str
    title: str
    kind: str
    state: str = Field(description="queued | running | done | failed")
    total: int
    done: int
    hits: int
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None
    results: list[RunResult] = Field(
        default_factory=list, description="the selectors with hits, as far as checked"
    )
