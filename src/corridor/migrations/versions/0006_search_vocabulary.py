"""search vocabulary: document counts of the SQLite search terms

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 21:50:00

Search decides from how many entities a term matches whether ranking every match is
affordable (see corridor.entities.search). PostgreSQL needs nothing here.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE entity_fts_vocab USING fts5vocab(entity_fts, 'row')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS entity_fts_vocab")
