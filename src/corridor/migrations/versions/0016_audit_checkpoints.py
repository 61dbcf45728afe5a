"""audit: checkpoints of audit heads signed by peers (and by this node)

Each `audit.checkpoint` record received is kept here with its signed envelope, so that its
origin can later check its own log against what it signed; `fork` names the earlier
checkpoint a contradicting one was found to disagree with (evidence of a rewritten log).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("fork", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoints_fork"), ["fork"], unique=False)
        batch_op.create_index("ix_audit_checkpoints_origin_seq", ["origin", "seq"], unique=False)
        batch_op.create_index(
            "ix_audit_checkpoints_origin_signed_at", ["origin", "signed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_checkpoints_origin_signed_at")
        batch_op.drop_index("ix_audit_checkpoints_origin_seq")
        batch_op.drop_index(batch_op.f("ix_audit_checkpoints_fork"))
    op.drop_table("audit_checkpoints")
