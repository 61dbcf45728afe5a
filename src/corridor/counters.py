"""Monotonic counters of the node (record seq, outbox positions), kept in its store."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from corridor.db import Base, driver_sql, transaction_state


class Counter(Base):
    """Monotonic counters (record seq); incremented under the row lock of the transaction."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# name -> [value handed out last, value the row holds], for the rest of the transaction
_COUNTERS = "counter_values"
_BUMP = (
    "INSERT INTO counters (name, value) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value"
)


def bump_counter(session: Session, name: str, by: int = 1) -> int:
    """Add `by` to a counter and return its new value (the last of the `by` values reserved).

    The first bump in a transaction is one statement that creates the row if needed, adds and
    returns the value, and (on PostgreSQL) locks the row until the commit; SQLite's writer
    lock is held already. Later bumps count in memory; the row is written once, at commit."""
    values: dict[str, list[int]] = session.info.setdefault(_COUNTERS, {})
    entry = values.get(name)
    if entry is None:
        value = int(driver_sql(session, _BUMP, (name, by)).scalar_one())
        values[name] = [value, value]
        return value
    entry[0] += by
    return entry[0]


def _save_counters(session: Session, values: dict[str, list[int]]) -> None:
    for name, entry in values.items():
        if entry[0] != entry[1]:
            driver_sql(session, "UPDATE counters SET value = ? WHERE name = ?", (entry[0], name))
            entry[1] = entry[0]


transaction_state(
    _COUNTERS,
    save=_save_counters,
    copy=lambda values: {name: entry[:] for name, entry in values.items()},
)
