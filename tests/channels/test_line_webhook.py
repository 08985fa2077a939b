"""LINE channel: credentials, signature, and the webhook end to end.

End-to-end tests run the channel's blueprint in a real Sanic server on
loopback (registered as `rasa run` does), a fake bot as Rasa, and a fake LINE
API (tests/support/line_fake.py) that records every call. Requests are real
HTTP with bodies signed like LINE signs them. Waiting is done with
`LineInput.drain()` or by polling the fake API's records.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Callable, Dict, Optional

import pytest
from rasa.shared.exceptions import RasaException

from bot.channels.hygiene import REPLY_EMPTY
from bot.channels.line import (
    REPLY_ERROR,
    REPLY_NOT_TEXT,
    REPLY_WELCOME,
    TOPIC_BUTTONS,
    LineInput,
)
from bot.privacy import PHONE_TOKEN
from tests.support.line_fake import (
    SECRET,
    TOKEN,
    Ctx,
    FakeLineApi,
    other_event,
    reply_texts,
    run_line,
    sign,
    text_event,
)


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
        assert [a["data"] for a in actions] == [
            "รางวัลรัฐบาลดิจิทัลปี 62 คืออะไร",
            "โครงการยกเลิกสำเนาเอกสารราชการคืออะไร",
            "Biz Portal คืออะไร",
        ]
        assert all(a["type"] == "postback" and len(a["label"]) <= 20 for a in actions)
        assert [a["displayText"] for a in actions] == [a["label"] for a in actions]
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
            assert action["type"] == "postback"
            assert len(action["label"]) <= 20
            assert not action["data"].startswith("/")

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
            message["quickReply"]["items"][0]["action"]["data"]
            == (TOPIC_BUTTONS[0]["payload"])
        )

    asyncio.run(main())
