"""Limits every channel applies before a message reaches Rasa (issue 17).

Two checks, both in `admit`, which `bot.channels.turns.run_turn` calls once
per turn (so REST, socket.io and LINE share them):

* **Per conversation**: at most ``RATE_LIMIT_PER_MINUTE`` (default 20)
  messages per conversation in a fixed 60-second window. The counter lives in
  Redis (``INCR`` + ``EXPIRE`` on ``[<LOCK_STORE_KEY_PREFIX>:]ratelimit:<hash>:
  <window>``) when
  ``RATE_LIMIT_REDIS_URL`` or ``LOCK_STORE_URL`` is Redis, so the limit holds
  across Rasa instances; otherwise in this process's memory. A fixed window
  lets a conversation send up to twice the limit across a window boundary;
  that is accepted for one counter per conversation and one Redis call per
  message.
* **Overload**: at most ``MAX_INFLIGHT_TURNS`` (default 100) turns running at
  once in this Rasa process; beyond that a turn is refused at once instead of
  queueing until clients time out. One conversation may have at most
  ``MAX_INFLIGHT_PER_CONVERSATION`` (default 5) of them (running or waiting
  for its lock); more are refused like messages over the rate, so a client
  that sends without waiting for answers cannot fill the process.

A refused message never reaches Rasa, so nothing is added to (or removed
from) its tracker. What the citizen sees is the channel's choice
(`Refusal.notice_due`): REST answers every refused message with 429 / 503,
``Retry-After`` and the notice; socket.io and LINE send the rate-limit notice
once per window (then stay quiet until the window passes) and the overload
notice every time.

**Fail-open**: every Redis call has a timeout (``RATE_LIMIT_REDIS_TIMEOUT_S``,
0.5 s). When Redis fails or is slow, the counter of this process counts
instead (the limit then holds per instance), with a warning at most once a
minute; a message is never refused because Redis is down.

Each limit is logged once per window (rate: per conversation, with the
conversation's reference code `bot.privacy.reference.log_ref`, a keyed hash
like every id in the logs, never the id or the text; the Redis key holds
a hash of it, `counter_key`;
overload: per process, with the number refused), counted for Prometheus
(`bot.metrics`) and in the daily counts ``python -m bot.admin report`` shows
(`bot.limit_counts`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from bot import limit_counts, metrics
from bot.privacy.reference import log_ref
from bot.replies import phrases
from bot.settings import (
    limits_key_prefix,
    limits_redis_url,
    max_inflight_per_conversation,
    max_inflight_turns,
    rate_limit_per_minute,
    redis_timeout_s,
)

logger = logging.getLogger(__name__)

WINDOW_S = 60
OVERLOAD_RETRY_AFTER_S = 5
RATE = "rate"
OVERLOAD = "overload"


@dataclass(frozen=True)
class Refusal:
    """Why a turn was refused, and what the channel may tell the citizen."""

    kind: str  # RATE or OVERLOAD
    status: int  # the HTTP status REST answers with (429 or 503)
    retry_after_s: int  # for the Retry-After header
    text: str  # the polite Thai notice (bot/replies/phrases.py)
    notice_due: bool  # False: socket.io / LINE stay quiet (notice already sent)

    def http_response(self) -> Any:
        """REST's answer: 429 / 503 with ``Retry-After`` and the notice."""
        from sanic import response

        return response.json(
            {
                "error": "rate_limited" if self.kind == RATE else "overloaded",
                "message": self.text,
                "retry_after_s": self.retry_after_s,
            },
            status=self.status,
            headers={"Retry-After": str(self.retry_after_s)},
        )


def counter_key(channel: str, conversation: str) -> str:
    """The counter's key: a hash of the channel and the conversation id (the
    id is already a pseudonym when it carries personal data; Rasa's own lock
    keys hold it in clear)."""
    raw = f"{channel}\x1f{conversation}".encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:32]


