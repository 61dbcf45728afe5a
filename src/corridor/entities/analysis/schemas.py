"""Input and response models of link analysis (see `entities.schemas.Answer`)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from corridor.entities.schemas import Answer
from corridor.schemas import StrictModel, UtcDateTime


class ChartIn(StrictModel):
    """A chart as the graph view saves it: node positions and pinned nodes (given either as
    `layout` or as top-level `positions`/`pinned`)."""

    name: str = Field(default="Main chart", min_length=1, max_length=120)
    layout: dict[str, Any] | None = None
    positions: dict[str, dict[str, float]] | None = None
    pinned: list[str] | None = Field(default=None, max_length=20_000)

    def as_layout(self) -> dict[str, Any]:
        if self.layout is not None:
            return self.layout
        return {"positions": self.positions or {}, "pinned": self.pinned or []}


class GraphOut(Answer):
    """Cytoscape.js elements (see `graph.to_cytoscape`) and, with a saved chart, its layout."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    truncated: bool
    positions: dict[str, Any]
    pinned: list[Any]


class PathNode(Answer):
    id: str
    caption: str
    schema_: str = Field(alias="schema")


class PathsOut(Answer):
    paths: list[list[PathNode]]


class KeyPlayers(Answer):
    """The top entities by each measure ({id, caption, <measure>: score}) and the separate
    networks (entity ids, largest first)."""

    betweenness: list[dict[str, Any]]
    pagerank: list[dict[str, Any]]
    degree: list[dict[str, Any]]
    communities: list[list[str]]


class FactParticipant(Answer):
    id: str
    caption: str
    role: str


class FactOut(Answer):
    """A dated call, payment, trip or event (see `facts.timeline`)."""

    id: str
    kind: str
    caption: str
    start: str | None
    end: str | None
    participants: list[FactParticipant]
    amount: float | None
    currency: str | None
    origin: str | None
    destination: str | None


class FactList(Answer):
    items: list[FactOut]


class ChartOut(Answer):
    id: uuid.UUID
    name: str
    layout: dict[str, Any]
    created_by: str
    updated_at: UtcDateTime | None


class ChartList(Answer):
    items: list[ChartOut]
