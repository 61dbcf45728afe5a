"""cooperation: alerts

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coop_alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("severity_rank", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("area", sa.JSON(), nullable=True),
        sa.Column("route_id", sa.Uuid(), nullable=True),
        sa.Column("entities", sa.Integer(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("sent_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=80), nullable=True),
        sa.Column("acknowledged_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_alerts")),
    )
    with op.batch_alter_table("coop_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coop_alerts_state_rank", ["state", "severity_rank", "sent_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coop_alerts_origin"), ["origin"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_coop_alerts_valid_until"), ["valid_until"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("coop_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coop_alerts_valid_until"))
        batch_op.drop_index(batch_op.f("ix_coop_alerts_origin"))
        batch_op.drop_index("ix_coop_alerts_state_rank")
    op.drop_table("coop_alerts")