class Notices:
    """Which conversations got the notice in the current window (this
    process): the web chat and LINE get one per window, whichever limit
    refused them."""

    def __init__(self, window_s: int = WINDOW_S, max_keys: int = 100_000) -> None:
        """Nobody noticed yet."""
        self.window_s = window_s
        self.max_keys = max_keys
        self._noticed: Dict[str, int] = {}

    def due(self, key: str) -> bool:
        """True the first time `key` asks in this window; records it."""
        window = int(time.time() // self.window_s)
        if self._noticed.get(key) == window:
            return False
        self._noticed[key] = window
        if len(self._noticed) > self.max_keys:
            self._noticed = {k: w for k, w in self._noticed.items() if w == window}
        return True


NOTICES = Notices()


class MemoryCounter:
    """Fixed-window message counters in this process's memory."""

    def __init__(
        self,
        window_s: int = WINDOW_S,
        clock: Callable[[], float] = time.time,
        max_keys: int = 100_000,
    ) -> None:
        """Empty counters; `clock` is wall time (windows line up with Redis)."""
        self.window_s = window_s
        self.clock = clock
        self.max_keys = max_keys
        self._counts: Dict[str, Tuple[int, int]] = {}

    def hit(self, key: str) -> Tuple[int, float]:
        """Counts one message for `key`: (messages in this window, seconds left)."""
        now = self.clock()
        window = int(now // self.window_s)
        seen_window, count = self._counts.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._counts[key] = (window, count)
        if len(self._counts) > self.max_keys:
            self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
        return count, (window + 1) * self.window_s - now


class RedisCounter:
    """Fixed-window counters in Redis, shared by every Rasa instance.

    Falls back to a `MemoryCounter` (fail-open) when Redis fails or takes
    longer than `timeout_s`.
    """

    def __init__(
        self,
        url: str,
        window_s: int = WINDOW_S,
        timeout_s: float = 0.5,
        key_prefix: str = "ratelimit:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Connects lazily to the Redis at `url` (in the running event loop)."""
        self.url = url
        self.window_s = window_s
        self.timeout_s = timeout_s
        self.key_prefix = key_prefix
        self.clock = clock
        self.fallback = MemoryCounter(window_s, clock)
        self._redis: Any = None
        self._warned_at = float("-inf")

    def _client(self) -> Any:
        if self._redis is None:
            import redis.asyncio

            self._redis = redis.asyncio.Redis.from_url(
                self.url,
                socket_timeout=self.timeout_s,
                socket_connect_timeout=self.timeout_s,
            )
        return self._redis

    async def _incr(self, key: str, window: int) -> int:
        pipe = self._client().pipeline(transaction=True)
        pipe.incr(f"{self.key_prefix}{key}:{window}")
        pipe.expire(f"{self.key_prefix}{key}:{window}", self.window_s * 2)
        count, _ = await pipe.execute()
        return int(count)

    async def hit(self, key: str) -> Tuple[int, float]:
        """Counts one message for `key`: (messages in this window, seconds left)."""
        now = self.clock()
        window = int(now // self.window_s)
        try:
            count = await asyncio.wait_for(self._incr(key, window), self.timeout_s)
        except Exception as error:  # noqa: BLE001 - fail open on any Redis failure
            if time.monotonic() - self._warned_at > WINDOW_S:
                self._warned_at = time.monotonic()
                logger.warning(
                    "Rate limit: Redis did not answer (%s); this instance counts "
                    "messages on its own until it does (the limit then holds per "
                    "instance). Check RATE_LIMIT_REDIS_URL / LOCK_STORE_URL.",
                    type(error).__name__,
                )
            return self.fallback.hit(key)
        return count, (window + 1) * self.window_s - now

    async def close(self) -> None:
        """Closes the Redis connection pool."""
        if self._redis is not None:
            await self._redis.close()
            self._redis = None


class RateLimiter:
    """Per-conversation limit: at most `limit` messages per window."""

    def __init__(self, counter: Any, limit: Optional[int] = None) -> None:
        """`counter` is a `MemoryCounter` or `RedisCounter`; `limit` None reads
        ``RATE_LIMIT_PER_MINUTE`` on every message."""
        self.counter = counter
        self.limit = limit

    async def check(self, channel: str, conversation: str) -> Optional[Refusal]:
        """Counts a message; a `Refusal` when it is over the limit."""
        limit = self.limit or rate_limit_per_minute()
        key = counter_key(channel, conversation)
        counted = self.counter.hit(key)
        if asyncio.iscoroutine(counted):
            counted = await counted
        count, left = counted
        if count <= limit:
            return None
        first = count == limit + 1
        notice_due = NOTICES.due(key) if first else False
        metrics.limit_refused(RATE, channel)
        limit_counts.add(RATE, channel, fired=first)
        if first:
            logger.warning(
                "Rate limit: conversation %s on %s sent more than %d messages in "
                "a minute; refused until the window ends in %d s (logged once "
                "per window).",
                log_ref(conversation),
                channel,
                limit,
                math.ceil(left),
            )
        retry_after = max(1, math.ceil(left))
        return Refusal(RATE, 429, retry_after, phrases.RATE_LIMITED, notice_due)


class Inflight:
    """Turns running in this process, against ``MAX_INFLIGHT_TURNS``."""

    def __init__(
        self, limit: Optional[int] = None, per_conversation: Optional[int] = None
    ) -> None:
        """`limit` / `per_conversation` None read ``MAX_INFLIGHT_TURNS`` /
        ``MAX_INFLIGHT_PER_CONVERSATION`` on every check."""
        self.limit = limit
        self.per_conversation = per_conversation
        self.running = 0
        self.by_conversation: Dict[str, int] = {}
        self._refused_since_log = 0
        self._logged_at = float("-inf")

    def check_conversation(self, channel: str, conversation: str) -> Optional[Refusal]:
        """A `Refusal` (like one over the rate: the notice once per window)
        when one conversation already has its maximum of turns running or
        waiting for its lock: a client sending without waiting for answers
        cannot fill the process's in-flight turns."""
        limit = self.per_conversation or max_inflight_per_conversation()
        key = counter_key(channel, conversation)
        if self.by_conversation.get(key, 0) < limit:
            return None
        metrics.limit_refused(RATE, channel)
        limit_counts.add(RATE, channel, fired=False)
        notice_due = NOTICES.due(key)
        if notice_due:
            logger.warning(
                "Rate limit: conversation %s on %s has %d turns in flight "
                "(MAX_INFLIGHT_PER_CONVERSATION); further messages refused "
                "(logged once per window).",
                log_ref(conversation),
                channel,
                limit,
            )
        return Refusal(RATE, 429, 1, phrases.RATE_LIMITED, notice_due)

    def check(self, channel: str) -> Optional[Refusal]:
        """A `Refusal` when this process already runs its maximum of turns."""
        limit = self.limit or max_inflight_turns()
        if self.running < limit:
            return None
        self._refused_since_log += 1
        metrics.limit_refused(OVERLOAD, channel)
        now = time.monotonic()
        fired = now - self._logged_at >= WINDOW_S
        limit_counts.add(OVERLOAD, channel, fired=fired)
        if fired:
            logger.warning(
                "Overload: %d turns in flight (MAX_INFLIGHT_TURNS=%d); %d "
                "message(s) refused with 'busy, try again' since the last such "
                "line (logged at most once a minute).",
                self.running,
                limit,
                self._refused_since_log,
            )
            self._logged_at, self._refused_since_log = now, 0
        return Refusal(OVERLOAD, 503, OVERLOAD_RETRY_AFTER_S, phrases.OVERLOADED, True)

    @contextmanager
    def turn(self, channel: str = "", conversation: str = "") -> Iterator[None]:
        """Counts one running turn (of that conversation) while the block runs."""
        key = counter_key(channel, conversation)
        self.running += 1
        self.by_conversation[key] = self.by_conversation.get(key, 0) + 1
        metrics.INFLIGHT.set(self.running)
        try:
            yield
        finally:
            self.running -= 1
            left = self.by_conversation.pop(key, 1) - 1
            if left > 0:
                self.by_conversation[key] = left
            metrics.INFLIGHT.set(self.running)


def limiter_from_env() -> RateLimiter:
    """A `RateLimiter` on Redis when one is configured, else in memory."""
    url = limits_redis_url()
    if url:
        counter = RedisCounter(
            url, timeout_s=redis_timeout_s(), key_prefix=limits_key_prefix()
        )
        return RateLimiter(counter)
    return RateLimiter(MemoryCounter())


_limiter: Optional[RateLimiter] = None
INFLIGHT = Inflight()


def limiter() -> RateLimiter:
    """This process's rate limiter (created on first use)."""
    global _limiter
    if _limiter is None:
        _limiter = limiter_from_env()
    return _limiter


def reset(rate_limiter: Optional[RateLimiter] = None) -> None:
    """Replaces the process's limiter (tests; None: from the environment next time)."""
    global _limiter
    _limiter = rate_limiter
    INFLIGHT.running, INFLIGHT._refused_since_log = 0, 0
    INFLIGHT.by_conversation.clear()
    NOTICES._noticed.clear()
    INFLIGHT._logged_at = float("-inf")
    limit_counts.clear()


async def admit(channel: str, conversation: str) -> Optional[Refusal]:
    """The one check before Rasa: None to run the turn, else why not.

    Overload first (it costs nothing and protects the process), then the
    conversation's turns in flight, then its rate. Call
    `INFLIGHT.turn(channel, conversation)` around the turn right after (no
    ``await`` in between, so the in-flight counts stay exact).
    """
    refusal = INFLIGHT.check(channel) or INFLIGHT.check_conversation(
        channel, conversation
    )
    if refusal is None:
        refusal = await limiter().check(channel, conversation)
    if refusal is None:
        refusal = INFLIGHT.check(channel)  # others may have started meanwhile
    return refusal
