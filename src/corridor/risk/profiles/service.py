"""Risk profiles: write one (the assessment it draws on checked and bound by the flow rule),
list the ones a user may see, those still valid first."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from corridor import clock
from corridor.errors import InvalidInput
from corridor.records import flow
from corridor.records.models import StoredRecord
from corridor.records.owned import SaveOwn, visible_rows
from corridor.risk.assessments.service import visible_assessment
from corridor.risk.profiles.models import ProfileRow
from corridor.risk.profiles.records import PROFILE
from corridor.security.principal import Principal


def _assessment_source(
    session: Session, node_id: str, actor: Principal, body: dict[str, Any]
) -> list[flow.Source]:
    ref = body.get("assessment")
    if not ref:
        return []
    row = visible_assessment(session, node_id, actor, ref)
    record = session.get(StoredRecord, row.id) if row is not None else None
    if row is None or record is None:
        raise InvalidInput(f"assessment: no assessment {ref} on this node", field="assessment")
    return [flow.of_record(record.envelope, path="link")]


# Record a profile of this node, or (with `record_id`) a new version of one.
save_profile = SaveOwn(PROFILE, check=_assessment_source)


def listed(session: Session, node_id: str, *, actor: Principal) -> list[ProfileRow]:
    """The profiles this actor may see: still valid first (the soonest to lapse first), then
    the lapsed ones."""
    actor.require("risk.read")
    today = clock.now().date()
    rows = visible_rows(session, ProfileRow, node_id, actor)

    def order(r: ProfileRow) -> tuple[int, str, str]:
        lapsed = r.valid_until is not None and r.valid_until < today
        return (int(lapsed), r.valid_until.isoformat() if r.valid_until else "9999", r.title)

    return sorted(rows, key=order)


def is_lapsed(row: ProfileRow) -> bool:
    return row.valid_until is not None and row.valid_until < clock.now().date()
