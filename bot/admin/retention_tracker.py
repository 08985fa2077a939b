"""The tracker-store half of the retention job: find conversations whose latest
event is older than the cutoff, count them (bot/admin/daily_counts.py) and
delete them whole, in short batches under a lock (bot/admin/retention.py
explains the rules)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy import (
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine

from bot.admin.daily_counts import (
    add_counts,
    channel_of,
    count_key,
    day_of_ts,
    has_table,
)
from bot.content.db import get_engine
from bot.rasa_ext.store_common import EVENTS as events

if TYPE_CHECKING:  # the job's result type; no import cycle at run time
    from bot.admin.retention import RetentionResult


DEFAULT_BATCH_SIZE = 500

LOCK_TIMEOUT_S = 5

LOCK_RETRIES = 3

# ---------------------------------------------------------------- engines
def _tracker_engine(url: str, immediate: bool = False) -> Engine:
    """An engine of our own. With `immediate`, its transactions take the write
    lock at once on SQLite (``BEGIN IMMEDIATE``), so nothing is written between
    the re-check and the delete."""
    if url.startswith("sqlite") and not immediate:
        return sa.create_engine(
            url, future=True, poolclass=sa.pool.NullPool, connect_args={"timeout": 30}
        )
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, future=True, poolclass=sa.pool.NullPool, connect_args={"timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _no_implicit_begin(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(
        url,
        future=True,
        poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": 10},
    )


def _lock_events(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
        connection.exec_driver_sql("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _conversation_counts(
    connection: Connection, senders: Sequence[str], last_seen: Dict[str, float]
) -> Counter:
    counts: Counter = Counter()
    for sender in senders:
        ts = last_seen.get(sender)
        if ts is not None:
            counts[count_key(day_of_ts(ts), "conversation")] += 1
    rows = connection.execute(
        select(events.c.timestamp, events.c.intent_name, events.c.data)
        .where(events.c.sender_id.in_(bindparam("ids", expanding=True)))
        .where(events.c.type_name == "user"),
        {"ids": list(senders)},
    )
    for ts, intent, data in rows:
        if ts is None:
            continue
        counts[count_key(day_of_ts(ts), "question", channel_of(data), intent)] += 1
    return counts


# ---------------------------------------------------------------- tracker
def _old_conversations(
    connection: Connection, cutoff_ts: float, senders: Optional[Sequence[str]] = None
) -> Dict[str, float]:
    """sender_id -> latest timestamp, for conversations whose latest event is
    older than the cutoff (among `senders` when given)."""
    stmt = select(events.c.sender_id, func.max(events.c.timestamp)).group_by(
        events.c.sender_id
    )
    params: Dict[str, object] = {}
    if senders is not None:
        stmt = stmt.where(events.c.sender_id.in_(bindparam("ids", expanding=True)))
        params["ids"] = list(senders)
    stmt = stmt.having(func.max(events.c.timestamp) < cutoff_ts)
    return {sender: ts for sender, ts in connection.execute(stmt, params)}


def _count_events(connection: Connection, senders: Sequence[str]) -> int:
    total = 0
    for chunk in _chunks(list(senders), DEFAULT_BATCH_SIZE):
        total += connection.execute(
            select(func.count())
            .select_from(events)
            .where(events.c.sender_id.in_(bindparam("ids", expanding=True))),
            {"ids": list(chunk)},
        ).scalar_one()
    return total


def _delete_batch(
    tracker: Engine,
    service: Optional[Engine],
    senders: Sequence[str],
    cutoff_ts: float,
    result: RetentionResult,
) -> None:
    """One transaction: lock, re-check, count, delete one batch."""
    for attempt in range(LOCK_RETRIES):
        try:
            with tracker.begin() as connection:
                _lock_events(connection)
                still_old = _old_conversations(connection, cutoff_ts, senders)
                ids = sorted(still_old)
                if not ids:
                    result.kept_active += len(senders)
                    return
                counts = _conversation_counts(connection, ids, still_old)
                if service is None:  # same database: one transaction
                    add_counts(connection, counts)
                else:
                    with service.begin() as service_connection:
                        add_counts(service_connection, counts)
                deleted = connection.execute(
                    sa.delete(events).where(
                        events.c.sender_id.in_(bindparam("ids", expanding=True))
                    ),
                    {"ids": ids},
                ).rowcount
            result.kept_active += len(senders) - len(ids)
            result.conversations += len(ids)
            result.events += deleted
            result.batches += 1
            return
        except sa.exc.OperationalError as error:
            # PostgreSQL's lock_timeout, SQLite's "database is locked": a
            # long transaction holds the table; wait a little and try again
            if "lock" not in str(error).lower() or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(attempt + 1)


def _tracker_retention(
    tracker_url: str,
    service_url: str,
    cutoff_ts: float,
    result: RetentionResult,
    batch_size: int,
    after_scan: Optional[Callable[[List[str]], None]],
) -> None:
    if tracker_url.startswith("sqlite"):
        path = sa.engine.make_url(tracker_url).database
        if path and path != ":memory:" and not Path(path).exists():
            return  # no conversations yet (and do not create the file)
    reader = _tracker_engine(tracker_url)
    tracker = _tracker_engine(tracker_url, immediate=True)
    try:
        with reader.connect() as connection:
            if not has_table(connection, "events"):
                return
            old = _old_conversations(connection, cutoff_ts)
            senders = sorted(old)
            if result.dry_run:
                result.conversations = len(senders)
                result.events = _count_events(connection, senders)
                return
        if after_scan is not None:
            after_scan(list(senders))
        same_db = tracker_url == service_url
        service = None if same_db else get_engine(service_url)
        for chunk in _chunks(senders, batch_size):
            _delete_batch(tracker, service, chunk, cutoff_ts, result)
    finally:
        reader.dispose()
        tracker.dispose()
