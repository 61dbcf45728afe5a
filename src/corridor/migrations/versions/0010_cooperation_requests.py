"""cooperation: requests for assistance, replies, per-recipient states, drafts, reminders

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rfa_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("deadline", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=500), nullable=True),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("label_recipients", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfa_requests")),
    )
    with op.batch_alter_table("rfa_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rfa_requests_deadline"), ["deadline"], unique=False)
        batch_op.create_index("ix_rfa_requests_origin_sent", ["origin", "sent_at"], unique=False)

    op.create_table(
        "rfa_replies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("sent_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("label_recipients", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfa_replies")),
    )
    with op.batch_alter_table("rfa_replies", schema=None) as batch_op:
        batch_op.create_index("ix_rfa_replies_request", ["request_id", "sent_at"], unique=False)

    op.create_table(
        "rfa_recipients",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("node_id", sa.String(length=26), nullable=False),
        sa.Column("last_kind", sa.String(length=16), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("accepted_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_answer_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declined_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("request_id", "node_id", name=op.f("pk_rfa_recipients")),
    )
    with op.batch_alter_table("rfa_recipients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rfa_recipients_node_id"), ["node_id"], unique=False)

    op.create_table(
        "rfa_drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rfa_drafts")),
    )
    with op.batch_alter_table("rfa_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rfa_drafts_author"), ["author"], unique=False)

    op.create_table(
        "rfa_reminders",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("node_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", "node_id", "kind", name=op.f("pk_rfa_reminders")),
    )


def downgrade() -> None:
    op.drop_table("rfa_reminders")
    with op.batch_alter_table("rfa_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfa_drafts_author"))
    op.drop_table("rfa_drafts")
    with op.batch_alter_table("rfa_recipients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfa_recipients_node_id"))
    op.drop_table("rfa_recipients")
    with op.batch_alter_table("rfa_replies", schema=None) as batch_op:
        batch_op.drop_index("ix_rfa_replies_request")
    op.drop_table("rfa_replies")
    with op.batch_alter_table("rfa_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_rfa_requests_origin_sent")
        batch_op.drop_index(batch_op.f("ix_rfa_requests_deadline"))
    op.drop_table("rfa_requests")
