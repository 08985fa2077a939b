"""Privacy (PDPA): privacy notices shown, and the audit of exports and deletions.

Revision ID: 0006_privacy
Revises: 0005_staff_console
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_privacy"
down_revision = "0005_staff_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_notices",
        sa.Column("conversation_hash", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(32), primary_key=True),
        sa.Column("shown_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
    )
    op.create_index("ix_privacy_requests_at", "privacy_requests", ["at"])
    op.create_index("ix_privacy_requests_reference", "privacy_requests", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_privacy_requests_reference", "privacy_requests")
    op.drop_index("ix_privacy_requests_at", "privacy_requests")
    op.drop_table("privacy_requests")
    op.drop_table("privacy_notices")
