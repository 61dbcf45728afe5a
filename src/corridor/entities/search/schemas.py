"""Response models of search (see `entities.schemas.Answer`)."""

from __future__ import annotations

import uuid

from pydantic import Field

from corridor.entities.schemas import Answer


class Segment(Answer):
    """A run of the matched value; `hit` where its name key matches the query."""

    text: str
    hit: bool


class Matched(Answer):
    prop: str
    value: str
    highlight: list[Segment]


class HitOut(Answer):
    id: str
    schema_: str = Field(alias="schema")
    caption: str
    case_id: uuid.UUID | None
    origin: str | None
    tlp: str
    score: float
    matched: Matched
    properties: dict[str, list[str]]


class SearchOut(Answer):
    items: list[HitOut]
    # How many entities the engine proposed before ranking.
    candidates: int
