"""The holder's evaluation endpoint: k·B for blinded elements an approved peer sends.

It never sees a value, only elements blinded by a scalar it does not know. What keeps a member
from testing guesses through it is that every call is signed by the peer (RFC 9421, nonce
claimed once: a replay is refused), audited with its count, and limited per peer per minute
and per day; the limits are the node's (`node.toml` `[matching]`)."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.config import MatchingLimits
from corridor.errors import CorridorError, InvalidInput
from corridor.jobs.queue import handler
from corridor.matching import oprf
from corridor.matching.index import current_key
from corridor.matching.models import EvaluationUse
from corridor.node.service import Node
from corridor.schemas import StrictModel
from corridor.security.principal import Principal

# Elements in one call: a bulk check sends its inputs in calls of this size.
MAX_ELEMENTS = 10_000


class OverQuota(CorridorError, status=429, title="Too many evaluations", slug="over-quota"):
    """A peer asked for more evaluations than the holder allows in a minute or a day."""


class EvaluateIn(StrictModel):
    elements: list[str] = Field(min_length=1, max_length=MAX_ELEMENTS)


def _decode(elements: list[str]) -> list[bytes]:
    out = []
    for i, text in enumerate(elements):
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"elements[{i}]: not base64", field=f"elements[{i}]") from None
        if len(raw) != oprf.ELEMENT_BYTES:
            raise InvalidInput(
                f"elements[{i}]: not a {oprf.ELEMENT_BYTES}-byte group element",
                field=f"elements[{i}]",
            )
        out.append(raw)
    return out


def _use(session: Session, peer: str, count: int, limits: MatchingLimits) -> None:
    """Count the evaluations against the peer's minute and day; refuse beyond either."""
    now = clock.now()
    periods = (
        (now.strftime("%Y-%m-%dT%H:%M"), limits.per_minute, "minute"),
        (now.strftime("%Y-%m-%d"), limits.per_day, "day"),
    )
    rows = []
    for period, limit, name in periods:
        row = session.scalar(
            select(EvaluationUse)
            .where(EvaluationUse.peer == peer, EvaluationUse.period == period)
            .with_for_update()
        )
        if row is None:
            row = EvaluationUse(peer=peer, period=period, used=0)
            session.add(row)
        if row.used + count > limit:
            raise OverQuota(
                f"{count} evaluations would exceed this node's limit of {limit} per {name} "
                f"for your node ({row.used} used)"
            )
        rows.append(row)
    for row in rows:
        row.used += count


def evaluate(node: Node, peer: str, body: dict[str, Any]) -> dict[str, Any]:
    """Evaluate a peer's blinded elements; the peer is authenticated by the caller."""
    limits = node.config.matching
    data = EvaluateIn.model_validate(body)
    elements = _decode(data.elements)
    actor = Principal(kind="system", handle=f"peer:{peer}")
    with node.db.transaction() as session:
        try:
            _use(session, peer, len(elements), limits)
        except OverQuota:
            audit.append_denied(
                session,
                actor=actor,
                action="matching.evaluate",
                object_type="peer",
                object_id=peer,
                detail={"count": len(elements), "reason": "over quota"},
            )
            raise
        key = current_key(session)
        secret, key_id = key.secret, key.id
        audit.append(
            session,
            actor=actor,
            action="matching.evaluate",
            object_type="peer",
            object_id=peer,
            detail={"count": len(elements)},
        )
    try:
        evaluated = [oprf.blind_evaluate(secret, e) for e in elements]
    except oprf.InvalidElement as exc:
        raise InvalidInput(f"elements: {exc}", field="elements") from None
    return {"key": key_id, "elements": [base64.b64encode(e).decode() for e in evaluated]}


def prune_usage(session: Session, *, older_than: timedelta = timedelta(days=2)) -> None:
    cutoff = (clock.now() - older_than).strftime("%Y-%m-%d")
    session.execute(delete(EvaluationUse).where(EvaluationUse.period < cutoff))


@handler("matching.usage", every=timedelta(hours=6))
def prune_job(node: Node, payload: dict[str, Any]) -> None:
    with node.db.transaction() as session:
        prune_usage(session)
