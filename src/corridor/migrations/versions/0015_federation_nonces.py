"""federation: the nonces of accepted signed requests, so that a replay is refused

A signed federation request carries a random `nonce` covered by its signature. The receiver
stores (origin, nonce) until the signature has expired; the primary key refuses a second
use, atomically, whichever web process of the node receives it.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_nonces",
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin", "nonce", name=op.f("pk_federation_nonces")),
    )
    with op.batch_alter_table("federation_nonces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_federation_nonces_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("federation_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_federation_nonces_expires_at"))
    op.drop_table("federation_nonces")
