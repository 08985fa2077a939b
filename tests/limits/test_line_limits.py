"""LINE under the limits (bot/channels/limits.py), with the LINE channel
tests' fake LINE API and fake Rasa (tests/support/line_fake.py): a burst
from one user is acknowledged with 200 every time and answered within the
limit; when the process is overloaded the webhook is still acknowledged at
once and the user gets the polite "busy" reply."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

from bot.channels import limits
from bot.replies import phrases
from tests.support.line_fake import Ctx, reply_texts, run_line, text_event


def test_a_burst_from_one_user_is_acknowledged_and_answered_within_the_limit(
    serve: Callable[..., Any],
) -> None:
    limits.reset(limits.RateLimiter(limits.MemoryCounter(), limit=5))

    async def scenario(ctx: Ctx) -> None:
        statuses = []
        for i in range(12):
            statuses.append(await ctx.post([text_event("U-burst", f"m{i}")]))
        statuses.append(await ctx.post([text_event("U-calm", "hello")]))
        assert statuses == [200] * 13
        await ctx.settle()
        texts = [reply_texts(call) for call in ctx.line.replies()]
        burst = [t for t in texts if t != ["echo: hello"]]
        assert sorted(burst) == sorted(
            [[f"echo: m{i}"] for i in range(5)] + [[phrases.RATE_LIMITED]]
        )
        assert ["echo: hello"] in texts  # another user is not affected
        received = [m.text for m in ctx.bot.received if m.sender_id == "U-burst"]
        assert received == [f"m{i}" for i in range(5)]  # the rest never reached Rasa

    run_line(serve, scenario)


def test_overloaded_line_webhook_is_acknowledged_and_the_user_told(
    serve: Callable[..., Any],
) -> None:
    limits.INFLIGHT.limit = 1

    async def scenario(ctx: Ctx) -> None:
        ctx.bot.gate = asyncio.Event()
        assert await ctx.post([text_event("U-first", "slow")]) == 200
        for _ in range(100):  # the first turn is in flight
            if ctx.bot.received:
                break
            await asyncio.sleep(0.02)
        started = time.monotonic()
        assert await ctx.post([text_event("U-second", "hi")]) == 200
        assert time.monotonic() - started < 1.0  # acknowledged at once
        await ctx.line.wait_for_calls(1)
        [busy] = ctx.line.replies()
        assert reply_texts(busy) == [phrases.OVERLOADED]
        ctx.bot.gate.set()
        await ctx.settle()
        assert [m.sender_id for m in ctx.bot.received] == ["U-first"]

    try:
        run_line(serve, scenario)
    finally:
        limits.INFLIGHT.limit = None
