"""A stand-in for LINE and for Rasa, for the LINE channel's tests.

`FakeLineApi` is an aiohttp.web server on loopback that records every call
(reply, push, loading, rich menu: path, method, headers, JSON or raw body);
`FakeBot` stands in for Rasa; `run_line` serves a `LineInput` like `rasa run`
does and runs a scenario against it (`Ctx`); `text_event` / `other_event`
build webhook events and `sign` signs a body as LINE does.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional

import aiohttp
from aiohttp import web
from rasa.core.channels.channel import UserMessage

from bot.channels.line import (
    LineInput,
)

SECRET = "line-test-channel-secret"
TOKEN = "line-test-access-token"


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
