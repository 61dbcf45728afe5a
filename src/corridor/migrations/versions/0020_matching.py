"""matching: hit/no-hit without disclosure

`cases.matching` opts a case in. The holder keeps its OPRF key (`matching_keys`), a referral
handle per indexed entity (`matching_handles`), how far each case is indexed
(`matching_cases`), its entries (`matching_own`) in segments published as records
(`matching_segments`), the hits partners made on its data (`matching_hits`) and the
evaluations each peer asked for (`matching_usage`). A querier keeps the partners' published
entries (`matching_index`).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, corridor.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("matching", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "matching_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        _when("created_at"),
        _when("retired_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_keys")),
    )
    op.create_table(
        "matching_handles",
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("handle", sa.String(length=24), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_matching_handles_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_matching_handles")),
        sa.UniqueConstraint("handle", name=op.f("uq_matching_handles_handle")),
    )
    op.create_table(
        "matching_cases",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        _when("through", nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_matching_cases_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_matching_cases")),
    )
    op.create_table(
        "matching_segments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("labels", sa.String(length=40), nullable=False),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        _when("published_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_matching_segments_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_segments")),
    )
    with op.batch_alter_table("matching_segments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matching_segments_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_matching_segments_record_id"), ["record_id"])
    op.create_table(
        "matching_own",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("tag", sa.LargeBinary(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["matching_segments.id"],
            name=op.f("fk_matching_own_segment_id_matching_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_own")),
    )
    with op.batch_alter_table("matching_own", schema=None) as batch_op:
        batch_op.create_index("ix_matching_own_entity", ["entity_id"])
        batch_op.create_index(batch_op.f("ix_matching_own_segment_id"), ["segment_id"])
    op.create_table(
        "matching_index",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("holder", sa.String(length=26), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.LargeBinary(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_index")),
    )
    with op.batch_alter_table("matching_index", schema=None) as batch_op:
        batch_op.create_index("ix_matching_index_tag", ["tag"])
        batch_op.create_index(batch_op.f("ix_matching_index_segment_id"), ["segment_id"])
    op.create_table(
        "matching_hits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("handle", sa.String(length=24), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("node", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        _when("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_hits")),
    )
    with op.batch_alter_table("matching_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matching_hits_handle"), ["handle"])
    op.create_table(
        "matching_usage",
        sa.Column("peer", sa.String(length=26), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("peer", "period", name=op.f("pk_matching_usage")),
    )

    op.create_table(
        "matching_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("queries", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("peers", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        _when("created_at"),
        _when("finished_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_matching_runs_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_runs")),
    )
    with op.batch_alter_table("matching_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matching_runs_author"), ["author"])
        batch_op.create_index(batch_op.f("ix_matching_runs_case_id"), ["case_id"])
    op.create_table(
        "matching_watches",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=40), nullable=False),
        _when("since"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_matching_watches_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_matching_watches")),
    )


def downgrade() -> None:
    for table in (
        "matching_watches", "matching_runs", "matching_usage", "matching_hits", "matching_index", "matching_own",
        "matching_segments", "matching_cases", "matching_handles", "matching_keys",
    ):  # fmt: skip
        op.drop_table(table)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("matching")
