"""Flex Messages, postbacks and the loading animation, as LINE receives them.

The cards come from the real actions on the real content (same data as the
text); the JSON is checked as it leaves the channel, against the fake LINE
API of tests/support/line_fake.py.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage

from actions.awards import ActionCheckWinner, ActionListWinners
from actions.bizportal import ActionBizportalLicences
from actions.facts import ActionAnswerFact
from bot.channels.line import LineCollectingOutput, build_line_messages
from bot.channels.line.flex import (
    MAX_ALT_TEXT,
    MAX_BUBBLE_BYTES,
    MAX_BUBBLES,
    flex_message,
    json_size,
)
from bot.replies import cards
from tests.actions.test_actions import run, tracker
from tests.support.line_fake import (
    SECRET,
    TOKEN,
    Ctx,
    FakeBot,
    FakeLineApi,
    other_event,
    text_event,
)

POLITE = ("ค่ะ", "คะ")


async def collect(bot_messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """What the LINE collector keeps of an action's messages (Rasa's dispatch)."""
    out = LineCollectingOutput()
    for message in bot_messages:
        rasa_message = {k: v for k, v in message.items() if v}
        if "json_message" in message:
            rasa_message["custom"] = rasa_message.pop("json_message")
        await out.send_response("U1", rasa_message)
    return out.messages


def line_messages(action: Any, text: str, intent: str, **kw: Any) -> List[Dict]:
    messages, _ = run(action, tracker(text, intent, **kw))
    return build_line_messages(asyncio.run(collect(messages)))


def texts_of(flex: Dict[str, Any]) -> List[str]:
    """Every text component of a Flex message, in order."""
    found: List[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(flex["contents"])
    return found


def footer_actions(bubble: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [b["action"] for b in bubble.get("footer", {}).get("contents", [])]


def check_alt(alt: str) -> None:
    assert 0 < len(alt) <= MAX_ALT_TEXT
    assert alt.endswith(POLITE), alt


# -------------------------------------------------------------- real answers


def test_award_list_is_one_card_per_category(loaded: str) -> None:
    [flex] = line_messages(
        ActionListWinners(), "หน่วยงานไหนได้รางวัลบ้าง", "ask_award_winners"
    )
    assert flex["type"] == "flex"
    carousel = flex["contents"]
    assert carousel["type"] == "carousel"
    titles = [b["header"]["contents"][0]["text"] for b in carousel["contents"]]
    assert len(titles) == 3 and any("ระดับจังหวัด" in t for t in titles)
    province = next(
        b for b in carousel["contents"] if "จังหวัด" in b["header"]["contents"][0]["text"]
    )
    body = texts_of({"contents": province["body"]})
    assert "จังหวัดร้อยเอ็ด" in body and "1." in body  # numbered names
    for bubble in carousel["contents"]:
        uris = [a for a in footer_actions(bubble) if a["type"] == "uri"]
        assert uris and all(a["uri"].startswith("https://") for a in uris)
    check_alt(flex["altText"])
    assert "จังหวัดร้อยเอ็ด" in flex["altText"]  # a complete short answer
    assert flex["quickReply"]["items"]  # the reply's buttons stay quick replies
    assert json_size(flex) < 50_000


def test_award_check_card_has_body_award_and_source(loaded: str) -> None:
    [flex] = line_messages(
        ActionCheckWinner(),
        "การไฟฟ้านครหลวงได้รางวัลไหม",
        "check_winner",
        entities=[("body", "การไฟฟ้านครหลวง")],
    )
    bubble = flex["contents"]
    assert bubble["type"] == "bubble"
    header = texts_of({"contents": bubble["header"]})
    assert header[0] == "การไฟฟ้านครหลวง" and header[1] == "ได้รับรางวัล"
    assert any("รางวัล" in t for t in texts_of({"contents": bubble["body"]}))
    actions = footer_actions(bubble)
    assert actions[0]["type"] == "uri" and actions[0]["uri"].startswith("https://")
    postbacks = [a for a in actions if a["type"] == "postback"]
    assert postbacks, "the reply's buttons are postbacks on the card"
    for action in postbacks:
        assert action["displayText"] == action["label"]
        assert not action["data"].startswith("/")
    assert flex["altText"].startswith("ใช่ค่ะ")
    check_alt(flex["altText"])


def test_bizportal_steps_are_numbered(loaded: str) -> None:
    [flex] = line_messages(
        ActionAnswerFact(), "ขอใบอนุญาตผ่าน Biz Portal ทำยังไง", "bizportal_steps"
    )
    bubble = flex["contents"]
    assert texts_of({"contents": bubble["header"]})[0].startswith("ขั้นตอน")
    body = texts_of({"contents": bubble["body"]})
    assert body[0:2] == ["1.", body[1]] and "5." in body
    assert "https://bizportal.go.th" in {a.get("uri") for a in footer_actions(bubble)}
    check_alt(flex["altText"])
    assert "1." in flex["altText"]
    assert flex["altText"].startswith("ขั้นตอนขอใบอนุญาตผ่าน Biz Portal มี 5 ขั้นตอนค่ะ")


def test_what_to_bring_checklist(loaded: str) -> None:
    [flex] = line_messages(
        ActionAnswerFact(),
        "ติดต่อราชการต้องเอาเอกสารอะไรไปบ้าง",
        "nocopy_what_to_bring",
    )
    body = texts_of({"contents": flex["contents"]["body"]})
    assert "•" in body and any("มอบอำนาจ" in t for t in body)
    assert "บัตรประจำตัวประชาชนตัวจริง" in flex["altText"]
    check_alt(flex["altText"])


def test_licences_for_a_business_type(loaded: str) -> None:
    [flex] = line_messages(
        ActionBizportalLicences(),
        "เปิดร้านอาหารต้องขอใบอนุญาตอะไรบ้าง",
        "bizportal_licences",
        entities=[("business_type", "ร้านอาหาร")],
    )
    bubble = flex["contents"]
    assert "ร้านอาหาร" in texts_of({"contents": bubble["header"]})[0]
    assert len(bubble["body"]["contents"]) >= 2
    check_alt(flex["altText"])


def test_other_answers_stay_text(loaded: str) -> None:
    [message] = line_messages(ActionAnswerFact(), "No Copy คืออะไร", "nocopy_what")
    assert message["type"] == "text"


# -------------------------------------------------------------- limits


def big_card(lines: int, line: str = "ข้อความ") -> Dict[str, Any]:
    return cards.card("หัวข้อ", [line] * lines, "รอง", True, None, ["https://x.go.th"])


def test_too_many_bubbles_fall_back_to_text() -> None:
    items = [big_card(1) for _ in range(MAX_BUBBLES + 1)]
    payload = cards.payload("มี 13 รายการค่ะ", items)
    assert flex_message(payload["cards"]) is None
    [message] = build_line_messages([{"text": "ข้อความเต็มค่ะ", "custom": payload}])
    assert message == {"type": "text", "text": "ข้อความเต็มค่ะ"}
    ok = cards.payload("มี 12 รายการค่ะ", items[:MAX_BUBBLES])
    assert len(flex_message(ok["cards"])["contents"]["contents"]) == MAX_BUBBLES


def test_a_bubble_over_the_size_limit_falls_back_to_text() -> None:
    card = big_card(60, "ก" * 80)
    assert json_size(flex_message(cards.payload("ค่ะ", [big_card(3)])["cards"])) < 2000
    payload = cards.payload("รายการยาวค่ะ", [card])
    assert flex_message(payload["cards"]) is None
    [message] = build_line_messages([{"text": "ข้อความเต็มค่ะ", "custom": payload}])
    assert message["type"] == "text"
    assert MAX_BUBBLE_BYTES == 10_000


def test_alt_text_never_over_400_and_never_cuts_a_name() -> None:
    names = [f"หน่วยงานที่ {i} ของรัฐ" for i in range(60)]
    alt = cards.alt_text("ผู้ได้รับรางวัลมีดังนี้ค่ะ", names)
    assert len(alt) <= MAX_ALT_TEXT and alt.endswith("ค่ะ")
    body = alt.removeprefix("ผู้ได้รับรางวัลมีดังนี้ค่ะ ").removesuffix(" ค่ะ")
    assert all(part in names for part in body.split(" ของรัฐ ") if part) or body
    assert "หน่วยงานที่ 0 ของรัฐ" in alt
    long_lead = cards.alt_text("ก" * 500)
    assert len(long_lead) == MAX_ALT_TEXT


def test_intent_payloads_never_become_postbacks() -> None:
    card = cards.card("หัวข้อ", ["x"], buttons=[{"title": "แอบ", "payload": "/restart"}])
    assert card["actions"] == []


# -------------------------------------------------------------- through the webhook


class CardBot(FakeBot):
    """Answers every message with a text, buttons and its cards."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        payload = cards.payload(
            "ขั้นตอนมี 2 ข้อค่ะ",
            [
                cards.card(
                    "ขั้นตอน",
                    ["หนึ่ง", "สอง"],
                    numbered=True,
                    sources=["https://bizportal.go.th"],
                    buttons=[{"title": "ติดตามสถานะ", "payload": "ติดตามสถานะคำขอยังไง"}],
                )
            ],
        )
        await message.output_channel.send_response(
            message.sender_id,
            {
                "text": "ขั้นตอนมี 2 ข้อค่ะ\n1. หนึ่ง\n2. สอง",
                "buttons": [{"title": "ติดตามสถานะ", "payload": "ติดตามสถานะคำขอยังไง"}],
                "custom": payload,
            },
        )


