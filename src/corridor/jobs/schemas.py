"""The job queue as the API answers it."""

from __future__ import annotations

import uuid

from corridor.schemas import ReadModel, StrictModel, UtcDateTime


class JobRead(ReadModel):
    id: uuid.UUID
    kind: str
    state: str
    attempts: int
    max_attempts: int
    run_after: UtcDateTime
    last_error: str | None
    updated_at: UtcDateTime


class JobsRead(StrictModel):
    counts: dict[str, int]
    items: list[JobRead]
