"""Retention of citizens' data (PDPA): ``python -m bot.admin retention run``.

Conversations in the tracker store (Rasa's SQL ``events`` table, chosen by
``TRACKER_STORE_URL`` as in :mod:`bot.rasa_ext.store_common`) and the
unanswered-question and rating records in the service database
(``DATABASE_URL``) are kept for ``RETENTION_DAYS`` days (default 90), then
deleted:

* a conversation goes whole, once its *latest* event is older than the
  cutoff; one still in use keeps everything (the age is checked again inside
  the deleting transaction, see below);
* an unanswered question or a rating goes once it was recorded before the
  cutoff.

Before anything is deleted, counts without text or sender survive in
``retention_daily_counts`` (migration 0003), per day in Thai time
(Asia/Bangkok, UTC+7): questions per channel and intent, conversations,
unanswered questions per channel, intent, reason and taught flag, 👍/👎 per
channel and intent. ``python -m bot.admin report`` (:func:`report_lines`)
adds them, so its totals do not drop after a run.

Batches: at most ``batch_size`` (500) conversations or records per
transaction, so a large PostgreSQL table is never locked for long. For each
batch of conversations the job takes a short ``SHARE ROW EXCLUSIVE`` lock on
``events`` (PostgreSQL; reads go on, Rasa's inserts wait for the batch, and a
lock that cannot be had within ``LOCK_TIMEOUT_S`` gives up instead of queueing
Rasa behind it) or the write lock (SQLite, ``BEGIN IMMEDIATE``), re-checks
``max(timestamp) < cutoff`` per conversation, counts and deletes. A
conversation that received an event after the scan is skipped whole. If Rasa
saves a turn for a conversation deleted a moment before, its tracker store
writes the whole session again (it stores the events it does not find), so
such a conversation is not left half-deleted either.

The tracker store and the service database may be different databases; the
counts are committed just before the tracker deletion. Should that last commit
fail, the next run counts the batch again (counts can only be too high, never
lost). When both URLs are the same database, one transaction does both.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

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
    bindparam,
    event,
    func,
    select,
)
from sqlalchemy.engine import Connection, Engine

from bot import settings
from bot.content import records
from bot.content.db import get_engine, migrate
from bot.content.models import AnswerRating, UnansweredQuestion
from bot.privacy.records import forget_old_notices

RETENTION_DAYS_ENV = "RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
DEFAULT_BATCH_SIZE = 500
LOCK_TIMEOUT_S = 5
LOCK_RETRIES = 3
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

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent).
events = sa.table(
    "events",
    sa.column("id", Integer),
    sa.column("sender_id", String),
    sa.column("type_name", String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", String),
    sa.column("data", sa.Text),
)


class RetentionError(RuntimeError):
    """A store could not be read or changed; ``th`` / ``en`` say what to do."""

    def __init__(self, th: str, en: str) -> None:
        super().__init__(en)
        self.th = th
        self.en = en


def retention_days(value: Optional[str] = None) -> int:
    """``RETENTION_DAYS`` (or `value`): a whole number of days, at least 1."""
    raw = (os.environ.get(RETENTION_DAYS_ENV, "") if value is None else value).strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        raise RetentionError(
            f"{RETENTION_DAYS_ENV} ต้องเป็นจำนวนวันเต็ม อย่างน้อย 1 (ได้ {raw!r})",
            f"{RETENTION_DAYS_ENV} must be a whole number of days >= 1 (got {raw!r})",
        )
    return days


def _aware(now: Optional[datetime]) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now


def thai_day(moment: datetime) -> date:
    """The calendar day in Thailand of an aware time or a naive UTC time."""
    return _aware(moment).astimezone(BANGKOK).date()


@dataclass
class RetentionResult:
    days: int
    cutoff: datetime  # aware, UTC
    dry_run: bool
    conversations: int = 0
    events: int = 0
    unanswered: int = 0
    ratings: int = 0
    # conversations that were old at the scan but got a new event before
    # their batch: kept whole
    kept_active: int = 0
    batches: int = 0

    def lines(self) -> List[str]:
        when = self.cutoff.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M")
        head = (
            f"ระยะเก็บข้อมูล {self.days} วัน: ข้อมูลก่อน {when} (เวลาไทย) / "
            f"retention {self.days} days: data older than {when} (Thai time)"
        )
        counts_th = (
            f"บทสนทนา {self.conversations} ({self.events} เหตุการณ์)  "
            f"คำถามที่ตอบไม่ได้ {self.unanswered}  คะแนน 👍/👎 {self.ratings}"
        )
        counts_en = (
            f"{self.conversations} conversations ({self.events} events), "
            f"{self.unanswered} unanswered, {self.ratings} ratings"
        )
        if self.dry_run:
            out = [
                head,
                f"จะลบ: {counts_th}",
                f"would delete: {counts_en}",
                "ยังไม่ได้ลบอะไร (--dry-run) / nothing deleted (--dry-run)",
            ]
        else:
            out = [
                head,
                f"ลบแล้ว: {counts_th}",
                f"deleted: {counts_en}",
                "ยอดนับรายวัน (ไม่มีข้อความ) เก็บไว้ให้ report แล้ว / daily counts "
                "(no text) kept for `report`",
            ]
        if self.kept_active:
            out.append(
                f"เก็บไว้ {self.kept_active} บทสนทนาที่มีข้อความใหม่ระหว่างทำงาน / "
                f"kept {self.kept_active} conversations that got a new message "
                "during the run"
            )
        return out


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


def _has_table(connection: Connection, name: str) -> bool:
    return sa.inspect(connection).has_table(name)


def _lock_events(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
        connection.exec_driver_sql("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---------------------------------------------------------------- counts
def _key(
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


def _conversation_counts(
    connection: Connection, senders: Sequence[str], last_seen: Dict[str, float]
) -> Counter:
    counts: Counter = Counter()
    for sender in senders:
        ts = last_seen.get(sender)
        if ts is not None:
            counts[_key(_day_of_ts(ts), "conversation")] += 1
    rows = connection.execute(
        select(events.c.timestamp, events.c.intent_name, events.c.data)
        .where(events.c.sender_id.in_(bindparam("ids", expanding=True)))
        .where(events.c.type_name == "user"),
        {"ids": list(senders)},
    )
    for ts, intent, data in rows:
        if ts is None:
            continue
        counts[_key(_day_of_ts(ts), "question", _channel_of(data), intent)] += 1
    return counts


def _day_of_ts(ts: float) -> date:
    return datetime.fromtimestamp(float(ts), BANGKOK).date()


def _channel_of(data: Optional[str]) -> Optional[str]:
    try:
        value = json.loads(data or "{}").get("input_channel")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


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
            if not _has_table(connection, "events"):
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


# ---------------------------------------------------------------- service DB
def _record_counts(table, rows) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        day = thai_day(row.created_at)
        if table is UnansweredQuestion.__table__:
            counts[
                _key(
                    day,
                    "unanswered",
                    row.channel,
                    row.intent,
                    row.reason,
                    row.taught_at is not None,
                )
            ] += 1
        else:
            counts[_key(day, "rating", row.channel, row.intent, row.rating)] += 1
    return counts


def _service_retention(
    service_url: str, cutoff: datetime, result: RetentionResult, batch_size: int
) -> None:
    engine = get_engine(service_url)
    naive_cutoff = cutoff.astimezone(timezone.utc).replace(tzinfo=None)
    for model, attr in ((UnansweredQuestion, "unanswered"), (AnswerRating, "ratings")):
        table = model.__table__
        with engine.connect() as connection:
            if not _has_table(connection, table.name):
                continue
            if result.dry_run:
                n = connection.execute(
                    select(func.count())
                    .select_from(table)
                    .where(table.c.created_at < naive_cutoff)
                ).scalar_one()
                setattr(result, attr, n)
                continue
        while True:
            with engine.begin() as connection:
                stmt = (
                    select(table)
                    .where(table.c.created_at < naive_cutoff)
                    .order_by(table.c.id)
                    .limit(batch_size)
                )
                if connection.dialect.name == "postgresql":
                    stmt = stmt.with_for_update(skip_locked=True)
                rows = connection.execute(stmt).all()
                if not rows:
                    break
                add_counts(connection, _record_counts(table, rows))
                connection.execute(
                    sa.delete(table).where(
                        table.c.id.in_(bindparam("ids", expanding=True))
                    ),
                    {"ids": [row.id for row in rows]},
                )
            setattr(result, attr, getattr(result, attr) + len(rows))
            result.batches += 1


# ---------------------------------------------------------------- the job
def run_retention(
    tracker_url: Optional[str] = None,
    service_url: Optional[str] = None,
    days: Optional[int] = None,
    now: Optional[datetime] = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    after_scan: Optional[Callable[[List[str]], None]] = None,
) -> RetentionResult:
    """Delete (or with `dry_run` only count) what is older than `days`
    (``RETENTION_DAYS``, default 90) before `now` (default: the current time;
    tests pass a moved clock). `after_scan` is called with the conversations
    found old, before the first batch (tests add events there)."""
    days = retention_days() if days is None else retention_days(str(days))
    if batch_size < 1:
        raise RetentionError("--batch-size ต้องอย่างน้อย 1", "--batch-size must be >= 1")
    # imported here: bot.rasa_ext loads Rasa, which the other commands never need
    from bot.rasa_ext.store_common import redacted, tracker_store_url

    # an explicit URL wins over $TRACKER_STORE_URL (bot.rasa_ext prefers the env)
    tracker_url = tracker_store_url(None) if not tracker_url else tracker_url
    if tracker_url.startswith("postgres://"):
        tracker_url = "postgresql://" + tracker_url[len("postgres://") :]
    service_url = service_url or settings.database_url()
    cutoff = _aware(now).astimezone(timezone.utc) - timedelta(days=days)
    result = RetentionResult(days=days, cutoff=cutoff, dry_run=dry_run)
    try:
        if not dry_run:
            migrate(service_url)  # retention_daily_counts exists
        _tracker_retention(
            tracker_url, service_url, cutoff.timestamp(), result, batch_size, after_scan
        )
    except sa.exc.SQLAlchemyError as error:
        if "lock" in str(error).lower():
            raise RetentionError(
                "ตารางบทสนทนาไม่ว่าง (มีงานอื่นเขียนค้างนาน) ลองใหม่ภายหลัง ส่วนที่ลบแล้วนับไว้แล้ว",
                f"the tracker store's events table stayed locked "
                f"({str(error).splitlines()[0]}); run again later (TRACKER_STORE_URL "
                f"{redacted(tracker_url)}; batches already deleted were counted)",
            ) from None
        raise RetentionError(
            f"ใช้ที่เก็บบทสนทนาไม่ได้ ({redacted(tracker_url)}) ตรวจ TRACKER_STORE_URL "
            "และฐานข้อมูล แล้วสั่งใหม่ (ส่วนที่ลบแล้วนับไว้แล้ว)",
            f"cannot use the tracker store {redacted(tracker_url)} "
            f"({error.__class__.__name__}: {str(error).splitlines()[0]}); check "
            "TRACKER_STORE_URL and the database, then run again (batches already "
            "deleted were counted)",
        ) from None
    try:
        _service_retention(service_url, cutoff, result, batch_size)
        if not dry_run:  # privacy-notice records (bot/privacy/records.py)
            forget_old_notices(cutoff.date(), service_url)
    except sa.exc.SQLAlchemyError as error:
        raise RetentionError(
            f"ใช้ฐานข้อมูลบริการไม่ได้ ({redacted(service_url)}) ตรวจ DATABASE_URL แล้วสั่งใหม่",
            f"cannot use the service DB {redacted(service_url)} "
            f"({error.__class__.__name__}); check DATABASE_URL, then run again",
        ) from None
    return result


# ---------------------------------------------------------------- report
@dataclass
class Archived:
    """Counts kept by the retention run (rows already deleted)."""

    ratings: Dict[str, Dict[str, int]] = field(default_factory=dict)
    unanswered: Dict[str, Dict[str, int]] = field(default_factory=dict)  # open
    open_unanswered: int = 0
    taught: int = 0
    questions: Dict[str, int] = field(default_factory=dict)  # per channel
    conversations: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.ratings
            or self.open_unanswered
            or self.taught
            or self.questions
            or self.conversations
        )


def archived_counts(
    url: Optional[str] = None, since: Optional[datetime] = None
) -> Archived:
    """What ``retention_daily_counts`` holds (from the Thai day of `since`,
    a naive UTC time, when given)."""
    out = Archived()
    engine = get_engine(url)
    with engine.connect() as connection:
        if not _has_table(connection, daily_counts.name):
            return out
        c = daily_counts.c
        stmt = select(
            c.metric, c.channel, c.intent, c.kind, c.taught, func.sum(c.count)
        ).group_by(c.metric, c.channel, c.intent, c.kind, c.taught)
        if since is not None:
            stmt = stmt.where(c.day >= thai_day(since))
        rows = connection.execute(stmt).all()
    for metric, channel, intent, kind, taught, n in rows:
        n = int(n or 0)
        if metric == "rating":
            bucket = out.ratings.setdefault(intent or "-", {"good": 0, "bad": 0})
            bucket[kind] = bucket.get(kind, 0) + n
        elif metric == "unanswered":
            if taught:
                out.taught += n
                continue
            out.open_unanswered += n
            reason = "fallback" if kind in ("fallback", "core_fallback") else kind
            bucket = out.unanswered.setdefault(
                intent or "-", {"fallback": 0, "low_confidence": 0}
            )
            bucket[reason] = bucket.get(reason, 0) + n
        elif metric == "question":
            key = channel or "-"
            out.questions[key] = out.questions.get(key, 0) + n
        elif metric == "conversation":
            out.conversations += n
    return out


def _merge(a: Dict[str, Dict[str, int]], b: Dict[str, Dict[str, int]]) -> Dict:
    out = {k: dict(v) for k, v in a.items()}
    for key, counts in b.items():
        bucket = out.setdefault(key, {})
        for name, n in counts.items():
            bucket[name] = bucket.get(name, 0) + n
    return out


def report_lines(url: Optional[str] = None, days: Optional[int] = None) -> List[str]:
    """``python -m bot.admin report``: ratings per intent with the unanswered
    questions guessed as that intent, the stored rows plus the counts kept by
    the retention run."""
    from bot.admin.review import _db_error, _since

    since = _since(days)
    try:
        ratings = records.rating_counts(since, url)
        rows = records.unanswered_questions(True, since, url)
        archived = archived_counts(url, since)
    except Exception as exc:
        raise _db_error(exc) from None
    open_rows = [r for r in rows if r.taught_at is None]
    live: Dict[str, Dict[str, int]] = {}
    for r in open_rows:
        bucket = live.setdefault(r.intent or "-", {"fallback": 0, "low_confidence": 0})
        # both kinds of fallback: the citizen got "please rephrase"
        reason = "fallback" if r.reason in ("fallback", "core_fallback") else r.reason
        bucket[reason] = bucket.get(reason, 0) + 1
    ratings = _merge(ratings, archived.ratings)
    per_intent = _merge(live, archived.unanswered)
    intents = sorted(
        set(ratings) | set(per_intent),
        key=lambda k: (
            -(ratings.get(k, {}).get("bad", 0)),
            -sum(per_intent.get(k, {}).values()),
            k,
        ),
    )
    period = f"{days} วันล่าสุด / last {days} days" if days else "ทั้งหมด / all time"
    out = [
        f"รายงาน ({period})",
        f"{'intent':<26}{'👍':>5}{'👎':>5}{'%👍':>6}{'fallback':>10}{'low-conf':>10}",
    ]
    for k in intents:
        good = ratings.get(k, {}).get("good", 0)
        bad = ratings.get(k, {}).get("bad", 0)
        share = f"{100 * good // (good + bad)}%" if good + bad else "-"
        un = per_intent.get(k, {})
        out.append(
            f"{k:<26}{good:>5}{bad:>5}{share:>6}"
            f"{un.get('fallback', 0):>10}{un.get('low_confidence', 0):>10}"
        )
    total_good = sum(v.get("good", 0) for v in ratings.values())
    total_bad = sum(v.get("bad", 0) for v in ratings.values())
    taught = len(rows) - len(open_rows) + archived.taught
    out.append("")
    out.append(
        f"รวม/total: 👍 {total_good}  👎 {total_bad}  "
        f"คำถามค้าง/open unanswered {len(open_rows) + archived.open_unanswered}  "
        f"สอนแล้ว/taught {taught}"
    )
    if not archived.empty:
        by_channel = ", ".join(
            f"{name} {n}" for name, n in sorted(archived.questions.items())
        )
        out.append(
            f"รวมยอดที่เก็บไว้หลังลบตามระยะเก็บข้อมูล (RETENTION_DAYS, ไม่มีข้อความ): "
            f"คำถามค้าง {archived.open_unanswered}  บทสนทนา {archived.conversations}  "
            f"ข้อความ {sum(archived.questions.values())}"
            + (f" ({by_channel})" if by_channel else "")
        )
        out.append(
            "includes the counts kept by the retention run (text deleted): "
            f"{archived.open_unanswered} open unanswered, {archived.conversations} "
            f"conversations, {sum(archived.questions.values())} questions"
            + (f" ({by_channel})" if by_channel else "")
        )
    out.append(
        "fallback = บอตไม่เข้าใจเลย (intent คือสิ่งที่เดาใกล้สุด) / the bot did not "
        "understand (intent = its best guess); low-conf = ตอบแต่ไม่มั่นใจ / answered "
        "with low confidence"
    )
    return out


def count_rows(url: Optional[str] = None) -> Dict[str, int]:
    """metric -> summed count in ``retention_daily_counts`` (tests, staff)."""
    engine = get_engine(url)
    with engine.connect() as connection:
        if not _has_table(connection, daily_counts.name):
            return {}
        rows = connection.execute(
            select(daily_counts.c.metric, func.sum(daily_counts.c.count)).group_by(
                daily_counts.c.metric
            )
        ).all()
    return {metric: int(n) for metric, n in rows}