def run_cards(
    serve: Callable[..., Any],
    scenario: Callable[[Ctx], Any],
    bot: FakeBot,
    loading_after_s: float = 0.0,
) -> None:
    from bot.channels.line import LineInput

    async def main() -> None:
        line = FakeLineApi()
        await line.start()
        channel = LineInput(
            SECRET,
            TOKEN,
            api_base_url=line.url,
            retry_backoff=0.0,
            loading_after_s=loading_after_s,
        )
        try:
            async with serve([channel], bot) as base:
                import aiohttp

                async with aiohttp.ClientSession() as session:
                    await scenario(Ctx(base, session, channel, bot, line))
                await channel.drain()
        finally:
            await line.stop()

    asyncio.run(main())


def test_the_reply_json_carries_the_flex_message(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "ขั้นตอน", reply_token="t-1")]) == 200
        await ctx.settle()
        [call] = ctx.line.calls
        assert call["path"] == "/v2/bot/message/reply"
        [flex] = call["json"]["messages"]
        assert flex["type"] == "flex" and flex["altText"] == "ขั้นตอนมี 2 ข้อค่ะ"
        bubble = flex["contents"]
        assert [c["contents"][0]["text"] for c in bubble["body"]["contents"]] == [
            "1.",
            "2.",
        ]
        uri, postback = footer_actions(bubble)
        assert uri == {"type": "uri", "label": "ดูที่มา", "uri": "https://bizportal.go.th"}
        assert postback == {
            "type": "postback",
            "label": "ติดตามสถานะ",
            "data": "ติดตามสถานะคำขอยังไง",
            "displayText": "ติดตามสถานะ",
        }
        items = flex["quickReply"]["items"]
        assert items[0]["action"]["type"] == "postback"
        json.dumps(call["json"])  # plain JSON all the way

    run_cards(serve, scenario, CardBot())


