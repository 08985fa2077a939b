"""LINE and privacy (bot/privacy/line.py) against the fake LINE API of
tests/channels/test_line.py: the follow welcome carries the notice (and the
first answer then does not repeat it); an ``unfollow`` erases the user's
conversation and their de-duplication keys, in memory and in Redis, and
nobody else's."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import time
import uuid
from typing import Any, List

import aiohttp
import pytest
from aiohttp import web

from bot.channels.line import LineInput
from bot.channels.line.dedup import RedisEventDeduplicator
from bot.privacy.line import user_ref
from bot.privacy.records import requests_log
from bot.privacy.reference import reference_code
from tests.support.privacy import FakeRasa, Stores, serve_with_agent

REDIS_URL = "redis://127.0.0.1:6379/0"

SECRET = "privacy-line-secret"
TOKEN = "privacy-line-token"


def sign(body: bytes) -> str:
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def other_event(user: str, event_type: str, **extra: Any) -> dict:
    """A webhook event of `event_type` from `user` (follow, unfollow, ...)."""
    return {
        "type": event_type,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        **extra,
    }


def text_event(user: str, text: str) -> dict:
    message = {"id": uuid.uuid4().hex[:12], "type": "text", "text": text}
    return other_event(user, "message", message=message)


class FakeLineApi:
    """api.line.me on loopback: records every call, answers 200."""

    def __init__(self) -> None:
        self.calls: List[dict] = []
        self.url = ""
        self.runner: Any = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._any)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self.runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def stop(self) -> None:
        await self.runner.cleanup()

    async def _any(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        self.calls.append({"path": request.path, "json": body})
        return web.json_response({})


async def run(stores: Stores, deduplicator: Any, scenario) -> FakeLineApi:
    line = FakeLineApi()
    await line.start()
    channel = LineInput(
        SECRET,
        TOKEN,
        api_base_url=line.url,
        retry_backoff=0.0,
        deduplicator=deduplicator,
    )
    try:
        async with serve_with_agent([channel], FakeRasa(stores)) as base:
            async with aiohttp.ClientSession() as session:

                async def post(*events: dict) -> None:
                    body = json.dumps({"destination": "U0", "events": list(events)})
                    async with session.post(
                        f"{base}/webhooks/line/webhook",
                        data=body.encode(),
                        headers={"X-Line-Signature": sign(body.encode())},
                    ) as resp:
                        assert resp.status == 200
                    await asyncio.wait_for(channel.drain(), timeout=20)

                await scenario(post, channel)
    finally:
        await line.stop()
    return line


def replies(line: FakeLineApi) -> List[List[str]]:
    return [
        [m.get("text", "") for m in call["json"]["messages"]]
        for call in line.calls
        if call["path"].endswith("/reply")
    ]


def test_the_welcome_carries_the_notice_once(stores: Stores) -> None:
    user = f"U{uuid.uuid4().hex}"

    async def scenario(post, _channel) -> None:
        await post(other_event(user, "follow"))
        await post(text_event(user, "สำเนาบัตร"))

    line = asyncio.run(run(stores, None, scenario))
    welcome, answer = replies(line)
    assert reference_code(user) in welcome[-1] and "ลบข้อมูลของฉัน" in welcome[-1]
    assert answer == ["คำตอบเรื่อง สำเนาบัตร ค่ะ"]


def _tracker_senders(stores: Stores) -> set:
    with stores.engine.connect() as connection:
        return set(
            connection.exec_driver_sql(
                "SELECT DISTINCT sender_id FROM events"
            ).scalars()
        )


def test_unfollow_erases_the_user_and_their_dedup_keys(stores: Stores) -> None:
    leaving, staying = f"U{uuid.uuid4().hex}", f"U{uuid.uuid4().hex}"
    seen: dict = {}

    async def scenario(post, channel) -> None:
        await post(text_event(leaving, "เรื่องส่วนตัวของฉัน"), text_event(staying, "ถาม"))
        seen["before"] = list(channel.deduplicator._seen)
        await post(other_event(leaving, "unfollow"))
        seen["after"] = list(channel.deduplicator._seen)

    asyncio.run(run(stores, None, scenario))
    assert _tracker_senders(stores) == {staying}
    assert any(k.startswith(user_ref(leaving)) for k in seen["before"])
    assert not any(k.startswith(user_ref(leaving)) for k in seen["after"])
    assert any(k.startswith(user_ref(staying)) for k in seen["after"])
    assert not any(leaving in k for k in seen["before"])  # keys hold no user id
    (audit,) = requests_log(stores.service_url)
    assert (audit["action"], audit["reference"]) == (
        "line_unfollow",
        reference_code(leaving),
    )


def test_unfollow_deletes_the_users_keys_in_redis(stores: Stores) -> None:
    redis = pytest.importorskip("redis")
    prefix = f"test-privacy-{uuid.uuid4().hex[:8]}:"
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis at {REDIS_URL} is needed")
    leaving, staying = f"U{uuid.uuid4().hex}", f"U{uuid.uuid4().hex}"

    async def scenario(post, _channel) -> None:
        await post(text_event(leaving, "ถาม"), text_event(staying, "ถาม"))
        assert client.keys(f"{prefix}{user_ref(leaving)}:*")
        await post(other_event(leaving, "unfollow"))

    try:
        asyncio.run(
            run(stores, RedisEventDeduplicator(REDIS_URL, key_prefix=prefix), scenario)
        )
        assert client.keys(f"{prefix}{user_ref(leaving)}:*") == []
        assert client.keys(f"{prefix}{user_ref(staying)}:*")
        assert not [k for k in client.keys(f"{prefix}*") if leaving.encode() in k]
    finally:
        for key in client.keys(f"{prefix}*"):
            client.delete(key)
        client.close()
