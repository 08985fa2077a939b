"""Never silence: the shared turn helper, and REST / socket.io / LINE with a
bot that fails or says nothing; plus the sender and metadata guards."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List

import aiohttp
import pytest
import socketio
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.hygiene import clean_metadata, conversation_id, sender_id_problem
from bot.channels.line import LineInput
from bot.channels.rest import SafeRestInput, SafeSocketIOInput
from bot.channels.turns import (
    REPLY_SYSTEM_ERROR,
    count_visible,
    run_turn,
)
from bot.privacy import EMAIL_TOKEN, ID_TOKEN, PHONE_TOKEN, mask_pii


class ModeBot:
    """Fake Rasa: "silent" says nothing, "boom" raises, else echoes."""

    def __init__(self) -> None:
        self.received: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if message.text == "silent":
            return
        if message.text == "boom":
            raise RuntimeError("bot crashed")
        await message.output_channel.send_text_message(
            message.sender_id, f"echo: {message.text}"
        )


def test_apology_names_the_hotlines_politely() -> None:
    assert REPLY_SYSTEM_ERROR.startswith("ขออภัยค่ะ")
    assert "1111" in REPLY_SYSTEM_ERROR and "02-612-6060" in REPLY_SYSTEM_ERROR
    assert REPLY_SYSTEM_ERROR.endswith("ค่ะ")


def test_run_turn_reports_failed_and_silent_turns() -> None:
    bot = ModeBot()

    async def turn(text: str) -> bool:
        out = CollectingOutputChannel()
        message = UserMessage(text, out, "u1", input_channel="test")
        return await run_turn(bot, message, lambda: count_visible(out.messages))

    assert asyncio.run(turn("hello")) is False
    assert asyncio.run(turn("silent")) is True
    assert asyncio.run(turn("boom")) is True
    assert count_visible([{"text": ""}, {"buttons": [1]}, {"recipient_id": "x"}]) == 1


def test_rest_silent_or_failing_turn_gets_the_apology(serve: Callable) -> None:
    bot = ModeBot()

    async def scenario() -> None:
        async with serve([SafeRestInput()], bot) as base:
            url = f"{base}/webhooks/rest/webhook"
            async with aiohttp.ClientSession() as s:
                for text in ("silent", "boom"):
                    async with s.post(url, json={"sender": "u", "message": text}) as r:
                        assert r.status == 200
                        assert await r.json() == [
                            {"recipient_id": "u", "text": REPLY_SYSTEM_ERROR}
                        ]
                # streaming: the apology is the last line, and the stream ends
                for text, first in (
                    ("silent", None),
                    ("boom", None),
                    ("hi", "echo: hi"),
                ):
                    async with s.post(
                        url + "?stream=true", json={"sender": "u", "message": text}
                    ) as r:
                        lines = [json.loads(x) for x in (await r.text()).splitlines()]
                    texts = [line["text"] for line in lines]
                    if first is None:
                        assert texts == [REPLY_SYSTEM_ERROR]
                    else:
                        assert texts == [first]

    asyncio.run(scenario())


def test_socketio_silent_turn_gets_the_apology(serve: Callable) -> None:
    bot = ModeBot()
    channel = SafeSocketIOInput()

    async def scenario() -> None:
        async with serve([channel], bot) as base:
            assert channel.sio is not None
            channel.sio.eio.ping_interval = 0.2
            channel.sio.eio.ping_timeout = 0.5
            client = socketio.AsyncClient(reconnection=False)
            answers: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
            client.on("bot_uttered", answers.put)
            await client.connect(
                base, socketio_path="/socket.io", transports=["polling"]
            )
            try:
                for text in ("silent", "boom"):
                    await client.emit("user_uttered", {"message": text})
                    answer = await asyncio.wait_for(answers.get(), 5)
                    assert answer["text"] == REPLY_SYSTEM_ERROR
                await client.emit(
                    "user_uttered",
                    {"message": "hi", "metadata": {"mail": "a.b@example.com"}},
                )
                assert (await asyncio.wait_for(answers.get(), 5))["text"] == "echo: hi"
                assert bot.received[-1].metadata == {"mail": EMAIL_TOKEN}
            finally:
                await client.disconnect()

    asyncio.run(scenario())


def test_line_silent_turn_gets_the_apology() -> None:
    channel = LineInput("secret", "token")
    bot = ModeBot()
    event = {"source": {"type": "user", "userId": "U1"}, "message": {"id": "1"}}

    async def texts(text: str) -> List[str]:
        messages = await channel._ask_rasa(text, "U1", event, bot)
        return [m["text"] for m in messages]

    assert asyncio.run(texts("silent")) == [REPLY_SYSTEM_ERROR]
    assert asyncio.run(texts("boom")) == [REPLY_SYSTEM_ERROR]
    assert asyncio.run(texts("hi")) == ["echo: hi"]


@pytest.mark.parametrize(
    ("sender", "ok"),
    [
        ("web-3f2a9c", True),
        ("U4af4980629abcdef0123456789abcdef", True),
        ("สมชาย", True),
        ("", False),
        ("   ", False),
        ("a" * 257, False),
        ("a\x00b", False),
        ("a\u200bb", False),
        ("a\ud800", False),
        ("0812345678", True),
        ("someone@example.com", True),
        (42, False),
    ],
)
def test_sender_id_guard(sender: Any, ok: bool) -> None:
    assert (sender_id_problem(sender) is None) is ok


@pytest.mark.parametrize(
    "client_id",
    [
        "0812345678",
        "tel:+66 81 234 5678",
        "someone@example.com",
        "1101700230716",
        "3f2a9c0812345678b4e1d7a6c5f0e9d2",
    ],
)
def test_sender_with_personal_data_gets_a_stable_keyed_pseudonym(
    client_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_ID_KEY", "key-one")
    first = conversation_id(client_id)
    assert first.startswith("anon-") and len(first) == len("anon-") + 32
    assert first == conversation_id(client_id)  # the conversation continues
    assert mask_pii(first) == first  # the pseudonym itself holds nothing
    assert conversation_id(client_id + "x") != first
    monkeypatch.setenv("SENDER_ID_KEY", "key-two")
    assert conversation_id(client_id) != first  # the key matters


@pytest.mark.parametrize("client_id", ["web-3f2a9c", "U4af4980629abcdef", "สมชาย"])
def test_sender_without_personal_data_is_kept(client_id: str) -> None:
    assert conversation_id(client_id) == client_id


def test_metadata_is_bounded_and_masked() -> None:
    deep: Any = "x"
    for _ in range(10):
        deep = [deep]
    cleaned = clean_metadata(
        {
            "user": {"phone": "081-234-5678", "id": "1101700230716"},
            "note\u200b": "a\x00b" + "ก" * 5000,
            "deep": deep,
            "many": list(range(500)),
            "big": 2**80,
            "nan": float("nan"),
        }
    )
    assert cleaned is not None
    assert cleaned["user"] == {"phone": PHONE_TOKEN, "id": ID_TOKEN}
    assert cleaned["note"] == ("ab" + "ก" * 5000)[:1000]
    assert len(cleaned["many"]) == 50
    assert cleaned["big"] is None and cleaned["nan"] is None
    assert "x" not in json.dumps(cleaned["deep"])
    assert clean_metadata([1, 2]) is None and clean_metadata("x") is None
