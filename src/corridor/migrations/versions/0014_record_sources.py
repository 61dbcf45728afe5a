"""records: the sources of derived records (information-flow rule)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_sources",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("source_record", sa.Uuid(), nullable=True),
        sa.Column("compartment", sa.String(length=80), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("gone_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.id"],
            name=op.f("fk_record_sources_record_id_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "ref", name=op.f("pk_record_sources")),
    )
    with op.batch_alter_table("record_sources", schema=None) as batch_op:
        batch_op.create_index("ix_record_sources_source", ["source_record"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("record_sources", schema=None) as batch_op:
        batch_op.drop_index("ix_record_sources_source")
    op.drop_table("record_sources")
