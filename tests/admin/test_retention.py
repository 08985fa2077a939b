"""``python -m bot.admin retention run`` (bot/admin/retention.py) on SQLite and on
PostgreSQL: old conversations and records go, recent ones stay untouched,
daily counts without text survive and keep ``report``'s totals, ``--dry-run``
deletes nothing, and a conversation that gets a new event during the run keeps
all of its events. The clock is moved (``now=``), never slept on.

The PostgreSQL cases create and drop their own throwaway databases on the
machine's server (127.0.0.1:5432, user postgres, trust auth).
"""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot.admin import daily_counts, retention, retention_tracker
from bot.admin import report as admin_report
from bot.admin.cli import main
from bot.content.db import dispose_engines, migrate, session_scope
from bot.content.models import AnswerRating, UnansweredQuestion

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    name = f"retention_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is needed: {error}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@dataclass
class Stores:
    tracker: str
    service: str

    def engine(self) -> sa.engine.Engine:
        return sa.create_engine(self.tracker, future=True, poolclass=sa.pool.NullPool)


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-one-db"])
def stores(
    request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stores]:
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    if request.param == "sqlite":
        found = Stores(
            f"sqlite:///{tmp_path / 'tracker.db'}",
            f"sqlite:///{tmp_path / 'service.db'}",
        )
        yield from _prepared(found)
    elif request.param == "postgresql":
        with throwaway_postgres() as tracker, throwaway_postgres() as service:
            yield from _prepared(Stores(tracker, service))
    else:  # tracker store and service tables in the same database
        with throwaway_postgres() as url:
            yield from _prepared(Stores(url, url))
    dispose_engines()


def _prepared(found: Stores) -> Iterator[Stores]:
    engine = found.engine()
    SQLTrackerStore.Base.metadata.create_all(engine)  # Rasa's own events table
    engine.dispose()
    migrate(found.service)
    yield found


# ---------------------------------------------------------------- data
def user_event(ts: float, text: str, intent: str, channel: Optional[str]) -> Dict:
    return {
        "event": "user",
        "timestamp": ts,
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "text": text},
        "input_channel": channel,
        "message_id": uuid.uuid4().hex,
        "metadata": {},
    }


def add_conversation(
    stores: Stores,
    sender: str,
    start: datetime,
    turns: List[Tuple[str, str]],
    channel: Optional[str] = "rest",
    gap: timedelta = timedelta(minutes=1),
) -> None:
    """session_started, then per turn: user (text, intent), action, bot."""
    rows = []
    ts = start.timestamp()
    rows.append(
        (sender, "session_started", ts, None, None, {"event": "session_started"})
    )
    for text, intent in turns:
        ts += gap.total_seconds()
        rows.append(
            (sender, "user", ts, intent, None, user_event(ts, text, intent, channel))
        )
        rows.append(
            (
                sender,
                "action",
                ts + 1,
                None,
                "utter_x",
                {"event": "action", "name": "x"},
            )
        )
        rows.append((sender, "bot", ts + 2, None, None, {"event": "bot", "text": "ค่ะ"}))
    insert_events(stores, rows)


def insert_events(stores: Stores, rows) -> None:
    engine = stores.engine()
    with engine.begin() as connection:
        for sender, kind, ts, intent, action, data in rows:
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name,"
                    " action_name, data) VALUES (:s, :k, :t, :i, :a, :d)"
                ),
                {
                    "s": sender,
                    "k": kind,
                    "t": ts,
                    "i": intent,
                    "a": action,
                    "d": json.dumps(data),
                },
            )
    engine.dispose()


def events_of(stores: Stores) -> Dict[str, List[Tuple]]:
    engine = stores.engine()
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT sender_id, id, type_name, timestamp, data FROM events"
                " ORDER BY sender_id, id"
            )
        ).all()
    engine.dispose()
    out: Dict[str, List[Tuple]] = {}
    for sender, *rest in rows:
        out.setdefault(sender, []).append(tuple(rest))
    return out


