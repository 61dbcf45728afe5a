"""The driver-level writers of `corridor.db`, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from corridor.db import RowInserter
from corridor.entities.models import Statement

COLUMNS = ("entity_id", "id", "prop", "value", "source_kind", "source", "source_label", "tlp")
COLUMNS_AT = (*COLUMNS, "created_at")
WHEN = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def _row(n: int) -> tuple[object, ...]:
    return ("e1", f"s{n}", "name", f"Name {n}", "user", "u1", "", "AMBER", WHEN)


def _stored(node) -> list[tuple[str, datetime]]:  # type: ignore[no-untyped-def]
    with node.db.reading() as s:
        return list(s.execute(select(Statement.id, Statement.created_at).order_by(Statement.id)))


def test_rows_converted_or_given_in_stored_form_read_back_alike(node) -> None:  # type: ignore[no-untyped-def]
    insert = RowInserter(Statement.__table__, COLUMNS_AT)
    with node.db.transaction() as s:
        insert(s, [_row(1), _row(2)])  # each value through its column's bind processor
        at = insert.to_stored(s, "created_at")(WHEN)  # converted once for every row
        insert.stored(s, [(*_row(n)[:-1], at) for n in (3, 4)])
        insert.stored(s, [])
    assert _stored(node) == [(f"s{n}", WHEN) for n in (1, 2, 3, 4)]


def test_ignore_conflicts_skips_rows_whose_key_exists(node) -> None:  # type: ignore[no-untyped-def]
    plain = RowInserter(Statement.__table__, COLUMNS_AT)
    skipping = RowInserter(Statement.__table__, COLUMNS_AT, ignore_conflicts=True)
    with node.db.transaction() as s:
        plain(s, [_row(1)])
    with node.db.transaction() as s:
        skipping(s, [_row(1), _row(2)])
        at = skipping.to_stored(s, "created_at")(WHEN)
        skipping.stored(s, [(*_row(2)[:-1], at), (*_row(3)[:-1], at)])
    assert [sid for sid, _ in _stored(node)] == ["s1", "s2", "s3"]
    with pytest.raises(IntegrityError), node.db.transaction() as s:
        plain(s, [_row(3)])
    assert [sid for sid, _ in _stored(node)] == ["s1", "s2", "s3"]
