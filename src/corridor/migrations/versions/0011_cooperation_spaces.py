"""cooperation: spaces

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import corridor.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _labelled() -> list[sa.Column]:  # type: ignore[type-arg]
    """The label and version columns every spaces projection carries."""
    return [
        sa.Column("origin", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", corridor.db.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "coop_spaces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("case_reference", sa.String(length=100), nullable=True),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        *_labelled(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_spaces")),
    )
    with op.batch_alter_table("coop_spaces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coop_spaces_origin"), ["origin"], unique=False)

    op.create_table(
        "coop_space_posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("completes", sa.Boolean(), nullable=False),
        *_labelled(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_space_posts")),
    )
    with op.batch_alter_table("coop_space_posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coop_space_posts_space_created", ["space_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coop_space_posts_origin"), ["origin"], unique=False)
        batch_op.create_index(batch_op.f("ix_coop_space_posts_task_id"), ["task_id"], unique=False)

    op.create_table(
        "coop_space_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assignee_node", sa.String(length=26), nullable=False),
        sa.Column("assignee_person", sa.String(length=200), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        *_labelled(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coop_space_tasks")),
    )
    with op.batch_alter_table("coop_space_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coop_space_tasks_assignee_node"), ["assignee_node"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coop_space_tasks_origin"), ["origin"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_coop_space_tasks_space_id"), ["space_id"], unique=False
        )


def downgrade() -> None:
    for table, indexes in (
        ("coop_space_tasks", ("space_id", "origin", "assignee_node")),
        ("coop_space_posts", ("task_id", "origin")),
        ("coop_spaces", ("origin",)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
            if table == "coop_space_posts":
                batch_op.drop_index("ix_coop_space_posts_space_created")
        op.drop_table(table)
