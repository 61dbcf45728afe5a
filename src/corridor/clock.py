"""One source of "now" for the whole node, so tests and deadlines can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Timezone-aware UTC now (or the injected clock's)."""
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Inject a clock (tests, simulations); None restores the system clock."""
    global _now
    _now = fn or (lambda: datetime.now(UTC))


def iso(dt: datetime) -> str:
    """UTC ISO 8601 with a trailing Z, the one format records and APIs use."""
    return as_utc(dt).isoformat().replace("+00:00", "Z")


def as_utc(dt: datetime) -> datetime:
    """Treat naive datetimes (as SQLite returns them) as UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse(text: str) -> datetime:
    """ISO 8601 (with Z or an offset; a date or a naive time counts as UTC) to aware UTC."""
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
