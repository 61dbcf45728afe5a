"""security: the dashboard remembers each person's visits

`users.dashboard_seen_at` is when the person last opened the dashboard; `dashboard_since` is
where its "since your last visit" starts (their last look before they signed in this time, or
when they marked everything as seen). Both empty until the first visit.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

COLUMNS = ("dashboard_seen_at", "dashboard_since")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(
                sa.Column(name, corridor.db.UTCDateTime(timezone=True), nullable=True)
            )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