def add_records(stores: Stores) -> None:
    def at(days_ago: float) -> datetime:
        return (NOW - days_ago * DAY).astimezone(timezone.utc).replace(tzinfo=None)

    with session_scope(stores.service) as s:
        s.add_all(
            [
                UnansweredQuestion(
                    created_at=at(120),
                    channel="line",
                    text="หวยออกอะไร",
                    reason="fallback",
                    intent="out_of_scope",
                    top_intents=[],
                ),
                UnansweredQuestion(
                    created_at=at(95),
                    channel="rest",
                    text="ต่อภาษีรถออนไลน์ได้ไหม",
                    reason="core_fallback",
                    intent="bizportal_steps",
                    top_intents=[],
                    taught_at=at(94),
                    taught_intent="bizportal_steps",
                ),
                UnansweredQuestion(
                    created_at=at(91),
                    channel="rest",
                    text="เลขบัตร [เลขบัตรประชาชน] ใช้ได้ไหม",
                    reason="low_confidence",
                    intent="nocopy_what",
                    top_intents=[],
                ),
                UnansweredQuestion(
                    created_at=at(10),
                    channel="line",
                    text="ขอเบอร์กรม",
                    reason="fallback",
                    intent="out_of_scope",
                    top_intents=[],
                ),
                AnswerRating(
                    created_at=at(100),
                    channel="line",
                    intent="nocopy_what",
                    rating="good",
                ),
                AnswerRating(
                    created_at=at(100),
                    channel="rest",
                    intent="award_check",
                    rating="bad",
                ),
                AnswerRating(
                    created_at=at(5),
                    channel="rest",
                    intent="nocopy_what",
                    rating="good",
                ),
            ]
        )


def record_counts(stores: Stores) -> Tuple[int, int]:
    with session_scope(stores.service) as s:
        unanswered = s.execute(
            sa.select(sa.func.count()).select_from(UnansweredQuestion)
        ).scalar_one()
        ratings = s.execute(
            sa.select(sa.func.count()).select_from(AnswerRating)
        ).scalar_one()
    return unanswered, ratings


def daily_rows(stores: Stores) -> List[Tuple]:
    table = daily_counts.daily_counts
    with session_scope(stores.service) as s:
        return [
            tuple(r)
            for r in s.execute(
                sa.select(
                    table.c.day,
                    table.c.metric,
                    table.c.channel,
                    table.c.intent,
                    table.c.kind,
                    table.c.taught,
                    table.c.count,
                ).order_by(*table.c)
            ).all()
        ]


def seed(stores: Stores) -> None:
    # 120 days ago, 20:00 UTC = 03:00 next day in Bangkok: counted on that day
    old_start = (NOW - 120 * DAY).replace(hour=19, minute=58)
    add_conversation(
        stores,
        "old-rest",
        old_start,
        [("สวัสดีค่ะ", "greet"), ("ไม่ต้องถ่ายสำเนาบัตรใช่ไหม", "nocopy_what")],
    )
    add_conversation(
        stores,
        "old-line",
        NOW - 100 * DAY,
        [("อะไรนะ", "nlu_fallback")],
        channel="line",
    )
    add_conversation(stores, "old-nochannel", NOW - 91 * DAY, [("x", "greet")], None)
    # a long conversation: started long ago, latest event 10 days ago
    add_conversation(
        stores,
        "long-running",
        NOW - 200 * DAY,
        [("เก่า", "greet"), ("ใหม่", "greet")],
        gap=timedelta(days=95),
    )
    add_conversation(stores, "recent", NOW - 89 * DAY, [("สวัสดี", "greet")], "line")
    add_records(stores)


def report(stores: Stores, days: Optional[int] = None) -> List[str]:
    return admin_report.report_lines(stores.service, days)


def totals(lines: List[str]) -> str:
    return next(line for line in lines if line.startswith("รวม/total"))


def intent_rows(lines: List[str]) -> Dict[str, List[str]]:
    return {
        line.split()[0]: line.split()[1:]
        for line in lines[2:]
        if line and not line.startswith(("รวม", "includes", "fallback ="))
    }


# ---------------------------------------------------------------- tests
def test_dry_run_counts_and_deletes_nothing(stores: Stores) -> None:
    seed(stores)
    before = events_of(stores)
    result = retention.run_retention(
        stores.tracker, stores.service, days=90, now=NOW, dry_run=True
    )
    assert (result.conversations, result.events) == (3, 7 + 4 + 4)
    assert (result.unanswered, result.ratings) == (3, 2)
    assert events_of(stores) == before
    assert record_counts(stores) == (4, 3)
    assert daily_rows(stores) == []
    lines = result.lines()
    assert "would delete: 3 conversations (15 events), 3 unanswered, 2 ratings" in lines
    assert any(line.startswith("จะลบ: บทสนทนา 3") for line in lines)


