"""LINE channel: the pure functions that turn Rasa messages into LINE objects."""

from __future__ import annotations

from bot.channels.line import (
    TOPIC_BUTTONS,
    build_line_messages,
    fit_to_limit,
    quick_reply,
    shorten,
    split_text,
    utf16_len,
)


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
    assert first["type"] == "postback"
    assert first["data"] == "ดูรางวัลทั้งหมดของหน่วยงานนี้ค่ะ"  # title, not /award
    assert items[1]["action"]["displayText"] == "หัวข้อที่ 0"  # the clean label
    assert items[1]["action"]["data"] == "คำถามที่ 0"  # the Thai question
    for item in items:
        assert 1 <= utf16_len(item["action"]["label"]) <= 20
        assert not item["action"]["data"].startswith("/")
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
