"""LINE channel: pure formatting functions, and the webhook end to end.

End-to-end tests run the channel's blueprint in a real Sanic server on
loopback (registered as `rasa run` does), a fake bot as Rasa, and a fake LINE
API (aiohttp.web) that records every call. Requests are real HTTP with bodies
signed like LINE signs them. Waiting is done with `LineInput.drain()` (all
background event tasks finished) or by polling the fake API's records.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional

import aiohttp
import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage
from rasa.shared.exceptions import RasaException

from bot.channels.hygiene import REPLY_EMPTY
from bot.channels.line import (
    REPLY_ERROR,
    REPLY_NOT_TEXT,
    REPLY_WELCOME,
    TOPIC_BUTTONS,
    EventDeduplicator,
    LineInput,
    RedisEventDeduplicator,
    build_line_messages,
    deduplicator_from_env,
    fit_to_limit,
    quick_reply,
    shorten,
    split_text,
    utf16_len,
)
from bot.privacy import PHONE_TOKEN
from bot.privacy.line import dedup_key

SECRET = "line-test-channel-secret"
TOKEN = "line-test-access-token"

# --------------------------------------------------------------------------
# Pure functions
# --------------------------------------------------------------------------


def test_split_text_short_and_long() -> None:
    assert split_text("สวัสดีค่ะ") == ["สวัสดีค่ะ"]
    text = "ก" * 6000
    parts = split_text(text)
    assert [len(p) for p in parts] == [5000, 1000]
    assert "".join(parts) == text


def test_split_text_prefers_breaks_and_keeps_marks() -> None:
    text = ("ข้อมูล " * 1000).strip()  # 6 chars + space, ~7000 chars
    parts = split_text(text)
    assert all(utf16_len(p) <= 5000 for p in parts)
    assert " ".join(parts) == text
    # a hard cut never separates a tone mark / vowel from its letter
    hard = "น้ำ" * 2000
    for part in split_text(hard, limit=1000):
        assert part[0] not in "้ำ"


def test_split_text_counts_emoji_as_two_units() -> None:
    parts = split_text("😀" * 3000)
    assert all(utf16_len(p) <= 5000 for p in parts)
    assert "".join(parts) == "😀" * 3000


def test_shorten() -> None:
    assert shorten("Biz Portal", 20) == "Biz Portal"
    cut = shorten("รางวัลรัฐบาลดิจิทัลระดับจังหวัด", 20)
    assert utf16_len(cut) <= 20 and cut.endswith("…")


def test_quick_reply_rules() -> None:
    buttons = [{"title": f"หัวข้อที่ {i}", "payload": f"คำถามที่ {i}"} for i in range(15)]
    buttons.insert(0, {"title": "ดูรางวัลทั้งหมดของหน่วยงานนี้ค่ะ", "payload": "/award"})
    buttons.insert(1, {"title": "", "payload": ""})  # unusable, skipped
    quick = quick_reply(buttons)
    assert quick is not None
    items = quick["items"]
    assert len(items) == 13
    first = items[0]["action"]
    assert first["type"] == "message"
    assert first["text"] == "ดูรางวัลทั้งหมดของหน่วยงานนี้ค่ะ"  # title, not /award
    for item in items:
        assert 1 <= utf16_len(item["action"]["label"]) <= 20
        assert not item["action"]["text"].startswith("/")
    assert quick_reply([]) is None


def test_quick_reply_url_button() -> None:
    quick = quick_reply([{"title": "เว็บไซต์", "url": "https://bizportal.go.th"}])
    assert quick == {
        "items": [
            {
                "type": "action",
                "action": {
                    "type": "uri",
                    "label": "เว็บไซต์",
                    "uri": "https://bizportal.go.th",
                },
            }
        ]
    }


def test_fit_to_limit_merges_tail() -> None:
    messages = [{"type": "text", "text": f"m{i}"} for i in range(8)]
    fitted = fit_to_limit(messages)
    assert len(fitted) == 5
    assert fitted[:4] == messages[:4]
    assert fitted[4]["text"] == "m4\n\nm5\n\nm6\n\nm7"


def test_fit_to_limit_caps_merged_text() -> None:
    messages = [{"type": "text", "text": "ก" * 5000} for _ in range(7)]
    fitted = fit_to_limit(messages)
    assert len(fitted) == 5
    assert utf16_len(fitted[4]["text"]) <= 5000


def test_build_line_messages() -> None:
    built = build_line_messages(
        [
            {"text": "ย่อหน้าแรก\n\nย่อหน้าสอง"},
            {"image": "https://example.go.th/a.png"},
            {"image": "http://insecure/a.png"},
            {
                "custom": {
                    "line": {"type": "sticker", "packageId": "1", "stickerId": "2"}
                }
            },
            {"custom": {"other": 1}},
            {"text": "เลือกหัวข้อ", "buttons": TOPIC_BUTTONS},
        ]
    )
    assert [m["type"] for m in built] == ["text", "image", "text", "sticker", "text"]
    assert built[0]["text"] == "ย่อหน้าแรก\n\nย่อหน้าสอง"
    assert "quickReply" not in built[0]
    assert len(built[-1]["quickReply"]["items"]) == 3
    assert build_line_messages([]) == []


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


def test_from_credentials() -> None:
    channel = LineInput.from_credentials(
        {"channel_secret": "s", "channel_access_token": "t"}
    )
    assert isinstance(channel, LineInput)
    assert channel.api.api_base_url == "https://api.line.me"
    with pytest.raises(RasaException):
        LineInput.from_credentials(None)
    unconfigured = LineInput.from_credentials(
        {"channel_secret": "", "channel_access_token": "t"}
    )
    assert not unconfigured.enabled
    assert not unconfigured.verify_signature(b"{}", "anything")


def test_verify_signature() -> None:
    channel = LineInput(SECRET, TOKEN)
    body = b'{"events":[]}'
    assert channel.verify_signature(body, sign(body))
    assert not channel.verify_signature(body + b" ", sign(body))
    assert not channel.verify_signature(body, None)
    assert not channel.verify_signature(body, "ไม่ใช่")


# --------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------


def sign(body: bytes, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def text_event(
    user: str,
    text: str,
    event_id: Optional[str] = None,
    redelivery: bool = False,
    mode: str = "active",
    reply_token: Optional[str] = None,
) -> Dict[str, Any]:
    return {
        "type": "message",
        "mode": mode,
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": event_id or uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": redelivery},
        "replyToken": reply_token or uuid.uuid4().hex,
        "message": {"id": uuid.uuid4().hex[:12], "type": "text", "text": text},
    }


def other_event(user: str, event_type: str, **extra: Any) -> Dict[str, Any]:
    event = {
        "type": event_type,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
    }
    event.update(extra)
    return event


class FakeBot:
    """Stands in for Rasa: echoes, or sends buttons / many / long messages."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []
        self.gate: Optional[asyncio.Event] = None

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        out, to = message.output_channel, message.sender_id
        if self.gate is not None:
            await self.gate.wait()
        text = message.text or ""
        if text == "buttons":
            buttons = [
                {"title": f"ตัวเลือกที่ {i}", "payload": f"คำถาม {i}"} for i in range(14)
            ]
            buttons.append({"title": "ชื่อปุ่มที่ยาวมากเกินยี่สิบตัวอักษรแน่นอน", "payload": "/x"})
            await out.send_text_with_buttons(to, "เลือกได้เลยค่ะ", buttons)
        elif text == "many":
            for i in range(7):
                await out.send_text_message(to, f"ข้อความ {i}")
        elif text == "long":
            await out.send_text_message(to, "ก" * 6000)
        elif text == "boom":
            raise RuntimeError("bot crashed")
        else:
            await out.send_text_message(to, f"echo: {text}")


