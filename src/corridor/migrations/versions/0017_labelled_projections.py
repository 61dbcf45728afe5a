"""cooperation, messages: every projection row carries its record's labels as `Labelled` does;
drafts name their text `text`

Messages, requests for assistance and their replies copied the label columns by hand:
`recipients` held the nodes a message or request went to (now `audience`, as alerts name it),
requests kept the labels' TLP:RED recipients as `label_recipients` (now `recipients`), and
`version` / `updated_at` were missing here and there. The new columns are filled from the
records they project (the latest version this node holds), so no stored data is lost; the
downgrade puts the old names back. A saved draft of a request names its main text `text`, as the
API now does (it was `body`).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_RECORDS = sa.table("records", sa.column("id", sa.Uuid()), sa.column("envelope", sa.JSON()))
_TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "recipients": sa.JSON(),
    "version": sa.Integer(),
    "updated_at": corridor.db.UTCDateTime(timezone=True),
}


def _values(envelope: dict[str, Any] | None, sent_at: datetime) -> dict[str, Any]:
    """The label columns of a row, from the latest version of its record. A row without its
    record (not expected: both are written in one transaction) reads as a first version."""
    env = envelope or {}
    return {
        "recipients": list((env.get("labels") or {}).get("recipients", [])),
        "version": int(env.get("version", 1)),
        "updated_at": datetime.fromisoformat(env["ts"]) if env.get("ts") else sent_at,
    }


def _add_labels(table: str, columns: tuple[str, ...]) -> None:
    """Add `columns` of the `Labelled` mixin to `table`, filled from the records its rows
    project, then required as the model has them."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name in columns:
            batch_op.add_column(sa.Column(name, _TYPES[name], nullable=True))
    t = sa.table(
        table,
        sa.column("id", sa.Uuid()),
        sa.column("sent_at", _TYPES["updated_at"]),
        *(sa.column(name, _TYPES[name]) for name in columns),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(t.c.id, t.c.sent_at, _RECORDS.c.envelope).select_from(
            t.outerjoin(_RECORDS, _RECORDS.c.id == t.c.id)
        )
    ).all()
    updates = []
    for rid, sent_at, envelope in rows:
        values = _values(envelope, sent_at)
        updates.append({"b_id": rid, **{f"b_{name}": values[name] for name in columns}})
    if updates:
        conn.execute(
            t.update()
            .where(t.c.id == sa.bindparam("b_id"))
            .values({name: sa.bindparam(f"b_{name}", type_=_TYPES[name]) for name in columns}),
            updates,
        )
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name in columns:
            batch_op.alter_column(name, existing_type=_TYPES[name], nullable=False)


def _rename(table: str, old: str, new: str) -> None:
    # One batch per rename: on SQLite each is a copy of the table, and a later rename may take
    # the name an earlier one freed.
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column(old, new_column_name=new)


def _drafts(old: str, new: str) -> None:
    """A saved draft names its main text as the API now does (`text`, formerly `body`)."""
    t = sa.table("rfa_drafts", sa.column("id", sa.Uuid()), sa.column("payload", sa.JSON()))
    conn = op.get_bind()
    updates = [
        {"b_id": rid, "b_payload": {(new if k == old else k): v for k, v in payload.items()}}
        for rid, payload in conn.execute(sa.select(t.c.id, t.c.payload)).all()
        if old in payload
    ]
    if updates:
        conn.execute(
            t.update()
            .where(t.c.id == sa.bindparam("b_id"))
            .values(payload=sa.bindparam("b_payload", type_=sa.JSON())),
            updates,
        )


def upgrade() -> None:
    _rename("messages", "recipients", "audience")
    _add_labels("messages", ("recipients", "version", "updated_at"))

    _rename("rfa_requests", "recipients", "audience")
    _rename("rfa_requests", "label_recipients", "recipients")
    _add_labels("rfa_requests", ("updated_at",))

    _rename("rfa_replies", "label_recipients", "recipients")
    _add_labels("rfa_replies", ("version", "updated_at"))

    # The mixin indexes the origin (the listings of sent and received filter on it).
    for table in ("rfa_requests", "rfa_replies"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_origin"), ["origin"], unique=False)
    _drafts("body", "text")


def _drop(table: str, columns: tuple[str, ...]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        if table != "messages":
            batch_op.drop_index(batch_op.f(f"ix_{table}_origin"))
        for name in columns:
            batch_op.drop_column(name)


def downgrade() -> None:
    _drafts("text", "body")
    _drop("rfa_replies", ("updated_at", "version"))
    _rename("rfa_replies", "recipients", "label_recipients")

    _drop("rfa_requests", ("updated_at",))
    _rename("rfa_requests", "recipients", "label_recipients")
    _rename("rfa_requests", "audience", "recipients")

    _drop("messages", ("updated_at", "version", "recipients"))
    _rename("messages", "audience", "recipients")
