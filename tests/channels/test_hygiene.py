"""Tests for the shared input guard bot.channels.hygiene.clean_incoming."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.hygiene import (
    NOTICE_TOO_LONG,
    REPLY_EMPTY,
    REPLY_NOT_TEXT,
    clean_incoming,
    max_chars,
)
from bot.privacy import ID_TOKEN, PHONE_TOKEN


def test_plain_thai_unchanged() -> None:
    text = "ยกเลิกสำเนาบัตรประชาชนคืออะไรคะ"
    result = clean_incoming(text)
    assert result.text == text
    assert result.notice is None and result.rejected_reason is None
    assert not result.rejected


def test_nfc_normalisation() -> None:
    decomposed = "Cafe\u0301 ค่ะ"
    assert clean_incoming(decomposed).text == "Café ค่ะ"


def test_control_and_zero_width_characters() -> None:
    text = "\u200bสวัสดี\u200c\u200d\ufeff\x00ค่ะ\x07\nถาม\tเรื่อง\r\nรางวัล\u202e"
    assert clean_incoming(text).text == "สวัสดีค่ะ ถาม เรื่อง รางวัล"


def test_lone_surrogate_removed() -> None:
    # json.loads accepts "\ud800"; it must not reach the tracker store.
    assert clean_incoming(json.loads('"\\ud800สวัสดี"')).text == "สวัสดี"


def test_whitespace_collapsed() -> None:
    assert clean_incoming("  Biz   Portal \u00a0\u3000 คืออะไร  ").text == (
        "Biz Portal คืออะไร"
    )


def test_thai_marks_preserved() -> None:
    text = "น้ำ ก๊าซ ที่ไหน ๆ เก๋ไก๋"
    assert clean_incoming(text).text == text


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t", "\u200b\u200b", "\x00"])
def test_empty_rejected_politely(text: str | None) -> None:
    result = clean_incoming(text)
    assert result.rejected
    assert result.text is None
    assert result.rejected_reason == REPLY_EMPTY
    assert result.rejected_reason.endswith("ค่ะ")


@pytest.mark.parametrize("text", ["😀", "👍🏽🎉", "❤️", "?!...", "👨\u200d👩\u200d👧"])
def test_emoji_or_punctuation_only_rejected(text: str) -> None:
    result = clean_incoming(text)
    assert result.rejected
    assert result.rejected_reason == REPLY_NOT_TEXT


def test_non_string_rejected() -> None:
    assert clean_incoming(123).rejected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/greet", "greet"),
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ('/award_check{"body":"x"}', 'award_check{"body":"x"}'),
        ("///greet", "greet"),
        ("/ / /greet", "greet"),
        ("  /greet", "greet"),
        ("\u200b/greet", "greet"),
        ("／greet", "greet"),
        ("ราคา 1/2 ส่วน", "ราคา 1/2 ส่วน"),
    ],
)
def test_leading_slash_neutralised(text: str, expected: str) -> None:
    result = clean_incoming(text)
    assert result.text == expected


@pytest.mark.parametrize("text", ["/", "///", " / / "])
def test_only_slashes_rejected(text: str) -> None:
    assert clean_incoming(text).rejected_reason == REPLY_EMPTY


def test_truncated_with_notice() -> None:
    result = clean_incoming("ก" * 1500)
    assert result.text == "ก" * 1000
    assert result.notice == "ข้อความยาวเกินไป ระบบอ่านเฉพาะ 1,000 ตัวอักษรแรกค่ะ"


def test_exact_limit_no_notice() -> None:
    result = clean_incoming("ข" * 1000)
    assert result.text == "ข" * 1000 and result.notice is None


def test_limit_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "20")
    assert max_chars() == 20
    result = clean_incoming("ค" * 30)
    assert result.text == "ค" * 20
    assert result.notice == NOTICE_TOO_LONG.format(limit=20)
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "not-a-number")
    assert max_chars() == 1000
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "-5")
    assert max_chars() == 1000


def test_pii_masked() -> None:
    result = clean_incoming("เลขบัตร 1-1017-00230-71-6 โทร 081-234-5678")
    assert result.text == f"เลขบัตร {ID_TOKEN} โทร {PHONE_TOKEN}"


def test_pii_masked_before_truncation() -> None:
    # The ID straddles the cap: no digits of it may survive.
    text = "ก" * 990 + " 1101700230716"
    result = clean_incoming(text)
    assert result.text is not None
    assert "1101" not in result.text
    assert not result.text.endswith("[")
    assert len(result.text) <= 1000


# ---- properties -----------------------------------------------------------

# Hypothesis' default text strategy excludes surrogates; add the characters
# this guard is about on top of arbitrary text.
tricky = st.sampled_from(
    list("/\n\r\t\x00\x07\x1b\u200b\u200c\u200d\ufeff\u202e／ ")
    + ["😀", "ก", "่", "๙", "1101700230716", "0812345678", "a@b.co", "\ud800"]
)
any_text = st.one_of(
    st.text(max_size=1500),
    st.lists(st.one_of(tricky, st.text(max_size=5)), max_size=60).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(any_text, st.integers(min_value=1, max_value=1200))
def test_property_output_is_safe(text: str, limit: int) -> None:
    result = clean_incoming(text, limit=limit)
    if result.rejected:
        assert result.text is None
        assert result.rejected_reason
        return
    out = result.text
    assert out
    assert not out.startswith("/")
    assert not out.startswith("／")
    assert len(out) <= limit
    assert out == out.strip()
    assert "  " not in out
    for ch in out:
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs"), repr(ch)
    assert unicodedata.is_normalized("NFC", out)
    if result.notice is not None:
        assert result.notice == NOTICE_TOO_LONG.format(limit=limit)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_property_idempotent(text: str) -> None:
    first = clean_incoming(text)
    if first.rejected:
        return
    second = clean_incoming(first.text)
    assert second.text == first.text
    assert second.notice is None


def test_a_rest_sender_shaped_like_a_line_id_never_reaches_that_conversation():
    from bot.channels.hygiene import conversation_id

    for line_id in ("U" + "4af4980629" * 3 + "ab", "C" + "0" * 32, "R" + "f" * 32):
        stored = conversation_id(line_id)
        assert stored != line_id and stored == conversation_id(line_id)
    assert conversation_id("web-3f2a") == "web-3f2a"  # ordinary ids unchanged
