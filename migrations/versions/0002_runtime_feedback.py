"""Runtime data for staff: unanswered questions and answer ratings.

The content importer never touches these tables.

Revision ID: 0002_runtime_feedback
Revises: 0001_initial
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_runtime_feedback"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(64)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(64)),
        sa.Column("confidence", sa.Float()),
        sa.Column("top_intents", sa.JSON(), nullable=False),
        sa.Column("message_ref", sa.String(64), unique=True),
        sa.Column("taught_at", sa.DateTime()),
        sa.Column("taught_intent", sa.String(64)),
    )
    op.create_index(
        "ix_unanswered_questions_created_at", "unanswered_questions", ["created_at"]
    )
    op.create_table(
        "answer_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(64)),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64)),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("message_ref", sa.String(64), unique=True),
    )
    op.create_index("ix_answer_ratings_created_at", "answer_ratings", ["created_at"])
    op.create_index("ix_answer_ratings_intent", "answer_ratings", ["intent"])


def downgrade() -> None:
    op.drop_table("answer_ratings")
    op.drop_table("unanswered_questions")