class FakeLineApi:
    """aiohttp.web server standing in for api.line.me; records every call."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.reply_mode = "ok"  # "ok" | "invalid_token" | "error500"
        self.push_failures = 0  # answer 500 to this many pushes first
        self.runner: Optional[web.AppRunner] = None
        self.url = ""
        # answers of the other endpoints (loading, rich menu): (method, path) -> JSON
        self.answers: Dict[Any, Any] = {}

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v2/bot/message/reply", self._reply)
        app.router.add_post("/v2/bot/message/push", self._push)
        app.router.add_route("*", "/{tail:.*}", self._other)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self.runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _record(self, request: web.Request) -> None:
        self.calls.append(
            {
                "path": request.path,
                "headers": dict(request.headers),
                "json": await request.json(),
            }
        )

    async def _other(self, request: web.Request) -> web.Response:
        """Any other endpoint: recorded with its method and raw body."""
        raw = await request.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        self.calls.append(
            {
                "method": request.method,
                "path": request.path,
                "headers": dict(request.headers),
                "json": parsed,
                "body": raw,
            }
        )
        answer = self.answers.get((request.method, request.path), {})
        status = 202 if request.path.endswith("/loading/start") else 200
        return web.json_response(answer, status=status)

    async def _reply(self, request: web.Request) -> web.Response:
        await self._record(request)
        headers = {"x-line-request-id": f"reply-{len(self.calls)}"}
        if self.reply_mode == "invalid_token":
            return web.json_response(
                {"message": "Invalid reply token"}, status=400, headers=headers
            )
        if self.reply_mode == "error500":
            return web.json_response(
                {"message": "An error occurred"}, status=500, headers=headers
            )
        return web.json_response({}, headers=headers)

    async def _push(self, request: web.Request) -> web.Response:
        await self._record(request)
        headers = {"x-line-request-id": f"push-{len(self.calls)}"}
        if self.push_failures > 0:
            self.push_failures -= 1
            return web.json_response({"message": "boom"}, status=500, headers=headers)
        return web.json_response({}, headers=headers)

    def replies(self) -> List[Dict[str, Any]]:
        return [c for c in self.calls if c["path"].endswith("/reply")]

    def pushes(self) -> List[Dict[str, Any]]:
        return [c for c in self.calls if c["path"].endswith("/push")]

    async def wait_for_calls(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} calls, got {self.calls}")
            await asyncio.sleep(0.01)


@dataclass
class Ctx:
    base: str
    session: aiohttp.ClientSession
    channel: LineInput
    bot: FakeBot
    line: FakeLineApi
    extra: Dict[str, Any] = field(default_factory=dict)

    async def post(
        self,
        events: Any = None,
        body: Optional[bytes] = None,
        signature: Optional[str] = "valid",
    ) -> int:
        if body is None:
            body = json.dumps({"destination": "Uxxx", "events": events}).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "valid":
            headers["X-Line-Signature"] = sign(body)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        async with self.session.post(
            f"{self.base}/webhooks/line/webhook", data=body, headers=headers
        ) as resp:
            await resp.read()
            return resp.status

    async def settle(self) -> None:
        """Wait until every background event task has finished."""
        await asyncio.wait_for(self.channel.drain(), timeout=10)


def run_line(
    serve: Callable[..., Any],
    scenario: Callable[[Ctx], Awaitable[None]],
    api_base_url: Optional[str] = None,
) -> None:
    async def main() -> None:
        line = FakeLineApi()
        await line.start()
        channel = LineInput(
            SECRET,
            TOKEN,
            api_base_url=api_base_url or line.url,
            request_timeout=2.0,
            push_attempts=3,
            retry_backoff=0.0,
        )
        bot = FakeBot()
        try:
            async with serve([channel], bot) as base:
                async with aiohttp.ClientSession() as session:
                    await scenario(Ctx(base, session, channel, bot, line))
                await channel.drain()
        finally:
            await line.stop()

    asyncio.run(main())


def reply_texts(call: Dict[str, Any]) -> List[str]:
    return [m.get("text") for m in call["json"]["messages"]]


def test_health(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        async with ctx.session.get(f"{ctx.base}/webhooks/line/") as resp:
            assert resp.status == 200

    run_line(serve, scenario)


def test_good_signature_text_round_trip(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        event = text_event("U1", "/restart โทร 0812345678", reply_token="tok-1")
        assert await ctx.post([event]) == 200
        await ctx.settle()
        assert [m.text for m in ctx.bot.received] == [f"restart โทร {PHONE_TOKEN}"]
        message = ctx.bot.received[0]
        assert message.sender_id == "U1"
        assert message.input_channel == "line"
        assert message.output_channel.name() == "line"
        assert message.metadata["line"]["webhook_event_id"] == event["webhookEventId"]
        [call] = ctx.line.calls
        assert call["path"] == "/v2/bot/message/reply"
        assert call["headers"]["Authorization"] == f"Bearer {TOKEN}"
        assert call["json"]["replyToken"] == "tok-1"
        assert reply_texts(call) == [f"echo: restart โทร {PHONE_TOKEN}"]

    run_line(serve, scenario)


@pytest.mark.parametrize("signature", [None, "", "d3Jvbmc=", "ผิด"])
def test_wrong_or_missing_signature_refused(
    serve: Callable[..., Any], signature: Optional[str]
) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "hi")], signature=signature) == 401
        await ctx.settle()
        assert ctx.bot.received == [] and ctx.line.calls == []

    run_line(serve, scenario)


def test_signature_is_checked_on_raw_body(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        payload = {"events": [text_event("U1", "hi")]}
        signed = json.dumps(payload).encode()
        sent = json.dumps(payload, indent=2).encode()  # same JSON, other bytes
        assert await ctx.post(body=sent, signature=sign(signed)) == 401
        wrong_secret = sign(signed, secret="another-secret")
        assert await ctx.post(body=signed, signature=wrong_secret) == 401
        assert await ctx.post(body=signed, signature=sign(signed)) == 200
        await ctx.settle()
        assert len(ctx.bot.received) == 1

    run_line(serve, scenario)


def test_bad_json_with_valid_signature_is_400(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post(body=b"{not json") == 400
        assert await ctx.post(body=b'{"events": {}}') == 400
        assert await ctx.post(body=b"[]") == 400

    run_line(serve, scenario)


def test_answers_before_bot_finishes(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        ctx.bot.gate = asyncio.Event()
        status = await asyncio.wait_for(ctx.post([text_event("U1", "hi")]), 2)
        assert status == 200
        assert ctx.line.calls == []  # bot still thinking
        ctx.bot.gate.set()
        await ctx.line.wait_for_calls(1)

    run_line(serve, scenario)


def test_batch_from_several_users(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        events = [
            text_event("U1", "หนึ่ง", reply_token="t-u1-a"),
            text_event("U2", "สอง", reply_token="t-u2"),
            text_event("U1", "สาม", reply_token="t-u1-b"),
            text_event("U3", "สี่", reply_token="t-u3"),
        ]
        assert await ctx.post(events) == 200
        await ctx.settle()
        by_token = {c["json"]["replyToken"]: reply_texts(c) for c in ctx.line.replies()}
        assert by_token == {
            "t-u1-a": ["echo: หนึ่ง"],
            "t-u2": ["echo: สอง"],
            "t-u1-b": ["echo: สาม"],
            "t-u3": ["echo: สี่"],
        }
        u1 = [m.text for m in ctx.bot.received if m.sender_id == "U1"]
        assert u1 == ["หนึ่ง", "สาม"]  # one user's events stay in order

    run_line(serve, scenario)


def test_redelivered_event_handled_once(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        event = text_event("U1", "ซ้ำ", event_id="01HEVENTID")
        assert await ctx.post([event]) == 200
        await ctx.settle()
        again = dict(event, deliveryContext={"isRedelivery": True})
        assert await ctx.post([again]) == 200
        assert await ctx.post([again, again]) == 200
        await ctx.settle()
        assert len(ctx.bot.received) == 1
        assert len(ctx.line.calls) == 1

    run_line(serve, scenario)


def test_verify_request_and_standby_get_no_reply(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([]) == 200
        dummy = text_event("Udeadbeef", "verify", reply_token="0" * 32)
        assert await ctx.post([dummy]) == 200
        dummy2 = text_event("Udeadbeef", "verify", reply_token="f" * 32)
        assert await ctx.post([dummy2]) == 200
        assert await ctx.post([text_event("U1", "hi", mode="standby")]) == 200
        assert await ctx.post([other_event("U1", "unfollow")]) == 200
        await ctx.settle()
        assert ctx.bot.received == [] and ctx.line.calls == []

    run_line(serve, scenario)


@pytest.mark.parametrize(
    "message",
    [
        {"type": "sticker", "packageId": "446", "stickerId": "1988"},
        {"type": "image", "contentProvider": {"type": "line"}},
        {"type": "video"},
        {"type": "audio"},
        {"type": "location", "latitude": 13.7, "longitude": 100.5},
        {"type": "file", "fileName": "a.pdf"},
    ],
)
def test_non_text_messages_get_polite_reply(
    serve: Callable[..., Any], message: Dict[str, Any]
) -> None:
    async def scenario(ctx: Ctx) -> None:
        event = other_event("U1", "message", message={"id": "1", **message})
        assert await ctx.post([event]) == 200
        await ctx.settle()
        assert ctx.bot.received == []
        [call] = ctx.line.calls
        [reply] = call["json"]["messages"]
        assert reply["text"] == REPLY_NOT_TEXT
        assert len(reply["quickReply"]["items"]) == 3

    run_line(serve, scenario)


def test_empty_or_slash_only_text_not_sent_to_rasa(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", " / ")]) == 200
        await ctx.settle()
        assert ctx.bot.received == []
        assert reply_texts(ctx.line.calls[0]) == [REPLY_EMPTY]

    run_line(serve, scenario)


def test_follow_event_welcome_with_topics(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([other_event("U9", "follow")]) == 200
        await ctx.settle()
        [call] = ctx.line.calls
        [welcome] = call["json"]["messages"]
        assert welcome["text"] == REPLY_WELCOME
        actions = [item["action"] for item in welcome["quickReply"]["items"]]
        # the one set of topic buttons (bot/replies/phrases.py)
        assert [a["text"] for a in actions] == [
            "รางวัลรัฐบาลดิจิทัลปี 62 คืออะไร",
            "โครงการยกเลิกสำเนาเอกสารราชการคืออะไร",
            "Biz Portal คืออะไร",
        ]
        assert all(a["type"] == "message" and len(a["label"]) <= 20 for a in actions)
        assert ctx.bot.received == []

    run_line(serve, scenario)


def test_more_than_five_messages_merged(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "many")]) == 200
        await ctx.settle()
        [call] = ctx.line.calls
        texts = reply_texts(call)
        assert len(texts) == 5
        assert texts[:4] == [f"ข้อความ {i}" for i in range(4)]
        assert texts[4] == "ข้อความ 4\n\nข้อความ 5\n\nข้อความ 6"

    run_line(serve, scenario)


def test_long_text_split(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "long")]) == 200
        await ctx.settle()
        texts = reply_texts(ctx.line.calls[0])
        assert [len(t) for t in texts] == [5000, 1000]

    run_line(serve, scenario)


def test_buttons_become_quick_replies(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "buttons")]) == 200
        await ctx.settle()
        [message] = ctx.line.calls[0]["json"]["messages"]
        items = message["quickReply"]["items"]
        assert len(items) == 13
        for item in items:
            action = item["action"]
            assert action["type"] == "message"
            assert len(action["label"]) <= 20
            assert not action["text"].startswith("/")

    run_line(serve, scenario)


def test_bot_error_gets_apology(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "boom")]) == 200
        await ctx.settle()
        assert reply_texts(ctx.line.calls[0]) == [REPLY_ERROR]

    run_line(serve, scenario)


def test_long_input_notice_first(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "ข" * 1500)]) == 200
        await ctx.settle()
        texts = reply_texts(ctx.line.calls[0])
        assert texts[0].startswith("ข้อความยาวเกินไป")
        assert texts[1] == "echo: " + "ข" * 1000

    run_line(serve, scenario)


def test_invalid_reply_token_falls_back_to_push(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        ctx.line.reply_mode = "invalid_token"
        ctx.line.push_failures = 2  # two 500s, then accepted
        assert await ctx.post([text_event("U1", "ช้า")]) == 200
        await ctx.settle()
        reply, *pushes = ctx.line.calls
        assert reply["path"] == "/v2/bot/message/reply"
        assert len(pushes) == 3
        keys = {p["headers"]["X-Line-Retry-Key"] for p in pushes}
        assert len(keys) == 1  # the same key on every retry
        uuid.UUID(keys.pop())
        for push in pushes:
            assert push["path"] == "/v2/bot/message/push"
            assert push["json"]["to"] == "U1"
            assert reply_texts(push) == ["echo: ช้า"]
            assert push["headers"]["Authorization"] == f"Bearer {TOKEN}"

    run_line(serve, scenario)


def test_push_gives_up_after_bounded_retries(
    serve: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(ctx: Ctx) -> None:
        ctx.line.reply_mode = "invalid_token"
        ctx.line.push_failures = 99
        assert await ctx.post([text_event("U1", "hi")]) == 200
        await ctx.settle()
        assert len(ctx.line.pushes()) == 3

    with caplog.at_level(logging.ERROR, logger="bot.channels.line"):
        run_line(serve, scenario)
    assert "x-line-request-id=push-4" in caplog.text


def test_reply_server_error_logged_without_push(
    serve: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(ctx: Ctx) -> None:
        ctx.line.reply_mode = "error500"
        assert await ctx.post([text_event("U1", "hi")]) == 200
        await ctx.settle()
        assert len(ctx.line.calls) == 1 and ctx.line.pushes() == []

    with caplog.at_level(logging.ERROR, logger="bot.channels.line"):
        run_line(serve, scenario)
    assert "status=500 x-line-request-id=reply-1" in caplog.text


def test_line_api_down_is_logged_and_server_keeps_working(
    serve: Callable[..., Any], closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "แรก")]) == 200
        await ctx.settle()
        assert await ctx.post([text_event("U2", "สอง")]) == 200
        await ctx.settle()
        assert [m.text for m in ctx.bot.received] == ["แรก", "สอง"]
        async with ctx.session.get(f"{ctx.base}/webhooks/line/") as resp:
            assert resp.status == 200

    with caplog.at_level(logging.ERROR, logger="bot.channels.line"):
        run_line(serve, scenario, api_base_url=f"http://127.0.0.1:{closed_port}")
    assert "LINE API /v2/bot/message/reply failed" in caplog.text
    assert "ClientConnectorError" in caplog.text


def test_output_channel_pushes() -> None:
    async def main() -> None:
        line = FakeLineApi()
        await line.start()
        channel = LineInput(SECRET, TOKEN, api_base_url=line.url, retry_backoff=0)
        try:
            output = channel.get_output_channel()
            assert output is not None and output.name() == "line"
            await output.send_response(
                "U5", {"text": "แจ้งเตือนค่ะ", "buttons": TOPIC_BUTTONS[:1]}
            )
        finally:
            await channel.api.close()
            await line.stop()
        [push] = line.calls
        assert push["json"]["to"] == "U5"
        [message] = push["json"]["messages"]
        assert message["text"] == "แจ้งเตือนค่ะ"
        assert (
            message["quickReply"]["items"][0]["action"]["text"]
            == (TOPIC_BUTTONS[0]["payload"])
        )

    asyncio.run(main())


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
