"""Response models of search (see `entities.schemas.Answer`)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from corridor.entities.schemas import Answer


class Segment(Answer):
    """A run of the matched value; `hit` where its name key matches the query."""

    text: str
    hit: bool


class PartWhy(Answer):
    """Why one part of the query met one part of the matched name."""

    query: str
    value: str
    similarity: float
    how: Literal[
        "same", "abbreviation", "known", "sound", "transliteration", "spelling", "initial"
    ] = Field(
        description="same spelling; an abbreviation (Mohd); spellings listed as one name "
        "(Mehmet / Muhammad, Bob / Robert); another spelling with the same consonant key; "
        "across scripts by the learned transliteration model; a similar spelling; an initial"
    )


class Matched(Answer):
    prop: str
    value: str
    highlight: list[Segment]
    # Empty when a phone, document or account number matched rather than a name.
    why: list[PartWhy] = []


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


class FacetValue(Answer):
    """One value of a facet and how many of the hits found have it."""

    value: str
    count: int


class Facets(Answer):
    """The hits found (all of them, not only the `limit` answered) counted by each filter of
    the search, the most frequent value first; a value is what the filter of the same name
    takes. Only what the caller may see is counted."""

    schema_: list[FacetValue] = Field(alias="schema", description="entity type (FtM schema)")
    country: list[FacetValue] = Field(description="country code (lower case, as FtM writes it)")
    case: list[FacetValue] = Field(description="case id (own entities only)")
    origin: list[FacetValue] = Field(
        description="node id the entity comes from; this node's own id for its own entities"
    )


class SearchOut(Answer):
    items: list[HitOut]
    # How many entities the engine proposed before ranking.
    candidates: int
    found: int = Field(description="hits found before `limit` (what the facets count)")
    facets: Facets