def test_old_data_goes_recent_stays_and_counts_survive(stores: Stores) -> None:
    seed(stores)
    before = events_of(stores)
    report_before = report(stores)
    result = retention.run_retention(stores.tracker, stores.service, days=90, now=NOW)
    assert (result.conversations, result.events) == (3, 15)
    assert (result.unanswered, result.ratings) == (3, 2)
    assert result.kept_active == 0

    after = events_of(stores)
    assert sorted(after) == ["long-running", "recent"]
    assert after["long-running"] == before["long-running"]  # untouched, ids too
    assert after["recent"] == before["recent"]
    assert record_counts(stores) == (1, 1)

    rows = daily_rows(stores)
    old_day = date(2026, 8, 4)  # 2026-08-03 19:59 UTC is 02:59 on the 4th in Bangkok
    assert (old_day, "question", "rest", "greet", "", False, 1) in rows
    assert (old_day, "question", "rest", "nocopy_what", "", False, 1) in rows
    assert (old_day, "conversation", "", "", "", False, 1) in rows
    assert any(r[1:4] == ("question", "line", "nlu_fallback") for r in rows)
    assert any(r[1:3] == ("question", "") for r in rows)  # channel unknown
    counts = admin_report.count_rows(stores.service)
    assert counts == {"question": 4, "conversation": 3, "unanswered": 3, "rating": 2}
    assert not any("บัตร" in str(cell) or "หวย" in str(cell) for r in rows for cell in r)

    # report: the same totals and per-intent figures as before the run
    report_after = report(stores)
    assert totals(report_after) == totals(report_before)
    assert intent_rows(report_after) == intent_rows(report_before)
    assert "open unanswered 3" in totals(report_after)  # 2 open now gone + 1 kept
    assert any(line.startswith("includes the counts kept") for line in report_after)

    # a second run finds nothing more and counts nothing twice
    again = retention.run_retention(stores.tracker, stores.service, days=90, now=NOW)
    assert (again.conversations, again.unanswered, again.ratings) == (0, 0, 0)
    assert admin_report.count_rows(stores.service) == counts

    # the clock moves on: the rest goes too, counts keep adding up
    later = retention.run_retention(
        stores.tracker, stores.service, days=90, now=NOW + 100 * DAY
    )
    assert (later.conversations, later.unanswered, later.ratings) == (2, 1, 1)
    assert events_of(stores) == {}
    assert record_counts(stores) == (0, 0)
    assert totals(report(stores)) == totals(report_before)


def test_a_conversation_active_during_the_run_keeps_all_its_events(
    stores: Stores,
) -> None:
    seed(stores)
    before = events_of(stores)
    new_ts = NOW.timestamp()

    def citizen_comes_back(found: List[str]) -> None:
        assert "old-line" in found
        insert_events(
            stores,
            [
                (
                    "old-line",
                    "user",
                    new_ts,
                    "greet",
                    None,
                    user_event(new_ts, "กลับมาแล้วค่ะ", "greet", "line"),
                )
            ],
        )

    result = retention.run_retention(
        stores.tracker,
        stores.service,
        days=90,
        now=NOW,
        after_scan=citizen_comes_back,
        batch_size=1,
    )
    assert result.kept_active == 1
    assert result.conversations == 2
    after = events_of(stores)
    assert after["old-line"][: len(before["old-line"])] == before["old-line"]
    assert len(after["old-line"]) == len(before["old-line"]) + 1
    assert "old-rest" not in after and "old-nochannel" not in after
    rows = daily_rows(stores)
    assert not any(r[1:3] == ("question", "line") for r in rows)  # nothing counted


def test_batches_of_a_given_size(stores: Stores) -> None:
    for i in range(7):
        add_conversation(stores, f"old-{i}", NOW - (100 + i) * DAY, [("x", "greet")])
    result = retention.run_retention(
        stores.tracker, stores.service, days=90, now=NOW, batch_size=3
    )
    assert result.conversations == 7 and result.events == 7 * 4
    assert result.batches == 3  # 3 + 3 + 1 conversations, no records
    assert events_of(stores) == {}
    assert admin_report.count_rows(stores.service)["conversation"] == 7


def test_report_days_filter_counts_archived_days(stores: Stores) -> None:
    seed(stores)
    retention.run_retention(stores.tracker, stores.service, days=90, now=NOW)
    # archived ratings are 100 days old: inside a 365-day report, outside 30 days
    assert intent_rows(report(stores, days=3650))["award_check"][:2] == ["0", "1"]
    assert "award_check" not in intent_rows(report(stores, days=30))


