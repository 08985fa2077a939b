"""The console's tables in the service DB: staff accounts, their sessions and
the history of every change (migration 0005_staff_console)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

ROLES = ("editor", "admin")

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    # sha256 of the cookie value: a leaked DB does not hand out sessions
    Column("token_hash", String(64), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("staff_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
)

staff_changes = Table(
    "staff_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("user_name", String(64), nullable=False),
    Column("kind", String(32), nullable=False),  # answer, teach, intent, alias, ...
    Column("target", String(200), nullable=False),  # the answer key, intent, ...
    Column("summary", Text, nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("reverts_id", Integer, nullable=True),  # this change undid that one
    Column("reverted_by_id", Integer, nullable=True),
)
