"""Card payloads on REST and socket.io: the text keeps the whole answer, the
cards ride along (bot/channels/cards.py)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from bot.channels.cards import CardCollectingOutput, cards_of
from bot.channels.rest import _CountingSocketIOOutput
from bot.replies import cards

CARDS = cards.payload("มี 1 รายการค่ะ", [cards.card("หัวข้อ", ["หนึ่ง"])])
TEXT = "มี 1 รายการค่ะ\n• หนึ่ง"


def test_rest_keeps_the_text_and_adds_the_cards() -> None:
    out = CardCollectingOutput()
    message = {"text": TEXT, "buttons": [{"title": "ต่อ", "payload": "ต่อ"}]}
    asyncio.run(out.send_response("u", {**message, "custom": CARDS}))
    [sent] = out.messages
    assert sent["text"] == TEXT and sent["buttons"] == message["buttons"]
    assert cards_of(sent["custom"])["items"][0]["title"] == "หัวข้อ"


def test_other_custom_payloads_are_untouched() -> None:
    out = CardCollectingOutput()
    asyncio.run(out.send_response("u", {"text": "ค่ะ", "custom": {"x": 1}}))
    assert [m.get("custom") for m in out.messages] == [None, {"x": 1}]
    assert cards_of({"cards": {"items": "no"}}) is None


class FakeSio:
    def __init__(self) -> None:
        self.emitted: List[Dict[str, Any]] = []

    async def emit(self, event: str, data: Any = None, room: Any = None) -> None:
        self.emitted.append({"event": event, "data": data, "room": room})


def test_socketio_sends_cards_as_one_extra_event() -> None:
    sio = FakeSio()
    out = _CountingSocketIOOutput(sio, "bot_uttered")
    asyncio.run(out.send_response("sid", {"text": TEXT, "custom": CARDS}))
    assert [e["data"].get("text") for e in sio.emitted] == [TEXT, None]
    assert sio.emitted[1]["data"] == {"custom": CARDS}
    assert out.sent == 2
