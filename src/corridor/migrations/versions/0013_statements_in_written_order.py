"""entities: statements stored in the order they were written (SQLite)

On SQLite the statements table was a WITHOUT ROWID table, its rows kept in (entity, id) order.
Entity ids are hashes, so every batch of an import inserted rows all over the table, and each
commit wrote a page for nearly every row: the larger the store, the slower an import (a
50,000-row import into a store of 200,000 entities spent 15 % more time writing). As a rowid
table, rows are appended and only the primary key's index is in entity order. PostgreSQL
stores rows in heap order already: nothing changes there.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COLUMNS = (
    "entity_id VARCHAR(128) NOT NULL, id VARCHAR(40) NOT NULL, prop VARCHAR(64) NOT NULL, "
    "value TEXT NOT NULL, original TEXT, source_kind VARCHAR(8) NOT NULL, "
    "source VARCHAR(64) NOT NULL, source_label VARCHAR(300) NOT NULL, tlp VARCHAR(16) NOT NULL, "
    "created_at DATETIME NOT NULL, retracted_at DATETIME, "
    "CONSTRAINT pk_statements PRIMARY KEY (entity_id, id)"
)
_NAMES = (
    "entity_id, id, prop, value, original, source_kind, source, source_label, tlp, created_at, "
    "retracted_at"
)


def _rebuild(table_options: str) -> None:
    # Copied in creation order, so that rows written together stay together.
    op.execute(f"CREATE TABLE statements_rebuilt ({_COLUMNS}){table_options}")
    op.execute(
        f"INSERT INTO statements_rebuilt ({_NAMES}) "  # noqa: S608 - constants only
        f"SELECT {_NAMES} FROM statements ORDER BY created_at, entity_id, id"
    )
    op.execute("DROP TABLE statements")
    op.execute("ALTER TABLE statements_rebuilt RENAME TO statements")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(" WITHOUT ROWID")
