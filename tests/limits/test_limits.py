"""Per-conversation rate limit and overload (bot/channels/limits.py) through
the shared turn runner and the REST / socket.io / LINE channels."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import uuid
from typing import Any, Callable, Dict, List

import aiohttp
import pytest
import socketio
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot import settings
from bot.channels import limits
from bot.channels.rest import SafeRestInput, SafeSocketIOInput
from bot.channels.turns import count_visible, run_turn
from bot.privacy.reference import log_ref
from bot.replies import phrases

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self, now: float = 1_000_020.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class EchoBot:
    """Fake Rasa: echoes, optionally after `delay` seconds."""

    def __init__(self, delay: float = 0.0) -> None:
        self.received: List[UserMessage] = []
        self.delay = delay

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        await message.output_channel.send_text_message(
            message.sender_id, f"echo: {message.text}"
        )


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_defaults_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "RATE_LIMIT_PER_MINUTE",
        "MAX_INFLIGHT_TURNS",
        "MAX_INFLIGHT_PER_CONVERSATION",
        "LOCK_STORE_URL",
        "LOCK_STORE_KEY_PREFIX",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("RATE_LIMIT_REDIS_URL", raising=False)
    assert settings.rate_limit_per_minute() == 20
    assert settings.max_inflight_turns() == 100
    assert settings.max_inflight_per_conversation() == 5
    assert settings.limits_redis_url() is None
    assert isinstance(limits.limiter_from_env().counter, limits.MemoryCounter)
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "nonsense")
    assert settings.rate_limit_per_minute() == 20
    monkeypatch.setenv("LOCK_STORE_URL", REDIS_URL)
    assert settings.limits_redis_url() == REDIS_URL
    assert isinstance(limits.limiter_from_env().counter, limits.RedisCounter)
    assert limits.limiter_from_env().counter.key_prefix == "ratelimit:"
    monkeypatch.setenv("LOCK_STORE_KEY_PREFIX", "bot2")
    assert limits.limiter_from_env().counter.key_prefix == "bot2:ratelimit:"


def test_fixed_window_notice_once_then_quiet_until_the_window_passes() -> None:
    clock = Clock()
    limiter = limits.RateLimiter(limits.MemoryCounter(clock=clock), limit=3)

    async def check(conversation: str = "c1") -> Any:
        return await limiter.check("socketio", conversation)

    async def scenario() -> None:
        assert [await check() for _ in range(3)] == [None, None, None]
        first, second = await check(), await check()
        assert first.kind == limits.RATE and first.status == 429
        assert first.notice_due and not second.notice_due
        assert first.text == phrases.RATE_LIMITED
        assert 1 <= first.retry_after_s <= 60
        assert await check("c2") is None  # another conversation is not affected
        clock.now += 60
        assert await check() is None

    asyncio.run(scenario())


@pytest.mark.skipif(not redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_instances_share_the_counter_in_redis() -> None:
    prefix = f"test-ratelimit-{uuid.uuid4().hex}:"

    async def scenario() -> List[Any]:
        one = limits.RateLimiter(limits.RedisCounter(REDIS_URL, key_prefix=prefix), 4)
        two = limits.RateLimiter(limits.RedisCounter(REDIS_URL, key_prefix=prefix), 4)
        results = []
        for i in range(6):
            results.append(await (one if i % 2 else two).check("rest", "shared"))
        assert await one.check("rest", "other") is None
        await one.counter.close()
        await two.counter.close()
        return results

    results = asyncio.run(scenario())
    assert results[:4] == [None] * 4
    assert results[4].notice_due and not results[5].notice_due


def test_redis_down_fails_open_to_the_instance_counter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    counter = limits.RedisCounter(f"redis://127.0.0.1:{port}/0", timeout_s=0.2)
    limiter = limits.RateLimiter(counter, limit=2)

    async def scenario() -> List[Any]:
        return [await limiter.check("line", "U1") for _ in range(4)]

    with caplog.at_level(logging.WARNING, logger="bot.channels.limits"):
        results = asyncio.run(scenario())
    assert results[:2] == [None, None]
    assert results[2].notice_due and not results[3].notice_due
    warnings = [r for r in caplog.records if "Redis did not answer" in r.message]
    assert len(warnings) == 1


def test_the_log_line_holds_a_hash_never_the_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = limits.RateLimiter(limits.MemoryCounter(), limit=1)

    async def scenario() -> None:
        for _ in range(5):
            await limiter.check("rest", "0812345678")

    with caplog.at_level(logging.WARNING, logger="bot.channels.limits"):
        asyncio.run(scenario())
    lines = [r.getMessage() for r in caplog.records if "Rate limit" in r.getMessage()]
    assert len(lines) == 1  # once per window
    assert "0812345678" not in lines[0] and log_ref("0812345678") in lines[0]


def test_refused_turn_never_reaches_rasa_and_the_notice_comes_once() -> None:
    limits.reset(limits.RateLimiter(limits.MemoryCounter(), limit=2))
    bot = EchoBot()

    async def turn(text: str) -> List[str]:
        out = CollectingOutputChannel()
        message = UserMessage(text, out, "web-1", input_channel="socketio")
        assert await run_turn(bot, message, lambda: count_visible(out.messages)) in (
            False,
        )
        return [m["text"] for m in out.messages]

    async def scenario() -> List[List[str]]:
        return [await turn(f"m{i}") for i in range(5)]

    answers = asyncio.run(scenario())
    assert answers[:2] == [["echo: m0"], ["echo: m1"]]
    assert answers[2] == [phrases.RATE_LIMITED]
    assert answers[3:] == [[], []]
    assert [m.text for m in bot.received] == ["m0", "m1"]


def test_rest_answers_429_with_retry_after_and_the_notice(serve: Callable) -> None:
    limits.reset(limits.RateLimiter(limits.MemoryCounter(), limit=2))
    bot = EchoBot()

    async def scenario() -> List[Any]:
        out = []
        async with serve([SafeRestInput()], bot) as base:
            url = f"{base}/webhooks/rest/webhook"
            async with aiohttp.ClientSession() as s:
                for i in range(4):
                    body = {"sender": "flood", "message": f"m{i}"}
                    async with s.post(url, json=body) as r:
                        out.append(
                            (r.status, r.headers.get("Retry-After"), await r.json())
                        )
                async with s.post(url, json={"sender": "calm", "message": "hi"}) as r:
                    out.append((r.status, None, await r.json()))
                body = {"sender": "flood", "message": "streamed"}
                async with s.post(url + "?stream=true", json=body) as r:
                    streamed.append((r.status, await r.text()))
        return out

    streamed: List[Any] = []
    answers = asyncio.run(scenario())
    assert [a[0] for a in answers] == [200, 200, 429, 429, 200]
    # streaming: the status is sent before the turn; the notice is the one line
    [(status, text)] = streamed
    assert status == 200
    assert [json.loads(line)["text"] for line in text.splitlines()] == [
        phrases.RATE_LIMITED
    ]
    for _status, retry_after, body in answers[2:4]:
        assert 1 <= int(retry_after) <= 60
        assert body["error"] == "rate_limited"
        assert body["message"] == phrases.RATE_LIMITED
    assert [m.text for m in bot.received] == ["m0", "m1", "hi"]


def test_overload_rest_503_at_once_socketio_polite(serve: Callable) -> None:
    limits.INFLIGHT.limit = 1
    bot = EchoBot(delay=1.5)
    channel = SafeSocketIOInput()

    async def scenario() -> Dict[str, Any]:
        got: Dict[str, Any] = {}
        async with serve([SafeRestInput(), channel], bot) as base:
            assert channel.sio is not None
            channel.sio.eio.ping_interval = 0.2
            channel.sio.eio.ping_timeout = 0.5
            url = f"{base}/webhooks/rest/webhook"
            async with aiohttp.ClientSession() as s:

                async def post(sender: str) -> Any:
                    async with s.post(
                        url, json={"sender": sender, "message": "x"}
                    ) as r:
                        return r.status, r.headers.get("Retry-After"), await r.json()

                slow = asyncio.ensure_future(post("first"))
                await asyncio.sleep(0.3)
                started = asyncio.get_running_loop().time()
                got["busy"] = await post("second")
                got["busy_s"] = asyncio.get_running_loop().time() - started
                client = socketio.AsyncClient(reconnection=False)
                answers: asyncio.Queue = asyncio.Queue()
                client.on("bot_uttered", answers.put)
                await client.connect(
                    base, socketio_path="/socket.io", transports=["polling"]
                )
                await client.emit("user_uttered", {"message": "x"})
                got["socketio"] = (await asyncio.wait_for(answers.get(), 5))["text"]
                await client.disconnect()
                got["first"] = await slow
        return got

    try:
        got = asyncio.run(scenario())
    finally:
        limits.INFLIGHT.limit = None
    status, retry_after, body = got["busy"]
    assert status == 503 and int(retry_after) > 0
    assert body == {
        "error": "overloaded",
        "message": phrases.OVERLOADED,
        "retry_after_s": int(retry_after),
    }
    assert got["busy_s"] < 1.0  # answered at once, not after the slow turn
    assert got["socketio"] == phrases.OVERLOADED
    assert got["first"][0] == 200
    assert [m.sender_id for m in bot.received] == ["first"]


def test_one_conversation_cannot_fill_the_turns_in_flight() -> None:
    """A client that sends without waiting: its sixth concurrent turn is
    refused (the notice once), another conversation still gets in."""
    bot = EchoBot(delay=0.5)

    async def turn(sender: str, text: str) -> List[str]:
        out = CollectingOutputChannel()
        message = UserMessage(text, out, sender, input_channel="socketio")
        await run_turn(bot, message, lambda: count_visible(out.messages))
        return [m["text"] for m in out.messages]

    async def scenario() -> List[List[str]]:
        flood = [turn("pusher", f"m{i}") for i in range(8)]
        return await asyncio.gather(*flood, turn("calm", "hi"))

    answers = asyncio.run(scenario())
    assert sum(1 for a in answers[:8] if a and a[0].startswith("echo")) == 5
    assert sum(1 for a in answers[:8] if a == [phrases.RATE_LIMITED]) == 1
    assert sum(1 for a in answers[:8] if a == []) == 2  # the notice came once
    assert answers[8] == ["echo: hi"]
    assert limits.INFLIGHT.running == 0 and limits.INFLIGHT.by_conversation == {}


def test_limit_counts_reach_the_report(loaded: str) -> None:
    from bot import limit_counts

    limits.reset(limits.RateLimiter(limits.MemoryCounter(), limit=1))

    async def scenario() -> None:
        for _ in range(4):
            await limits.limiter().check("line", "U-report")

    asyncio.run(scenario())
    assert limit_counts.flush(loaded) >= 2
    assert limit_counts.totals(loaded)[("rate", "line")] == {"fired": 1, "refused": 3}
    lines = "\n".join(limit_counts.report_lines(loaded, 7))
    assert "rate" in lines and "line" in lines
    assert "U-report" not in lines


def test_admin_report_shows_how_often_each_limit_fired(
    loaded: str, capsys: pytest.CaptureFixture
) -> None:
    from bot import limit_counts
    from bot.admin.cli import main

    limits.reset(limits.RateLimiter(limits.MemoryCounter(), limit=1))
    limits.INFLIGHT.limit = 1
    try:
        with limits.INFLIGHT.turn():
            assert limits.INFLIGHT.check("socketio").kind == limits.OVERLOAD
    finally:
        limits.INFLIGHT.limit = None

    async def scenario() -> None:
        for conversation in ("a", "a", "a", "b", "b"):
            await limits.limiter().check("rest", conversation)

    asyncio.run(scenario())
    limit_counts.flush(loaded)
    assert main(["--url", loaded, "report"]) == 0
    out = capsys.readouterr().out
    assert "limits fired" in out
    rows = {tuple(line.split()[:4]) for line in out.splitlines() if line.strip()}
    assert ("rate", "rest", "2", "3") in rows  # 2 conversations, 3 messages refused
    assert ("overload", "socketio", "1", "1") in rows
