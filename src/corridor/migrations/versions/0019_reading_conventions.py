"""security: each person's time zone and second calendar

`users.time_zone` is the IANA zone dates are shown in (empty: UTC); `users.calendar` the calendar
shown beside the Gregorian date ("hijri" for Umm al-Qura, "jalali" for Solar Hijri; empty: none).
The language was already there (`users.locale`).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("calendar", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("calendar")
        batch_op.drop_column("time_zone")
