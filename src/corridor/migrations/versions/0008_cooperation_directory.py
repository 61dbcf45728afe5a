"""cooperation: directory

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("expertise", sa.JSON(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.Column("always", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("rota", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_contacts")),
    )
    with op.batch_alter_table("directory_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directory_contacts_active"), ["active"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_directory_contacts_country"), ["country"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_directory_contacts_origin"), ["origin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("directory_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_contacts_origin"))
        batch_op.drop_index(batch_op.f("ix_directory_contacts_country"))
        batch_op.drop_index(batch_op.f("ix_directory_contacts_active"))

    op.drop_table("directory_contacts")
