"""The tracker store keeps a conversation in memory between turns
(bot/rasa_ext/tracker_cache.py) only while that is exactly what a read from
the database would give: same events, same state, every event stored once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import AwaitableTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.erasure import forget_cached
from bot.rasa_ext.tracker_store import EnvTrackerStore

DOMAIN = Domain.load("domain.yml")


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    monkeypatch.delenv("TRACKER_CACHE_SIZE", raising=False)
    return url


def turn(i: int) -> List[Any]:
    return [
        UserUttered(f"กฟน.ได้รางวัลไหม {i}", intent={"name": "award_check"}),
        SlotSet("topic", f"award-{i}"),
        ActionExecuted("action_check_winner"),
        BotUttered(f"ได้ค่ะ {i}"),
        ActionExecuted("action_listen"),
    ]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def start(store: EnvTrackerStore, sender: str) -> DialogueStateTracker:
    """A conversation stored the way Rasa's first turn stores it."""
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in [SessionStarted(), ActionExecuted("action_listen"), *turn(0)]:
        tracker.update(event, DOMAIN)
    await store.save(tracker)
    return tracker


async def add_turn(store: EnvTrackerStore, sender: str, i: int) -> Any:
    tracker = await store.retrieve(sender)
    tracker.update_with_events(turn(i), DOMAIN)
    await store.save(tracker)
    return tracker


def stored_rows(url: str, sender: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
        ).scalar_one()


async def from_database(url: str, sender: str) -> DialogueStateTracker:
    """The conversation as a store that never saw it reads it."""
    other = EnvTrackerStore(domain=DOMAIN)
    other.cache.size = 0
    return await other.retrieve(sender)


def same(a: DialogueStateTracker, b: DialogueStateTracker) -> None:
    assert [e.as_dict() for e in a.events] == [e.as_dict() for e in b.events]
    assert a.current_state() == b.current_state()
    assert a.past_states(DOMAIN) == b.past_states(DOMAIN)


def test_next_turn_gets_the_saved_tracker_identical_to_the_database(url: str) -> None:
    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        await start(store, "c1")
        first = await add_turn(store, "c1", 1)  # read from the database
        second = await add_turn(store, "c1", 2)  # kept in memory
        assert second is first and store.cache.hits == 1
        same(second, await from_database(url, "c1"))
        third = await store.retrieve("c1")
        assert third is first
        assert stored_rows(url, "c1") == len(third.events)

    run(go())


def test_a_write_by_another_process_is_read_from_the_database(url: str) -> None:
    async def go() -> None:
        ours, theirs = EnvTrackerStore(domain=DOMAIN), EnvTrackerStore(domain=DOMAIN)
        await start(ours, "c2")
        kept = await add_turn(ours, "c2", 1)
        await add_turn(ours, "c2", 2)
        await add_turn(theirs, "c2", 3)
        again = await ours.retrieve("c2")
        assert again is not kept
        assert "กฟน.ได้รางวัลไหม 3" in [getattr(e, "text", None) for e in again.events]
        same(again, await from_database(url, "c2"))

    run(go())


def test_erased_rows_are_not_served_from_memory(url: str) -> None:
    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        await start(store, "c3")
        await add_turn(store, "c3", 1)
        await add_turn(store, "c3", 2)
        with store.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'c3'"))
        assert await store.retrieve("c3") is None

    run(go())


def test_erasure_drops_the_kept_tracker(url: str) -> None:
    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        await start(store, "c5")
        await add_turn(store, "c5", 1)
        await add_turn(store, "c5", 2)
        assert len(store.cache) == 1
        forget_cached(AwaitableTrackerStore(store), "c5")
        assert len(store.cache) == 0

    run(go())


def test_events_added_after_the_save_are_not_served(url: str) -> None:
    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        await start(store, "c6")
        await add_turn(store, "c6", 1)
        kept = await add_turn(store, "c6", 2)
        kept.update(BotUttered("ไม่ได้บันทึก"))  # changed, never saved
        again = await store.retrieve("c6")
        assert again is not kept
        same(again, await from_database(url, "c6"))

    run(go())


def test_a_new_session_is_read_back_from_the_database(url: str) -> None:
    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        await start(store, "c7")
        tracker = await store.retrieve("c7")
        tracker.update_with_events(
            [ActionExecuted("action_session_start"), SessionStarted(), *turn(9)],
            DOMAIN,
        )
        await store.save(tracker)
        again = await store.retrieve("c7")
        assert again is not tracker
        assert isinstance(again.events[0], SessionStarted)
        assert len(again.events) == 1 + len(turn(9))

    run(go())


def test_a_new_domain_reads_the_database_again(url: str) -> None:
    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        await start(store, "c8")
        kept = await add_turn(store, "c8", 1)
        store.domain = Domain.load("domain.yml")  # a new model went live
        assert await store.retrieve("c8") is not kept

    run(go())


def test_size_zero_turns_the_cache_off(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "0")

    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        await start(store, "c9")
        kept = await add_turn(store, "c9", 1)
        again = await add_turn(store, "c9", 2)
        assert again is not kept and len(store.cache) == 0
        assert stored_rows(url, "c9") == len(again.events)

    run(go())


def test_the_cache_holds_at_most_its_size(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_CACHE_SIZE", "2")

    async def go() -> None:
        store = EnvTrackerStore(domain=DOMAIN)
        for sender in ("a", "b", "c"):
            await start(store, sender)
            await add_turn(store, sender, 1)
        assert len(store.cache) == 2
        assert stored_rows(url, "a") == len((await store.retrieve("a")).events)

    run(go())


def test_a_kept_conversation_lives_as_long_as_a_session(url: str) -> None:
    short = Domain.from_dict(
        {"session_config": {"session_expiration_time": 5}, "intents": ["greet"]}
    )
    assert EnvTrackerStore(domain=short).cache.idle_s == 5 * 60
    never = Domain.from_dict(
        {"session_config": {"session_expiration_time": 0}, "intents": ["greet"]}
    )
    assert EnvTrackerStore(domain=never).cache.idle_s == 3600
