"""Daily counts that survive the retention run (PDPA): no text, no sender.

Before ``python -m bot.admin retention run`` deletes old conversations,
unanswered questions and ratings, it adds what ``python -m bot.admin report``
needs to this table, one row per day (Asia/Bangkok) and key:

* ``metric = "question"``: user messages of deleted conversations, per
  ``channel`` (``""`` when unknown) and ``intent``;
* ``metric = "conversation"``: deleted conversations, per day of their last
  event;
* ``metric = "unanswered"``: deleted unanswered questions, per ``channel``,
  ``intent``, ``kind`` (the reason: fallback, core_fallback, low_confidence)
  and ``taught``;
* ``metric = "rating"``: deleted 👍/👎, per ``channel``, ``intent`` and ``kind``
  (good | bad).

Revision ID: 0003_retention_daily_counts
Revises: 0002_runtime_feedback
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_retention_daily_counts"
down_revision = "0002_runtime_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_daily_counts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("taught", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint(
            "day",
            "metric",
            "channel",
            "intent",
            "kind",
            "taught",
            name="uq_retention_daily_counts_key",
        ),
    )
    op.create_index("ix_retention_daily_counts_day", "retention_daily_counts", ["day"])


def downgrade() -> None:
    op.drop_table("retention_daily_counts")
