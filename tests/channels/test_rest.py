"""SafeRestInput and SafeSocketIOInput over real HTTP / socket.io on loopback."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List, Optional

import aiohttp
import pytest
import socketio
from rasa.core.channels.channel import UserMessage

from bot.channels.hygiene import REPLY_EMPTY, REPLY_NOT_TEXT, conversation_id
from bot.channels.rest import SafeRestInput, SafeSocketIOInput, parse_rest_body
from bot.channels.turns import REPLY_SYSTEM_ERROR
from bot.privacy import ID_TOKEN


class EchoBot:
    """Fake Rasa: records messages, answers "echo: <text>"."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if message.text == "boom":
            raise RuntimeError("bot crashed")
        await message.output_channel.send_text_message(
            message.sender_id, f"echo: {message.text}"
        )


def test_names_keep_builtin_urls() -> None:
    assert SafeRestInput.name() == "rest"
    assert SafeSocketIOInput.name() == "socketio"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        b"[1, 2]",
        b'{"sender": "u1"}',
        b'{"sender": "u1", "message": 5}',
        b'{"sender": "u1", "message": null}',
        b'{"message": "hi"}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": true, "message": "hi"}',
        b"\xff\xfe",
    ],
)
def test_parse_rest_body_rejects(body: bytes) -> None:
    from bot.channels.rest import BadRequest

    with pytest.raises(BadRequest):
        parse_rest_body(body)


def test_parse_rest_body_ok() -> None:
    parsed = parse_rest_body(b'{"sender": 42, "message": "hi", "metadata": [1]}')
    assert parsed == {
        "sender": "42",
        "reply_to": "42",
        "message": "hi",
        "metadata": None,
    }


def test_parse_rest_body_pseudonymises_a_sender_with_personal_data() -> None:
    parsed = parse_rest_body(b'{"sender": "0812345678", "message": "hi"}')
    assert parsed["sender"].startswith("anon-")
    assert parsed["reply_to"] == "0812345678"


def test_rest_answers_a_pseudonymised_sender_under_its_own_id(
    serve: Callable[..., Any],
) -> None:
    bot = EchoBot()

    async def scenario() -> None:
        async with serve([SafeRestInput()], bot) as base:
            url = f"{base}/webhooks/rest/webhook"
            async with aiohttp.ClientSession() as s:
                who = {"sender": "someone@example.com", "message": "สวัสดี"}
                status, body = await _post(s, url, who)
                assert status == 200
                assert body == [
                    {"recipient_id": "someone@example.com", "text": "echo: สวัสดี"}
                ]
                async with s.post(url + "?stream=true", data=json.dumps(who)) as resp:
                    lines = (await resp.text()).splitlines()
                assert [json.loads(x)["recipient_id"] for x in lines] == [
                    "someone@example.com"
                ]
        assert {m.sender_id for m in bot.received} == {
            conversation_id("someone@example.com")
        }
        assert bot.received[0].sender_id.startswith("anon-")

    asyncio.run(scenario())


async def _post(
    session: aiohttp.ClientSession, url: str, body: Any, raw: bool = False
) -> tuple[int, Any]:
    data = body if raw else json.dumps(body)
    async with session.post(
        url, data=data, headers={"Content-Type": "application/json"}
    ) as resp:
        return resp.status, await resp.json(content_type=None)


def test_rest_over_http(serve: Callable[..., Any]) -> None:
    bot = EchoBot()

    async def scenario() -> None:
        async with serve([SafeRestInput()], bot) as base:
            url = f"{base}/webhooks/rest/webhook"
            async with aiohttp.ClientSession() as s:
                async with s.get(f"{base}/webhooks/rest/") as resp:
                    assert resp.status == 200

                status, body = await _post(s, url, {"sender": "u1", "message": "สวัสดี"})
                assert status == 200
                assert body == [{"recipient_id": "u1", "text": "echo: สวัสดี"}]

                status, body = await _post(
                    s, url, {"sender": "u1", "message": '/award_check{"body":"x"}'}
                )
                assert body[0]["text"] == 'echo: award_check{"body":"x"}'

                # input_channel from the client is ignored
                await _post(
                    s, url, {"sender": "u1", "message": "x", "input_channel": "line"}
                )
                assert bot.received[-1].input_channel == "rest"

                count = len(bot.received)
                for message in ["", "   ", "/", "/restart"[:1], "\u200b"]:
                    status, body = await _post(
                        s, url, {"sender": "u1", "message": message}
                    )
                    assert status == 200
                    assert body == [{"recipient_id": "u1", "text": REPLY_EMPTY}]
                status, body = await _post(s, url, {"sender": "u1", "message": "😀"})
                assert body[0]["text"] == REPLY_NOT_TEXT
                assert len(bot.received) == count  # Rasa never called

                status, body = await _post(
                    s, url, {"sender": "u1", "message": "ก" * 1200}
                )
                assert body[0]["text"].startswith("ข้อความยาวเกินไป")
                assert body[1]["text"] == "echo: " + "ก" * 1000

                await _post(s, url, {"sender": "u1", "message": "บัตร 1101700230716"})
                assert bot.received[-1].text == f"บัตร {ID_TOKEN}"

                status, body = await _post(s, url, {"sender": "u1", "message": "boom"})
                assert status == 200
                assert body == [{"recipient_id": "u1", "text": REPLY_SYSTEM_ERROR}]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "body, raw",
    [
        (b"{not json", True),
        (b"", True),
        ([1, 2], False),
        ({"sender": "u1"}, False),
        ({"sender": "u1", "message": {"text": "hi"}}, False),
        ({"message": "hi"}, False),
    ],
)
def test_rest_bad_requests_are_400_json(
    serve: Callable[..., Any], body: Any, raw: bool
) -> None:
    bot = EchoBot()

    async def scenario() -> None:
        async with serve([SafeRestInput()], bot) as base:
            async with aiohttp.ClientSession() as s:
                status, payload = await _post(
                    s, f"{base}/webhooks/rest/webhook", body, raw=raw
                )
        assert status == 400
        assert payload["error"] == "bad_request"
        assert bot.received == []

    asyncio.run(scenario())


