"""Challenges: record them and read the network view of them.

The network view is what this node holds: its own challenges and those partners addressed to
it, each shown only to the users its labels allow (records.policy.can_see)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.errors import InvalidInput
from corridor.mapping.challenges.models import ChallengeRow
from corridor.mapping.challenges.records import CHALLENGE
from corridor.mapping.challenges.schemas import SEVERITY_RANK, ChallengeBody
from corridor.mapping.routes.service import link_route
from corridor.records import flow
from corridor.records.models import StoredRecord
from corridor.records.owned import SaveOwn, visible_row
from corridor.records.policy import can_see
from corridor.records.projection import label_view
from corridor.security.principal import Principal


def _route_sources(
    session: Session, node_id: str, actor: Principal, body: dict[str, Any]
) -> list[flow.Source]:
    """The routes a challenge cites, as flow sources (their labels bind the challenge's)."""
    sources = []
    for i, ref in enumerate(ChallengeBody.model_validate(body).routes):
        row, source = link_route(session, node_id, actor, ref.route, where=f"routes[{i}]")
        bad = [leg for leg in ref.legs if leg >= len(row.legs)]
        if bad:
            raise InvalidInput(
                f"routes[{i}]: route {row.name!r} has {len(row.legs)} legs; no leg {bad[0]}"
            )
        sources.append(dataclasses.replace(source, name=row.name))
    return sources


# Record a challenge of this node, or (with `record_id`) a new version of one.
save_challenge = SaveOwn(CHALLENGE, check=_route_sources)


def visible_challenge(
    session: Session, node_id: str, actor: Principal, challenge_id: str | uuid.UUID
) -> ChallengeRow | None:
    return visible_row(session, ChallengeRow, node_id, actor, challenge_id)


def link_challenge(
    session: Session, node_id: str, actor: Principal, challenge_id: str | uuid.UUID, *, where: str
) -> tuple[ChallengeRow, flow.Source]:
    """A challenge that a record links to (a risk assessment): one this actor may see, else
    InvalidInput naming `where`; with the challenge's record as a flow source (path "link"),
    so its labels bind the linking record's."""
    row = visible_challenge(session, node_id, actor, challenge_id)
    record = session.get(StoredRecord, row.id) if row is not None else None
    if row is None or record is None:
        raise InvalidInput(f"{where}: no challenge {challenge_id} on this node")
    source = flow.of_record(record.envelope, path="link")
    return row, dataclasses.replace(source, name=row.title)


# --- the network view -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    themes: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    route: uuid.UUID | None = None
    country: str | None = None
    origin: str | None = None
    since: date | None = None
    until: date | None = None

    def echo(self) -> dict[str, Any]:
        return {
            "theme": list(self.themes),
            "severity": list(self.severities),
            "status": list(self.statuses),
            "route": str(self.route) if self.route else None,
            "country": self.country,
            "origin": self.origin,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def challenge_day(row: ChallengeRow) -> date:
    return row.identified or row.updated_at.date()


def _where(filters: Filters) -> list[Any]:
    where: list[Any] = []
    if filters.themes:
        where.append(ChallengeRow.theme.in_(filters.themes))
    if filters.severities:
        where.append(ChallengeRow.severity.in_(filters.severities))
    if filters.statuses:
        where.append(ChallengeRow.status.in_(filters.statuses))
    if filters.origin:
        where.append(ChallengeRow.origin == filters.origin)
    return where


def _keep(row: Any, filters: Filters) -> bool:
    # Filters on JSON lists and on a date with a fallback are applied here, on both stores alike.
    if filters.country and filters.country not in row.countries:
        return False
    if filters.route and not any(ref["route"] == str(filters.route) for ref in row.routes):
        return False
    day = challenge_day(row)
    return not (filters.since and day < filters.since) and not (
        filters.until and day > filters.until
    )


def matching(
    session: Session, node_id: str, actor: Principal, filters: Filters, *columns: Any
) -> list[Any]:
    """Visible challenges matching the filters, most severe first: ORM rows, or rows of the
    given columns (which must include the label columns and those the filters read)."""
    actor.require("records.read")
    q = select(*columns) if columns else select(ChallengeRow)
    q = q.where(ChallengeRow.purpose.in_(sorted(actor.purposes)), *_where(filters))
    rows = session.execute(q).all() if columns else session.scalars(q).all()
    out = [r for r in rows if can_see(actor, label_view(r), node_id) and _keep(r, filters)]
    out.sort(key=lambda r: (-SEVERITY_RANK[r.severity], r.title.lower()))
    return out


def list_challenges(
    session: Session, node_id: str, *, actor: Principal, filters: Filters = Filters()
) -> list[ChallengeRow]:
    return matching(session, node_id, actor, filters)


def spliced_json(data: dict[str, Any], key: str) -> bytes:
    """The JSON of a dict whose `key` holds JSON texts already (the challenges' stored
    summaries), spliced in rather than decoded and encoded again."""
    rest = {k: v for k, v in data.items() if k != key}
    head = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
    sep = "," if rest else ""
    return f'{head[:-1]}{sep}"{key}":[{",".join(data[key])}]}}'.encode()
