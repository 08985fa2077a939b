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
channel and intent. ``python -m bot.admin report`` (bot/admin/report.py)
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
lost). When both URLs are the same database, one transaction does both."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional

import sqlalchemy as sa
from sqlalchemy import (
    bindparam,
    func,
    select,
)

from bot import settings
from bot.admin.daily_counts import (
    BANGKOK,
    add_counts,
    aware,
    count_key,
    has_table,
    thai_day,
)
from bot.admin.retention_tracker import (  # DEFAULT_BATCH_SIZE: the CLI's default
    DEFAULT_BATCH_SIZE,  # noqa: F401
    _tracker_retention,
)
from bot.content.db import get_engine, migrate
from bot.content.models import AnswerRating, UnansweredQuestion
from bot.privacy.records import forget_old_notices

RETENTION_DAYS_ENV = settings.RETENTION_DAYS_ENV
DEFAULT_RETENTION_DAYS = settings.DEFAULT_RETENTION_DAYS


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
    days = settings.parse_retention_days(raw)
    if days is None:
        raise RetentionError(
            f"{RETENTION_DAYS_ENV} ต้องเป็นจำนวนวันเต็ม อย่างน้อย 1 (ได้ {raw!r})",
            f"{RETENTION_DAYS_ENV} must be a whole number of days >= 1 (got {raw!r})",
        )
    return days


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


# ---------------------------------------------------------------- service DB
def _record_counts(table, rows) -> Counter:
    counts: Counter = Counter()
    for row in rows:
        day = thai_day(row.created_at)
        if table is UnansweredQuestion.__table__:
            counts[
                count_key(
                    day,
                    "unanswered",
                    row.channel,
                    row.intent,
                    row.reason,
                    row.taught_at is not None,
                )
            ] += 1
        else:
            counts[count_key(day, "rating", row.channel, row.intent, row.rating)] += 1
    return counts


def _service_retention(
    service_url: str, cutoff: datetime, result: RetentionResult, batch_size: int
) -> None:
    engine = get_engine(service_url)
    naive_cutoff = cutoff.astimezone(timezone.utc).replace(tzinfo=None)
    for model, attr in ((UnansweredQuestion, "unanswered"), (AnswerRating, "ratings")):
        table = model.__table__
        with engine.connect() as connection:
            if not has_table(connection, table.name):
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
    cutoff = aware(now).astimezone(timezone.utc) - timedelta(days=days)
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
