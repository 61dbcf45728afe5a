"""The audit log as the API answers it: entries and the result of a chain check."""

from __future__ import annotations

from typing import Any

from corridor.schemas import ReadModel, StrictModel, UtcDateTime


class AuditRead(ReadModel):
    seq: int
    ts: UtcDateTime
    actor: str
    actor_kind: str
    action: str
    object_type: str
    object_id: str
    ip: str
    outcome: str
    detail: dict[str, Any]
    hash: str


class VerifyRead(StrictModel):
    ok: bool
    checked: int
    broken_seq: int | None
    reason: str
