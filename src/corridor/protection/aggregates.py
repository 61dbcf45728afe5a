"""The one way out of the protection compartment: counts of the people screened here, for risk
analysis. Only counts leave, never a person: by nationality, route, sex, age band or
vulnerability type, and every count under `THRESHOLD` is suppressed, with a second count
suppressed beside a lone one so that it cannot be worked out from the total."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor import clock
from corridor.audit import service as audit
from corridor.protection.indicators import BY_CODE
from corridor.protection.models import Finding, ProtectedPerson, Screening
from corridor.security.principal import Principal

# Counts of 1 to THRESHOLD - 1 people are not shown (the usual rule of statistical offices
# for counts of people in a vulnerable situation).
THRESHOLD = 5
By = Literal["nationality", "route", "sex", "age_band", "vulnerability"]
BYS: tuple[str, ...] = ("nationality", "route", "sex", "age_band", "vulnerability")
AGE_BANDS = ((0, 13, "0-13"), (14, 17, "14-17"), (18, 25, "18-25"), (26, 40, "26-40"))


@dataclass(frozen=True)
class Cell:
    key: str
    count: int | None  # None: suppressed

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "count": self.count, "suppressed": self.count is None}


def age_band(birth_year: int | None, at: datetime) -> str:
    if birth_year is None:
        return "unknown"
    age = at.year - birth_year
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), "41+")


def suppressed(counts: Counter[str], threshold: int = THRESHOLD) -> list[Cell]:
    """The cells, largest first, with every count under `threshold` suppressed; if that
    suppressed one cell alone, the smallest shown one is suppressed too (it could otherwise
    be worked out from the total)."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    hidden = {k for k, v in ordered if 0 < v < threshold}
    shown = [k for k, _v in ordered if k not in hidden]
    if len(hidden) == 1 and shown:
        hidden.add(shown[-1])
    return [Cell(k, None if k in hidden else v) for k, v in ordered if v > 0]


def _latest(people: Any) -> Any:
    """The latest screening of each of `people` (a subquery of person ids): its route, one row
    per person screened."""
    last = (
        select(Screening.person_id, func.max(Screening.interviewed_at).label("at"))
        .where(Screening.person_id.in_(people))
        .group_by(Screening.person_id)
        .subquery()
    )
    return select(Screening.route).join(
        last,
        (Screening.person_id == last.c.person_id) & (Screening.interviewed_at == last.c.at),
    )


def counts(
    session: Session,
    *,
    actor: Principal,
    by: By,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """People screened here in [since, until) counted by `by` (their latest screening for the
    route and the vulnerability types; a person counts once per type found). Counted in the
    database: nothing of a person is loaded but what is counted."""
    actor.require("protection.aggregates")
    window = []
    if since is not None:
        window.append(ProtectedPerson.created_at >= since)
    if until is not None:
        window.append(ProtectedPerson.created_at < until)
    people = select(ProtectedPerson.id).where(*window)
    total = session.scalar(select(func.count()).select_from(people.subquery())) or 0
    tally: Counter[str] = Counter()
    if by in ("nationality", "sex", "age_band"):
        column: Any = {
            "nationality": ProtectedPerson.nationality,
            "sex": ProtectedPerson.sex,
            "age_band": ProtectedPerson.birth_year,
        }[by]
        now = clock.now()
        rows = session.execute(select(column, func.count()).where(*window).group_by(column))
        for value, n in rows:
            key = age_band(value, now) if by == "age_band" else (value or "unknown")
            tally[key] += n
    elif by == "route":
        latest = _latest(people).subquery()
        rows = session.execute(select(latest.c.route, func.count()).group_by(latest.c.route))
        tally.update({str(route or "unknown"): n for route, n in rows})
        tally["unknown"] += total - sum(tally.values())  # never screened
    else:
        rows = session.execute(
            select(Finding.code, func.count())
            .join(ProtectedPerson, ProtectedPerson.id == Finding.person_id)
            .where(*window)
            .group_by(Finding.code)
        )
        tally.update({code: n for code, n in rows if code in BY_CODE})
    cells = suppressed(tally)
    audit.append(
        session,
        actor=actor,
        action="protection.aggregates",
        object_type="protection",
        detail={"by": by, "cells": len(cells)},
    )
    return {
        "by": by,
        "threshold": THRESHOLD,
        "total": total if total >= THRESHOLD else None,
        "items": [c.as_dict() for c in cells],
    }
