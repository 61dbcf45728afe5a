"""risk: the indicator store, risk assessments and report narratives

Datasets of indicator figures (`risk_datasets`: citation, licence, coverage), the figures
(`risk_indicators`: one per indicator, period, place and people, keyed so that an import
again replaces them), their sums per route and period (`risk_rollup`), each import with its
refused rows (`risk_imports`), the projection of CIRAM-style assessments
(`risk_assessments`, records of type `risk.assessment`) and the analysts' narratives of
monthly reports (`risk_report_notes`).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("scope_kind", sa.String(length=20), nullable=False),
        sa.Column("route", sa.String(length=120), nullable=True),
        sa.Column("border_section", sa.String(length=120), nullable=True),
        sa.Column("nationality", sa.String(length=8), nullable=True),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("threat", sa.Integer(), nullable=False),
        sa.Column("vulnerability", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("challenges", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_assessments_origin"), ["origin"], unique=False)
        batch_op.create_index(batch_op.f("ix_risk_assessments_score"), ["score"], unique=False)

    op.create_table(
        "risk_datasets",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("tlp", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.Column("imported_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_datasets")),
    )
    op.create_table(
        "risk_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("started_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", corridor.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_imports")),
    )
    with op.batch_alter_table("risk_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_imports_dataset"), ["dataset"], unique=False)

    op.create_table(
        "risk_indicators",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("dataset", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=True),
        sa.Column("day", sa.SmallInteger(), nullable=True),
        sa.Column("route", sa.String(length=120), nullable=True),
        sa.Column("border_type", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("border_section", sa.String(length=120), nullable=True),
        sa.Column("crossing_point", sa.String(length=120), nullable=True),
        sa.Column("nationality", sa.String(length=8), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("age", sa.String(length=20), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("aggregate", sa.Boolean(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_indicators")),
    )
    with op.batch_alter_table("risk_indicators", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_indicators_country", ["dataset", "indicator", "country", "year"], unique=False
        )
        batch_op.create_index(
            "ix_risk_indicators_nationality",
            ["dataset", "indicator", "nationality", "year"],
            unique=False,
        )
        batch_op.create_index(
            "ix_risk_indicators_route",
            ["dataset", "indicator", "route", "year", "month"],
            unique=False,
        )
        batch_op.create_index("uq_risk_indicators_dataset_key", ["dataset", "key"], unique=True)

    op.create_table(
        "risk_report_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=60), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("outlook", sa.Text(), nullable=False),
        sa.Column("updated_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_report_notes")),
    )
    with op.batch_alter_table("risk_report_notes", schema=None) as batch_op:
        batch_op.create_index(
            "uq_risk_report_notes", ["dataset", "indicator", "period"], unique=True
        )

    op.create_table(
        "risk_rollup",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("dataset", sa.String(length=60), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("route", sa.String(length=120), nullable=True),
        sa.Column("border_type", sa.String(length=20), nullable=True),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=True),
        sa.Column("day", sa.SmallInteger(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("figures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_rollup")),
    )
    with op.batch_alter_table("risk_rollup", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_rollup_series",
            ["dataset", "indicator", "route", "year", "month"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_rollup", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_rollup_series")

    op.drop_table("risk_rollup")
    with op.batch_alter_table("risk_report_notes", schema=None) as batch_op:
        batch_op.drop_index("uq_risk_report_notes")

    op.drop_table("risk_report_notes")
    with op.batch_alter_table("risk_indicators", schema=None) as batch_op:
        batch_op.drop_index("uq_risk_indicators_dataset_key")
        batch_op.drop_index("ix_risk_indicators_route")
        batch_op.drop_index("ix_risk_indicators_nationality")
        batch_op.drop_index("ix_risk_indicators_country")

    op.drop_table("risk_indicators")
    with op.batch_alter_table("risk_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_imports_dataset"))

    op.drop_table("risk_imports")
    op.drop_table("risk_datasets")
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessments_score"))
        batch_op.drop_index(batch_op.f("ix_risk_assessments_origin"))

    op.drop_table("risk_assessments")