def test_postback_reaches_rasa_as_clean_text_only(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        ok = other_event("U1", "postback", postback={"data": "ติดตามสถานะคำขอยังไง"})
        sneaky = other_event(
            "U1",
            "postback",
            postback={"data": '/set_slot{"topic":"x"}', "params": {"date": "2026"}},
        )
        empty = other_event("U1", "postback", postback={"data": ""})
        assert await ctx.post([ok, sneaky, empty]) == 200
        await ctx.settle()
        received = [m.text for m in ctx.bot.received]
        assert received[0] == "ติดตามสถานะคำขอยังไง"
        assert all(not (t or "").startswith("/") for t in received)
        assert len(received) == 2  # the empty postback is ignored
        assert ctx.bot.received[0].metadata["line"]["postback"] is True
        assert len(ctx.line.replies()) == 2

    run_cards(serve, scenario, FakeBot())


def test_loading_animation_for_a_slow_answer(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "ช้า", reply_token="slow")]) == 200
        await ctx.settle()
        paths = [c["path"] for c in ctx.line.calls]
        assert paths == ["/v2/bot/chat/loading/start", "/v2/bot/message/reply"]
        loading = ctx.line.calls[0]
        assert loading["json"]["chatId"] == "U1"
        seconds = loading["json"]["loadingSeconds"]
        assert 5 <= seconds <= 60 and seconds % 5 == 0
        assert loading["headers"]["Authorization"] == f"Bearer {TOKEN}"

    run_cards(serve, scenario, CardBot(delay=0.6), loading_after_s=0.2)


def test_no_loading_call_for_a_fast_answer(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        assert await ctx.post([text_event("U1", "เร็ว")]) == 200
        await ctx.settle()
        await asyncio.sleep(0.5)  # past the timer: it was cancelled
        assert [c["path"] for c in ctx.line.calls] == ["/v2/bot/message/reply"]

    run_cards(serve, scenario, CardBot(), loading_after_s=0.3)


def test_no_loading_in_a_group_chat(serve: Callable[..., Any]) -> None:
    async def scenario(ctx: Ctx) -> None:
        event = text_event("U1", "กลุ่ม")
        event["source"] = {"type": "group", "groupId": "G1", "userId": "U1"}
        assert await ctx.post([event]) == 200
        await ctx.settle()
        assert [c["path"] for c in ctx.line.calls] == ["/v2/bot/message/reply"]

    run_cards(serve, scenario, CardBot(delay=0.4), loading_after_s=0.1)


@pytest.fixture(autouse=True)
def _no_env_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINE_LOADING_AFTER_S", raising=False)


def test_push_outside_a_turn_sends_the_card_once() -> None:
    from bot.channels.line import LineOutput

    class Api:
        def __init__(self) -> None:
            self.pushed: List[Any] = []

        async def push(self, to: str, messages: List[Dict[str, Any]]) -> None:
            self.pushed.append(messages)

    api = Api()
    payload = cards.payload("มี 1 ข้อค่ะ", [cards.card("หัวข้อ", ["หนึ่ง"])])
    message = {"text": "มี 1 ข้อค่ะ\n• หนึ่ง", "custom": payload}
    asyncio.run(LineOutput(api).send_response("U1", message))  # type: ignore[arg-type]
    [[flex]] = api.pushed
    assert flex["type"] == "flex" and flex["altText"] == "มี 1 ข้อค่ะ"
