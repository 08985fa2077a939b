"""Thai small talk through the running bot, over HTTP."""

from __future__ import annotations

import pytest

from tests.support.servers import Servers, has_thai

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("text", ["สวัสดีครับ", "หวัดดีค่ะ", "สวัสดีจ้า"])
def test_greeting_gets_thai_greeting_with_topics(servers: Servers, text: str) -> None:
    replies = servers.chat(f"greet-{text}", text)
    assert replies and has_thai(replies[0]["text"])
    assert "สวัสดี" in replies[0]["text"]
    payloads = [b["payload"] for b in replies[0].get("buttons", [])]
    assert len(payloads) == 3
    assert not any(p.startswith("/") for p in payloads)


@pytest.mark.parametrize("text", ["ขอบคุณครับ", "ขอบใจจ้า"])
def test_thanks(servers: Servers, text: str) -> None:
    replies = servers.chat(f"thanks-{text}", text)
    assert replies and "ยินดี" in replies[0]["text"]


@pytest.mark.parametrize("text", ["พรุ่งนี้ฝนจะตกไหม", "ขอเลขเด็ดงวดนี้หน่อย"])
def test_out_of_scope_is_declined_politely_in_thai(servers: Servers, text: str) -> None:
    replies = servers.chat(f"oos-{text}", text)
    reply = " ".join(r.get("text", "") for r in replies)
    assert "นอกขอบเขต" in reply or "ยังไม่เข้าใจ" in reply
    assert "ค่ะ" in reply


def test_what_can_i_ask_offers_three_topics(servers: Servers) -> None:
    replies = servers.chat("help-1", "ถามอะไรได้บ้าง")
    titles = [b["title"] for b in replies[0]["buttons"]]
    assert titles == ["รางวัลรัฐบาลดิจิทัล", "ยกเลิกสำเนาเอกสาร", "Biz Portal"]


def test_are_you_a_bot(servers: Servers) -> None:
    replies = servers.chat("bot-1", "คุยกับคนจริงหรือบอทคะ")
    assert "แชตบอต" in replies[0]["text"]
