"""Webhook event de-duplication: each ``webhookEventId`` is handled once.

In memory per process (`EventDeduplicator`), or shared through Redis between
Rasa instances (`RedisEventDeduplicator`); `deduplicator_from_env` picks one.
Both follow one async interface, `Deduplicator`.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict
from typing import Callable, Protocol

logger = logging.getLogger(__name__)


class Deduplicator(Protocol):
    """What the channel needs: remember an event id, say if it is new."""

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen (within the TTL); records it."""


class EventDeduplicator:
    """Remembers webhook event ids: bounded in-memory LRU with TTL.

    Per process only. With several Rasa instances (scale-out) a redelivered
    event can reach another instance: `RedisEventDeduplicator` shares the
    memory between them.
    """

    def __init__(
        self,
        max_entries: int = 10_000,
        ttl_seconds: float = 24 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Creates an empty cache."""
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen (within TTL); records it."""
        return self.remember(key)

    def remember(self, key: str) -> bool:
        """`first_time` without the event loop (the Redis fallback uses it)."""
        now = self.clock()
        while self._seen:
            oldest_key, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self.ttl_seconds:
                break
            del self._seen[oldest_key]
        if key in self._seen:
            self._seen[key] = now
            self._seen.move_to_end(key)
            return False
        self._seen[key] = now
        if len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        return True


class RedisEventDeduplicator:
    """Event ids remembered in Redis (``SET <prefix><id> 1 NX EX <ttl>``), so
    that every Rasa instance behind the router skips a redelivered event.

    When Redis does not answer within ``timeout_s`` the event is checked
    against this process's `EventDeduplicator` instead: a rare duplicate
    answer is better than a citizen who gets none.
    """

    def __init__(
        self,
        url: str,
        ttl_seconds: int = 24 * 3600,
        key_prefix: str = "line:event:",
        timeout_s: float = 2.0,
    ) -> None:
        """Connects lazily to the Redis at `url` (redis:// or rediss://)."""
        import redis.asyncio

        self.ttl_seconds = ttl_seconds
        self.key_prefix = key_prefix
        self.fallback = EventDeduplicator(ttl_seconds=ttl_seconds)
        self.redis = redis.asyncio.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )

    async def first_time(self, key: str) -> bool:
        """True the first time any instance sees `key` (within TTL)."""
        try:
            stored = await self.redis.set(
                self.key_prefix + key, b"1", nx=True, ex=self.ttl_seconds
            )
        except Exception as error:  # noqa: BLE001 - any Redis failure falls back
            logger.warning(
                "LINE: Redis did not answer for event de-duplication (%s); this "
                "instance remembers event ids on its own until it does. Check "
                "LINE_DEDUP_REDIS_URL / LOCK_STORE_URL and the Redis server.",
                type(error).__name__,
            )
            return self.fallback.remember(key)
        # also remembered here, so a Redis outage right after still skips it
        self.fallback.remember(key)
        return bool(stored)


def deduplicator_from_env() -> Deduplicator:
    """Redis at ``LINE_DEDUP_REDIS_URL``, else at ``LOCK_STORE_URL`` when that
    is Redis (the scale-out set-up), else this process's memory."""
    from bot.rasa_ext.lock_store import lock_store_url

    url = os.environ.get("LINE_DEDUP_REDIS_URL", "").strip()
    lock_url = lock_store_url() or ""
    if not url and lock_url.startswith(("redis://", "rediss://")):
        url = lock_url
    if url:
        return RedisEventDeduplicator(url)
    return EventDeduplicator()