def test_rest_stream_with_notice(serve: Callable[..., Any]) -> None:
    bot = EchoBot()

    async def scenario() -> None:
        async with serve([SafeRestInput()], bot) as base:
            async with aiohttp.ClientSession() as s:
                async with s.post(
                    f"{base}/webhooks/rest/webhook?stream=true",
                    json={"sender": "u2", "message": "ข" * 1001},
                ) as resp:
                    lines = [json.loads(x) for x in (await resp.text()).splitlines()]
        assert lines[0]["text"].startswith("ข้อความยาวเกินไป")
        assert lines[1]["text"] == "echo: " + "ข" * 1000

    asyncio.run(scenario())


def test_socketio_guard(serve: Callable[..., Any]) -> None:
    bot = EchoBot()
    channel = SafeSocketIOInput()

    async def scenario() -> None:
        async with serve([channel], bot) as base:
            # Short engine.io timers: a polling client's disconnect otherwise
            # waits for the server's 20 s ping timeout.
            assert channel.sio is not None
            channel.sio.eio.ping_interval = 0.2
            channel.sio.eio.ping_timeout = 0.5
            client = socketio.AsyncClient(reconnection=False)
            answers: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()

            @client.on("bot_uttered")
            async def on_bot(data: Dict[str, Any]) -> None:
                await answers.put(data)

            # polling only: this engineio client's websocket code needs a newer
            # aiohttp than rasa pins; the server side is the same either way.
            await client.connect(
                base, socketio_path="/socket.io", transports=["polling"]
            )

            async def ask(payload: Any) -> Optional[str]:
                await client.emit("user_uttered", payload)
                data = await asyncio.wait_for(answers.get(), timeout=5)
                return data.get("text")

            try:
                assert await ask({"message": "/greet"}) == "echo: greet"
                assert bot.received[-1].text == "greet"
                assert bot.received[-1].input_channel == "socketio"
                count = len(bot.received)
                assert await ask({"message": ""}) == REPLY_EMPTY
                assert await ask({"message": {"x": 1}}) == REPLY_EMPTY
                assert await ask({"message": "🙏"}) == REPLY_NOT_TEXT
                assert len(bot.received) == count
                assert await ask({"message": "hi", "metadata": "{bad json"}) == (
                    "echo: hi"
                )
                assert await ask({"message": "โทร 0812345678"}) == (
                    "echo: โทร [เบอร์โทร]"
                )
                notice = await ask({"message": "ค" * 1001})
                assert notice is not None and notice.startswith("ข้อความยาวเกินไป")
                assert (await asyncio.wait_for(answers.get(), 5))["text"] == (
                    "echo: " + "ค" * 1000
                )
            finally:
                await client.disconnect()

    asyncio.run(scenario())


def test_socketio_session_persistence_joins_the_session_room(
    serve: Callable[..., Any],
) -> None:
    """With session_persistence the answer goes to the session's room, so the
    browser must really have joined it (Rasa 3.6 forgot to await enter_room)."""
    bot = EchoBot()
    channel = SafeSocketIOInput(session_persistence=True)

    async def scenario() -> None:
        async with serve([channel], bot) as base:
            assert channel.sio is not None
            channel.sio.eio.ping_interval = 0.2
            channel.sio.eio.ping_timeout = 0.5
            client = socketio.AsyncClient(reconnection=False)
            confirmed: asyncio.Queue[Any] = asyncio.Queue()
            answers: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
            client.on("session_confirm", confirmed.put)
            client.on("bot_uttered", answers.put)
            await client.connect(
                base, socketio_path="/socket.io", transports=["polling"]
            )
            try:
                await client.emit("session_request", {"session_id": "s-123"})
                assert await asyncio.wait_for(confirmed.get(), 5) == "s-123"
                await client.emit(
                    "user_uttered", {"message": "สวัสดี", "session_id": "s-123"}
                )
                answer = await asyncio.wait_for(answers.get(), 5)
                assert answer["text"] == "echo: สวัสดี"
                assert bot.received[-1].sender_id == "s-123"
            finally:
                await client.disconnect()

    asyncio.run(scenario())
