"""Erasure of one conversation (bot/privacy/erasure.py) on SQLite: its events,
unanswered questions, ratings and notice records go; no byte of it stays in
the database files (secure_delete, WAL emptied); another citizen's
conversation is untouched."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from bot.content.db import get_engine
from bot.privacy.erasure import Erased, erase_conversation, erase_requested
from bot.privacy.records import claim_notice
from tests.support.privacy import Stores, file_bytes, say, stored_forms

SECRET_A = "คุณสมหญิงถามเรื่องสำเนาทะเบียนบ้านเลขที่ ๙๙/๑๒๓ หมู่บ้านลับเฉพาะ"
SECRET_B = "คุณสมชายถามเรื่อง Biz Portal ร้านก๋วยเตี๋ยวเรือคลองแสนแสบ"


def counts(stores: Stores, sender: str) -> tuple[int, int, int]:
    with stores.engine.connect() as connection:
        events = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
        ).scalar_one()
    with get_engine(stores.service_url).connect() as connection:
        unanswered = connection.execute(
            sa.text("SELECT count(*) FROM unanswered_questions")
        ).scalar_one()
        ratings = connection.execute(
            sa.text("SELECT count(*) FROM answer_ratings")
        ).scalar_one()
    return events, unanswered, ratings


def test_one_conversation_is_erased_and_no_byte_of_it_remains(stores: Stores) -> None:
    a, b = "citizen-a-8d1f", "citizen-b-44c2"
    say(stores.tracker, a, [SECRET_A, "ขอบคุณค่ะ"], stores.service_url)
    say(stores.tracker, b, [SECRET_B], stores.service_url)
    assert claim_notice(a, "v1", stores.service_url)
    assert claim_notice(b, "v1", stores.service_url)
    before_a = counts(stores, a)
    assert before_a[0] > 0 and before_a[1:] == (3, 3)
    assert any(f in file_bytes(stores.tracker_path) for f in stored_forms(SECRET_A))

    erased = erase_conversation(stores.engine, a, stores.service_url)

    assert erased == Erased(
        events=before_a[0], unanswered=2, ratings=2, notices=1, line_keys=0
    )
    assert counts(stores, a) == (0, 1, 1)  # B's records are left
    assert counts(stores, b)[0] > 0
    stores.engine.dispose()
    get_engine(stores.service_url).dispose()
    for path in (stores.tracker_path, stores.service_path):
        data = file_bytes(path)
        for form in stored_forms(SECRET_A) + [a.encode()]:
            assert form not in data, (form, path)
    assert any(f in file_bytes(stores.tracker_path) for f in stored_forms(SECRET_B))
    assert any(f in file_bytes(stores.service_path) for f in stored_forms(SECRET_B))
    # the notice comes again in the fresh conversation; B's is still claimed
    assert claim_notice(a, "v1", stores.service_url)
    assert not claim_notice(b, "v1", stores.service_url)


def test_the_wal_is_emptied_while_rasa_keeps_its_connection(stores: Stores) -> None:
    """Another connection open (Rasa's pool) keeps the WAL file; the erasure
    still leaves it empty, with no trace of the conversation."""
    import sqlite3

    keep = sqlite3.connect(stores.tracker_path)
    try:
        keep.execute("SELECT count(*) FROM events").fetchone()
        say(stores.tracker, "c", [SECRET_A], stores.service_url)
        wal = stores.tracker_path.with_name(stores.tracker_path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        erase_conversation(stores.engine, "c", stores.service_url)
        assert wal.stat().st_size == 0
        for form in stored_forms(SECRET_A):
            assert form not in file_bytes(stores.tracker_path)
    finally:
        keep.close()


def test_erasing_an_unknown_conversation_deletes_nothing(stores: Stores) -> None:
    say(stores.tracker, "d", [SECRET_B], stores.service_url)
    assert erase_conversation(stores.engine, "nobody", stores.service_url) == Erased()
    assert counts(stores, "d")[0] > 0


def test_the_marker_is_the_erase_action_in_this_turn(stores: Stores) -> None:
    import time

    start = time.time()
    say(stores.tracker, "e", ["ลบข้อมูลของฉัน"], stores.service_url)
    assert not erase_requested(stores.engine, "e", start)
    say(
        stores.tracker,
        "e",
        ["ใช่"],
        stores.service_url,
        action="action_erase_conversation",
    )
    assert erase_requested(stores.engine, "e", start)
    assert not erase_requested(stores.engine, "e", time.time() + 1)
    assert not erase_requested(stores.engine, "other", start)
    asyncio.run(stores.tracker.retrieve("e"))  # still a valid tracker
