"""risk: risk profiles for front-line officers

The projection of `risk.profile` records (`risk_profiles`): title, route, nationalities, the
day it lapses and the assessment it draws on.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_profiles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("route", sa.String(length=120), nullable=True),
        sa.Column("nationalities", sa.JSON(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("assessment", sa.String(length=40), nullable=True),
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_profiles")),
    )
    with op.batch_alter_table("risk_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_profiles_origin"), ["origin"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_profiles_origin"))

    op.drop_table("risk_profiles")
