"""Answers lead with the answer: yes/no leads and an English first line.

Revision ID: 0004_answer_leads
Revises: 0003_retention_daily_counts
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_answer_leads"
down_revision = "0003_retention_daily_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("yes_no", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("summary_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("summary_en")
        batch.drop_column("yes_no")
