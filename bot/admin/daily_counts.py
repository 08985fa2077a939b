"""Daily counts without text: what the dashboard and ``report`` still need
after the retention run deleted the rows (``retention_daily_counts``, one row
per Thai day, metric, channel, intent, kind). Written by the retention run and
the limit counters, read by the report and the console's dashboard.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from typing import Optional, Tuple

import sqlalchemy as sa
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Connection

# Thailand has had no daylight saving time since 1945: a fixed offset is exact
# and needs no time zone database.
BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")

METRICS = ("question", "conversation", "unanswered", "rating")

metadata = MetaData()
daily_counts = Table(
    "retention_daily_counts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False, index=True),
    Column("metric", String(16), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("intent", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("taught", Boolean, nullable=False),
    Column("count", Integer, nullable=False),
    UniqueConstraint(
        "day",
        "metric",
        "channel",
        "intent",
        "kind",
        "taught",
        name="uq_retention_daily_counts_key",
    ),
)
_KEY_COLUMNS = ("day", "metric", "channel", "intent", "kind", "taught")
CountKey = Tuple[date, str, str, str, str, bool]


def aware(now: Optional[datetime]) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now


def thai_day(moment: datetime) -> date:
    """The calendar day in Thailand of an aware time or a naive UTC time."""
    return aware(moment).astimezone(BANGKOK).date()


def count_key(
    day: date, metric: str, channel=None, intent=None, kind=None, taught=False
) -> CountKey:
    return (
        day,
        metric,
        str(channel or "")[:64],
        str(intent or "")[:64],
        str(kind or "")[:16],
        bool(taught),
    )


def add_counts(connection: Connection, counts: Counter) -> None:
    """Add `counts` (CountKey -> n) to ``retention_daily_counts``."""
    dialect = connection.dialect.name
    for key, n in sorted(counts.items()):
        if not n:
            continue
        values = dict(zip(_KEY_COLUMNS, key, strict=True), count=n)
        if dialect in ("postgresql", "sqlite"):
            if dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            stmt = insert(daily_counts).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(_KEY_COLUMNS),
                set_={"count": daily_counts.c.count + stmt.excluded["count"]},
            )
            connection.execute(stmt)
            continue
        where = [daily_counts.c[c] == values[c] for c in _KEY_COLUMNS]
        changed = connection.execute(
            sa.update(daily_counts).where(*where).values(count=daily_counts.c.count + n)
        ).rowcount
        if not changed:
            connection.execute(sa.insert(daily_counts).values(**values))


def day_of_ts(ts: float) -> date:
    return datetime.fromtimestamp(float(ts), BANGKOK).date()


def channel_of(data: Optional[str]) -> Optional[str]:
    try:
        value = json.loads(data or "{}").get("input_channel")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def has_table(connection: Connection, name: str) -> bool:
    return sa.inspect(connection).has_table(name)