def test_command_line_in_thai_and_english(
    stores: Stores, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(stores)
    base = [
        "--url",
        stores.service,
        "retention",
        "run",
        "--tracker-url",
        stores.tracker,
    ]
    # the command uses the real clock (this file's NOW is 2026-12-01): a period
    # of 100 years from RETENTION_DAYS keeps everything...
    monkeypatch.setenv("RETENTION_DAYS", "36500")
    assert main([*base, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "retention 36500 days" in out and "ระยะเก็บข้อมูล 36500 วัน" in out
    assert "would delete: 0 conversations (0 events), 0 unanswered, 0 ratings" in out
    assert "nothing deleted (--dry-run)" in out
    # ...and --days 1 deletes everything (the newest record is 5 days older than NOW)
    assert main([*base, "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "deleted: 5 conversations" in out and "ลบแล้ว: บทสนทนา 5" in out
    assert events_of(stores) == {}
    assert main(["--url", stores.service, "report"]) == 0
    out = capsys.readouterr().out
    assert "open unanswered 3" in out and "👍 2  👎 1" in out


def test_bad_retention_days_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "ninety")
    url = f"sqlite:///{tmp_path / 's.db'}"
    code = main(["--url", url, "retention", "run", "--tracker-url", url, "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2 and "RETENTION_DAYS" in err and "ผิดพลาด" in err
    monkeypatch.setenv("RETENTION_DAYS", "")
    assert retention.retention_days() == 90
    dispose_engines()


def test_missing_tracker_table_is_not_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = retention.run_retention(url, url, days=90, now=NOW)
    assert result.conversations == 0
    missing = tmp_path / "no-tracker.db"
    result = retention.run_retention(
        f"sqlite:///{missing}", url, days=90, now=NOW, dry_run=True
    )
    assert result.conversations == 0 and not missing.exists()  # not created
    dispose_engines()


def test_with_rasas_own_tracker_store(tmp_path: Path) -> None:
    """Conversations saved by Rasa's SQLTrackerStore: counted by channel and
    intent, deleted; a turn Rasa saves for a conversation deleted a moment
    before writes its whole session again (nothing is left half-deleted)."""
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    old = (NOW - 120 * DAY).timestamp()
    events = [
        ActionExecuted("action_session_start", timestamp=old),
        SessionStarted(timestamp=old),
        ActionExecuted("action_listen", timestamp=old),
        UserUttered(
            "สวัสดีค่ะ", {"name": "greet"}, timestamp=old + 1, input_channel="line"
        ),
        BotUttered("สวัสดีค่ะ", timestamp=old + 2),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events("citizen", events)))
    in_flight = asyncio.run(store.retrieve("citizen"))  # Rasa is mid-turn

    tracker_url = f"sqlite:///{tmp_path / 't.db'}"
    service_url = f"sqlite:///{tmp_path / 's.db'}"
    result = retention.run_retention(tracker_url, service_url, days=90, now=NOW)
    assert (result.conversations, result.events) == (1, 5)
    rows = admin_report.archived_counts(service_url)
    assert rows.questions == {"line": 1} and rows.conversations == 1

    in_flight.update(UserUttered("มาอีกแล้วค่ะ", {"name": "greet"}, input_channel="line"))
    asyncio.run(store.save(in_flight))
    stored = asyncio.run(store.retrieve_full_tracker("citizen"))
    assert [e.type_name for e in stored.events] == [
        "action",
        "session_started",
        "action",
        "user",
        "bot",
        "user",
    ]
    dispose_engines()


def test_postgres_lock_wait_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A long transaction writing to ``events`` makes the job give up after a
    few short lock waits (it never queues Rasa behind it for long); the data
    is intact and the next run works."""
    monkeypatch.setattr(retention_tracker, "LOCK_TIMEOUT_S", 1)
    with throwaway_postgres() as tracker, throwaway_postgres() as service:
        found = Stores(tracker, service)
        list(_prepared(found))
        add_conversation(found, "old", NOW - 100 * DAY, [("x", "greet")])
        blocker = found.engine()
        with blocker.connect() as connection:
            transaction = connection.begin()
            connection.execute(
                sa.text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data)"
                    " VALUES ('busy', 'user', :t, '{}')"
                ),
                {"t": NOW.timestamp()},
            )  # not committed: holds ROW EXCLUSIVE on events
            with pytest.raises(retention.RetentionError) as caught:
                retention.run_retention(tracker, service, days=90, now=NOW)
            assert "TRACKER_STORE_URL" in caught.value.en
            assert "lock timeout" in caught.value.en
            transaction.rollback()
        blocker.dispose()
        assert sorted(events_of(found)) == ["old"]
        assert admin_report.count_rows(service) == {}
        result = retention.run_retention(tracker, service, days=90, now=NOW)
        assert result.conversations == 1 and events_of(found) == {}


def test_the_notice_and_the_deletion_read_retention_days_by_one_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import settings

    for raw, days in (("45", 45), (" 30 ", 30), ("", 90)):
        monkeypatch.setenv("RETENTION_DAYS", raw)
        assert settings.retention_days() == retention.retention_days() == days
    for bad in ("90.5", "0", "-3", "ninety"):
        monkeypatch.setenv("RETENTION_DAYS", bad)
        assert settings.retention_days() == 90  # the notice shows the default
        with pytest.raises(retention.RetentionError):
            retention.retention_days()  # and nothing is deleted with it
