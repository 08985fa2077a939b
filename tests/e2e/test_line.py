"""LINE through the running bot: real HTTP into the Rasa server's LINE channel,
with the fake LINE API on loopback recording what the bot sends back."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from tests.support.servers import Servers, has_thai

pytestmark = pytest.mark.e2e


def text_event(user: str, text: str, redelivery: bool = False, **extra: Any) -> dict:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": extra.get("event_id") or uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": redelivery},
        "replyToken": extra.get("token") or uuid.uuid4().hex,
        "message": {"id": uuid.uuid4().hex[:12], "type": "text", "text": text},
    }


def body(*events: dict) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}).encode()


def reply_to(token: str):
    return lambda call: call["body"].get("replyToken") == token


@pytest.fixture()
def line(servers: Servers):
    assert servers.line_api is not None
    servers.line_api.mode = "ok"
    yield servers.line_api
    servers.line_api.mode = "ok"


def test_batch_from_two_users_gets_one_thai_reply_each_with_quick_replies(
    servers: Servers, line
) -> None:
    first = text_event(f"U{uuid.uuid4().hex}", "สวัสดีค่ะ")
    second = text_event(f"U{uuid.uuid4().hex}", "ใครได้รางวัลระดับจังหวัดบ้าง")
    assert servers.line_post(body(first, second)) == 200
    for event, expected in ((first, "สวัสดี"), (second, "ลำพูน")):
        (call,) = line.wait_calls(reply_to(event["replyToken"]))
        assert call["path"] == "/v2/bot/message/reply"
        assert call["headers"]["Authorization"] == "Bearer e2e-line-token"
        messages = call["body"]["messages"]
        assert 1 <= len(messages) <= 5
        # a list arrives as a Flex card whose altText is the short answer
        texts = "\n".join(m.get("text") or m.get("altText", "") for m in messages)
        assert expected in texts and has_thai(texts)
        if expected == "ลำพูน":
            assert messages[0]["type"] == "flex"
        items = messages[-1]["quickReply"]["items"]
        assert 1 <= len(items) <= 13
        for item in items:
            assert item["action"]["type"] == "postback"  # the chat shows the label
            assert len(item["action"]["label"]) <= 20
            assert not item["action"]["data"].startswith("/")
            assert item["action"]["displayText"] == item["action"]["label"]


def test_redelivered_event_is_answered_once(servers: Servers, line) -> None:
    event = text_event(f"U{uuid.uuid4().hex}", "ขอบคุณค่ะ")
    assert servers.line_post(body(event)) == 200
    line.wait_calls(reply_to(event["replyToken"]))
    again = {**event, "deliveryContext": {"isRedelivery": True}}
    assert servers.line_post(body(again)) == 200
    # A later event from the same user is answered; the redelivery never was.
    later = text_event(event["source"]["userId"], "สวัสดีครับ")
    assert servers.line_post(body(later)) == 200
    line.wait_calls(reply_to(later["replyToken"]))
    assert len([c for c in line.calls if reply_to(event["replyToken"])(c)]) == 1


def test_invalid_reply_token_falls_back_to_push_with_a_retry_key(
    servers: Servers, line
) -> None:
    line.mode = "invalid_token"
    user = f"U{uuid.uuid4().hex}"
    event = text_event(user, "สวัสดีค่ะ")
    assert servers.line_post(body(event)) == 200
    (push,) = line.wait_calls(
        lambda c: c["path"] == "/v2/bot/message/push" and c["body"].get("to") == user
    )
    assert uuid.UUID(push["headers"]["X-Line-Retry-Key"])
    assert "สวัสดี" in push["body"]["messages"][0]["text"]


def test_line_api_down_never_crashes_the_server(servers: Servers, line) -> None:
    line.mode = "down"
    user = f"U{uuid.uuid4().hex}"
    event = text_event(user, "สวัสดีค่ะ")
    assert servers.line_post(body(event)) == 200
    line.wait_calls(reply_to(event["replyToken"]))
    line.mode = "ok"
    # The server keeps serving: the next webhook and a REST message work.
    later = text_event(user, "ขอบคุณค่ะ")
    assert servers.line_post(body(later)) == 200
    (call,) = line.wait_calls(reply_to(later["replyToken"]))
    assert has_thai(call["body"]["messages"][0]["text"])
    assert servers.chat(f"rest-{user}", "สวัสดีครับ")


def test_every_rich_menu_text_gets_a_real_answer(servers: Servers) -> None:
    """What a tap on the rich menu sends is understood: no apology, no fallback."""
    from bot.replies.phrases import RICH_MENU

    for label, text in RICH_MENU["areas"]:
        replies = servers.chat(f"menu-{uuid.uuid4().hex}", text)
        answer = "\n".join(r.get("text", "") for r in replies)
        assert has_thai(answer), label
        assert not answer.startswith("ขออภัย"), (label, answer[:120])
