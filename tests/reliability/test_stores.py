"""bot/rasa_ext/ stores in-process, on the machine's PostgreSQL and Redis.

Also checks that Rasa's own factories load the two classes from endpoints.yml
types, and that a bad store raises instead of Rasa's silent in-memory fallback.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import ConnectionException
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.lock_store import (
    AtomicRedisLockStore,
    EnvLockStore,
    redis_lock_store_kwargs,
)
from bot.rasa_ext.store_common import (
    StoreUnavailable,
    default_tracker_url,
    redacted,
    tracker_store_url,
)
from bot.rasa_ext.tracker_store import EnvTrackerStore
from tests.support.servers import free_port
from tests.support.stores import REDIS_URL

TRACKER_TYPE = "bot.rasa_ext.tracker_store.EnvTrackerStore"
LOCK_TYPE = "bot.rasa_ext.lock_store.EnvLockStore"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("TRACKER_STORE_URL", "LOCK_STORE_URL", "LOCK_STORE_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STORE_CONNECT_TIMEOUT_S", "0")
    return monkeypatch


def test_tracker_url_comes_from_the_environment_then_endpoints_then_sqlite(
    clean_env: pytest.MonkeyPatch,
) -> None:
    assert tracker_store_url() == default_tracker_url()
    assert default_tracker_url().endswith("/var/tracker.db")
    assert tracker_store_url("sqlite:///x.db") == "sqlite:///x.db"
    clean_env.setenv("TRACKER_STORE_URL", "postgres://u:example@h/db")
    assert tracker_store_url("sqlite:///x.db") == "postgresql://u:example@h/db"
    url = "postgresql://u:example-pw@h:5432/db"
    assert redacted(url) == "postgresql://u:***@h:5432/db"
    assert redacted("redis://:example@h:6379/0") == "redis://:***@h:6379/0"


def _roundtrip(store: TrackerStore, sender: str) -> list[str]:
    tracker = DialogueStateTracker.from_events(
        sender, [UserUttered("สวัสดี"), UserUttered("ขอบคุณ")]
    )

    async def go() -> list[str]:
        await store.save(tracker)
        loaded = await store.retrieve(sender)
        assert loaded is not None
        return [e.text for e in loaded.events if isinstance(e, UserUttered)]

    return asyncio.run(go())


def test_sqlite_tracker_store_through_rasas_factory(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'new' / 't.db'}")
    store = TrackerStore.create(
        EndpointConfig(type=TRACKER_TYPE), Domain.empty()
    )
    assert isinstance(store, EnvTrackerStore)
    assert _roundtrip(store, "u1") == ["สวัสดี", "ขอบคุณ"]
    assert (tmp_path / "new" / "t.db").exists()


def test_postgres_tracker_store(
    clean_env: pytest.MonkeyPatch, postgres_db: str
) -> None:
    clean_env.setenv("TRACKER_STORE_URL", postgres_db)
    store = EnvTrackerStore(domain=Domain.empty())
    assert store.engine.url.get_backend_name() == "postgresql"
    assert _roundtrip(store, "pg-user") == ["สวัสดี", "ขอบคุณ"]
    store.engine.dispose()


@pytest.mark.parametrize(
    ("url", "advice"),
    [
        ("postgresql://postgres@127.0.0.1:{port}/x", "Start PostgreSQL"),
        ("postgresql://postgres@127.0.0.1:5432/no_such_db_for_sure", "createdb"),
        ("mysql://u@h/db", "supports PostgreSQL"),
        ("sqlite:///{file}/tracker.db", "cannot be opened"),
    ],
)
def test_unusable_tracker_store_raises_with_advice(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, url: str, advice: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    clean_env.setenv("TRACKER_STORE_URL", url.format(port=free_port(), file=a_file))
    with pytest.raises(StoreUnavailable) as error:
        EnvTrackerStore(domain=Domain.empty())
    assert advice in str(error.value)
    assert "TRACKER_STORE_URL" in str(error.value) or "SQLite" in str(error.value)


def test_rasa_reports_an_unusable_tracker_store_instead_of_using_memory(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("TRACKER_STORE_URL", f"postgresql://u@127.0.0.1:{free_port()}/x")
    with pytest.raises(ConnectionException, match="Cannot reach the tracker store"):
        TrackerStore.create(EndpointConfig(type=TRACKER_TYPE))


def test_redis_url_parsing(clean_env: pytest.MonkeyPatch) -> None:
    kwargs = redis_lock_store_kwargs("rediss://user:p%40ss@cache:6380/3?key_prefix=bot")
    assert kwargs["host"] == "cache" and kwargs["port"] == 6380 and kwargs["db"] == 3
    assert kwargs["username"] == "user" and kwargs["password"] == "p@ss"
    assert kwargs["use_ssl"] is True and kwargs["key_prefix"] == "bot"
    clean_env.setenv("LOCK_STORE_KEY_PREFIX", "other")
    assert redis_lock_store_kwargs("redis://h")["key_prefix"] == "other"
    assert redis_lock_store_kwargs("redis://h")["db"] == 0
    with pytest.raises(StoreUnavailable, match="redis://"):
        redis_lock_store_kwargs("http://h:6379/0")


def test_lock_store_is_in_memory_without_a_url(clean_env: pytest.MonkeyPatch) -> None:
    store = LockStore.create(EndpointConfig(type=LOCK_TYPE))
    assert isinstance(store, EnvLockStore) and store.url is None
    assert type(store.backend).__name__ == "InMemoryLockStore"


def test_redis_lock_store_serialises_a_conversation(
    clean_env: pytest.MonkeyPatch, redis_prefix: str
) -> None:
    clean_env.setenv("LOCK_STORE_URL", REDIS_URL)
    clean_env.setenv("LOCK_STORE_KEY_PREFIX", redis_prefix)
    store = LockStore.create(EndpointConfig(type=LOCK_TYPE))
    assert isinstance(store, EnvLockStore)
    client = redis.Redis.from_url(REDIS_URL)
    order: list[str] = []

    async def turn(name: str, hold: float) -> None:
        async with store.lock("conv-1", wait_time_in_seconds=0.05):
            order.append(f"{name}+")
            assert client.exists(f"{redis_prefix}:lock:conv-1")
            await asyncio.sleep(hold)
            order.append(f"{name}-")

    async def both() -> None:
        first = asyncio.ensure_future(turn("one", 0.3))
        await asyncio.sleep(0.05)
        await turn("two", 0)
        await first

    asyncio.run(both())
    assert order == ["one+", "one-", "two+", "two-"]
    assert not client.exists(f"{redis_prefix}:lock:conv-1")
    client.close()


def test_unreachable_lock_store_raises_with_advice(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("LOCK_STORE_URL", f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(ConnectionException, match="Cannot connect to lock store"):
        LockStore.create(EndpointConfig(type=LOCK_TYPE))
    with pytest.raises(StoreUnavailable, match="Start Redis or fix LOCK_STORE_URL"):
        EnvLockStore()


def test_two_processes_taking_a_ticket_at_once_get_different_tickets(
    redis_prefix: str,
) -> None:
    """The interleaving that broke Rasa's RedisLockStore: store 2 takes a
    ticket while store 1 is between reading and writing the lock. Store 1's
    transaction is retried, so the two tickets differ."""
    kwargs = redis_lock_store_kwargs(f"{REDIS_URL}?key_prefix={redis_prefix}")
    first, second = AtomicRedisLockStore(**kwargs), AtomicRedisLockStore(**kwargs)
    original = first._transact
    interleaved: list[int] = []

    def transact_with_interruption(conversation_id: str, change: Any) -> Any:
        def racing_change(lock: Any) -> Any:
            if not interleaved:
                interleaved.append(second.issue_ticket(conversation_id))
            return change(lock)

        return original(conversation_id, racing_change)

    first._transact = transact_with_interruption  # type: ignore[method-assign]
    ticket = first.issue_ticket("race-1")
    assert interleaved and ticket != interleaved[0]
    lock = first.get_lock("race-1")
    assert lock is not None and [t.number for t in lock.tickets] == [0, 1]
    first.cleanup("race-1", interleaved[0])
    second.cleanup("race-1", ticket)
    assert first.get_lock("race-1") is None
