"""LINE channel: each webhook event is handled once, in memory or through
Redis when several Rasa instances run."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Callable

import aiohttp
import pytest

from bot.channels.line import (
    EventDeduplicator,
    LineInput,
    RedisEventDeduplicator,
    deduplicator_from_env,
)
from bot.privacy.line import dedup_key
from tests.support.line_fake import (
    SECRET,
    TOKEN,
    Ctx,
    FakeBot,
    FakeLineApi,
    text_event,
)


def test_deduplicator_lru_and_ttl() -> None:
    now = [0.0]
    dedup = EventDeduplicator(max_entries=3, ttl_seconds=10, clock=lambda: now[0])

    def first_time(key: str) -> bool:
        return asyncio.run(dedup.first_time(key))

    assert first_time("a")
    assert not first_time("a")
    for key in ("b", "c", "d"):
        assert first_time(key)
    assert len(dedup) == 3
    assert first_time("a")  # evicted as least recently seen
    now[0] = 100.0
    assert first_time("b")  # expired
    assert len(dedup) == 1


# --------------------------------------------------------------------------
# Scale-out: de-duplication shared through Redis
# --------------------------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379/0"


def shared_channel(line: FakeLineApi, dedup: RedisEventDeduplicator) -> LineInput:
    return LineInput(
        SECRET, TOKEN, api_base_url=line.url, retry_backoff=0.0, deduplicator=dedup
    )


def test_redelivery_to_another_instance_is_skipped_via_redis(
    serve: Callable[..., Any],
) -> None:
    """Two Rasa instances behind the router: LINE redelivers an event that the
    first one handled to the second one, which must not answer it again."""
    prefix = f"test:line:event:{uuid.uuid4().hex}:"

    async def main() -> None:
        line, bot = FakeLineApi(), FakeBot()
        await line.start()
        first = shared_channel(
            line, RedisEventDeduplicator(REDIS_URL, key_prefix=prefix)
        )
        second = shared_channel(
            line, RedisEventDeduplicator(REDIS_URL, key_prefix=prefix)
        )
        try:
            async with serve([first], bot) as base_a, serve([second], bot) as base_b:
                async with aiohttp.ClientSession() as session:
                    a = Ctx(base_a, session, first, bot, line)
                    b = Ctx(base_b, session, second, bot, line)
                    event = text_event("U1", "ครั้งเดียว")
                    assert await a.post([event]) == 200
                    await a.settle()
                    again = dict(event, deliveryContext={"isRedelivery": True})
                    assert await b.post([again]) == 200
                    await b.settle()
                    assert await b.post([text_event("U1", "ใหม่")]) == 200
                    await b.settle()
            assert [m.text for m in bot.received] == ["ครั้งเดียว", "ใหม่"]
            assert len(line.calls) == 2
            stored = await first.deduplicator.redis.keys(prefix + "*")
            assert len(stored) == 2
            key = prefix + dedup_key(event, event["webhookEventId"])  # per user
            ttl = await first.deduplicator.redis.ttl(key)
            assert 0 < ttl <= 24 * 3600
            await first.deduplicator.redis.delete(*stored)
        finally:
            await line.stop()

    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"Redis at {REDIS_URL} is needed for this test: {error}")
    asyncio.run(main())


def test_redis_down_falls_back_to_this_instance(
    serve: Callable[..., Any], closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Without Redis the event is still answered, once, and the log says
    what to check."""

    async def main() -> None:
        line, bot = FakeLineApi(), FakeBot()
        await line.start()
        dedup = RedisEventDeduplicator(
            f"redis://127.0.0.1:{closed_port}/0", timeout_s=0.5
        )
        channel = shared_channel(line, dedup)
        try:
            async with serve([channel], bot) as base:
                async with aiohttp.ClientSession() as session:
                    ctx = Ctx(base, session, channel, bot, line)
                    event = text_event("U1", "ไม่มี Redis")
                    assert await ctx.post([event]) == 200
                    await ctx.settle()
                    assert await ctx.post([event]) == 200
                    await ctx.settle()
            assert [m.text for m in bot.received] == ["ไม่มี Redis"]
            assert len(line.calls) == 1
        finally:
            await line.stop()

    with caplog.at_level(logging.WARNING, logger="bot.channels.line"):
        asyncio.run(main())
    assert "LOCK_STORE_URL" in caplog.text


def test_deduplicator_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LINE_DEDUP_REDIS_URL", "LOCK_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(deduplicator_from_env(), EventDeduplicator)
    monkeypatch.setenv("LOCK_STORE_URL", REDIS_URL)
    assert isinstance(deduplicator_from_env(), RedisEventDeduplicator)
    monkeypatch.setenv("LOCK_STORE_URL", "")
    monkeypatch.setenv("LINE_DEDUP_REDIS_URL", REDIS_URL)
    assert isinstance(deduplicator_from_env(), RedisEventDeduplicator)
