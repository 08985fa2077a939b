"""Initial schema: bodies (incl. provinces), aliases, awards, answers, business and
document types.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bodies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name_th", sa.String(255), nullable=False),
        sa.Column("name_en", sa.String(255)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("parent_ministry", sa.String(255)),
        sa.Column("note_th", sa.Text()),
        sa.Column("see_also", sa.JSON(), nullable=False),
        sa.Column("scan_needs_prefix", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.String(16)),
        sa.Column("source_url", sa.String(500)),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_table(
        "body_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "body_id",
            sa.Integer(),
            sa.ForeignKey("bodies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("alias_norm", sa.String(255), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_body_aliases_body_id", "body_aliases", ["body_id"])
    op.create_table(
        "award_categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(32), nullable=False, unique=True),
        sa.Column("event", sa.String(255), nullable=False),
        sa.Column("event_th", sa.String(255)),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name_th", sa.String(255), nullable=False),
        sa.Column("label_th", sa.String(255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.String(16)),
        sa.Column("source_url", sa.String(500), nullable=False),
    )
    op.create_table(
        "awards",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event", sa.String(255), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column(
            "body_id",
            sa.Integer(),
            sa.ForeignKey("bodies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("confidence", sa.String(16)),
        sa.Column("source_url", sa.String(500), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.UniqueConstraint("event", "category", "body_id"),
    )
    op.create_index("ix_awards_category", "awards", ["category"])
    op.create_index("ix_awards_body_id", "awards", ["body_id"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("text_th", sa.Text(), nullable=False),
        sa.Column("confidence", sa.String(16)),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "business_types",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name_th", sa.String(255), nullable=False),
        sa.Column("guide_th", sa.String(255)),
        sa.Column("licences", sa.JSON(), nullable=False),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.Column("note_th", sa.Text()),
        sa.Column("confidence", sa.String(16)),
        sa.Column("source_url", sa.String(500)),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_table(
        "business_type_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "business_type_id",
            sa.Integer(),
            sa.ForeignKey("business_types.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("alias_norm", sa.String(255), nullable=False, unique=True),
    )
    op.create_index(
        "ix_business_type_aliases_business_type_id",
        "business_type_aliases",
        ["business_type_id"],
    )
    op.create_table(
        "document_types",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name_th", sa.String(255), nullable=False),
        sa.Column("nocopy", sa.String(16), nullable=False),
        sa.Column("note_th", sa.Text()),
        sa.Column("confidence", sa.String(16)),
        sa.Column("source_url", sa.String(500)),
        sa.Column("sort_order", sa.Integer(), nullable=False),
    )
    op.create_table(
        "document_type_aliases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "document_type_id",
            sa.Integer(),
            sa.ForeignKey("document_types.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("alias_norm", sa.String(255), nullable=False, unique=True),
    )
    op.create_index(
        "ix_document_type_aliases_document_type_id",
        "document_type_aliases",
        ["document_type_id"],
    )
    op.create_table(
        "content_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for name in (
        "content_meta",
        "document_type_aliases",
        "document_types",
        "business_type_aliases",
        "business_types",
        "answers",
        "awards",
        "award_categories",
        "body_aliases",
        "bodies",
    ):
        op.drop_table(name)
