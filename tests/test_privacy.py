"""Tests for bot.privacy.mask_pii."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import (
    EMAIL_TOKEN,
    ID_TOKEN,
    PHONE_TOKEN,
    is_valid_thai_id,
    mask_pii,
    thai_id_checksum,
)

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
VALID_ID = "1101700230716"  # checksum digit 6


def with_checksum(first12: str) -> str:
    return first12 + str(thai_id_checksum(first12))


def dashed(digits: str) -> str:
    """1-2345-67890-12-3, the layout printed on the card."""
    d = digits
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"


def test_checksum_known_value() -> None:
    assert is_valid_thai_id(VALID_ID)
    assert not is_valid_thai_id("1101700230719")
    assert with_checksum("110170023071") == VALID_ID


@pytest.mark.parametrize(
    "text",
    [
        f"เลขบัตร {VALID_ID} ค่ะ",
        f"เลขบัตร {dashed(VALID_ID)} ค่ะ",
        "เลขบัตร 1 1017 00230 71 6 ค่ะ",
        f"เลขบัตร{VALID_ID}ค่ะ",
        f"เลขบัตร {VALID_ID.translate(THAI_DIGITS)}",
        f"เลขบัตร {dashed(VALID_ID).translate(THAI_DIGITS)}",
    ],
)
def test_national_id_masked(text: str) -> None:
    masked = mask_pii(text)
    assert ID_TOKEN in masked
    assert "0230" not in masked and "๐๒๓๐" not in masked


def test_id_with_wrong_checksum_is_kept() -> None:
    text = "เลขอ้างอิง 1-1017-00230-71-9"
    assert mask_pii(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "โทร 081-234-5678 ค่ะ",
        "โทร 0812345678",
        "โทร 081 234 5678",
        "โทร 09-1234-5678",
        "โทร 062-345-6789",
        "โทร ๐๘๑-๒๓๔-๕๖๗๘",
        "โทร +66 81 234 5678",
        "โทร +66812345678",
        "โทร +66 (0) 81 234 5678",
        "โทร +66 2 123 4567",
        "โทร 0066 81 234 5678",
        "โทร 66 81 234 5678",
    ],
)
def test_personal_phone_masked(text: str) -> None:
    assert mask_pii(text) == f"โทร {PHONE_TOKEN}" + (" ค่ะ" if "ค่ะ" in text else "")


@pytest.mark.parametrize(
    "text",
    [
        "สายด่วน 1111 หรือ 1567",
        "ติดต่อสำนักงาน 02-612-6060 ในเวลาราชการ",
        "ศูนย์บริการ 053-112-233",
        "ปี 2567 ค่าธรรมเนียม 100 บาท",
        "เลขพัสดุ 12345678",
    ],
)
def test_published_numbers_kept(text: str) -> None:
    assert mask_pii(text) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ส่งมาที่ somchai.j@example.co.th ค่ะ", f"ส่งมาที่ {EMAIL_TOKEN} ค่ะ"),
        ("ส่งมาที่somchai+x@gmail.comค่ะ", f"ส่งมาที่{EMAIL_TOKEN}ค่ะ"),
    ],
)
def test_email_masked(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


def test_everything_at_once() -> None:
    text = f"ชื่อสมชาย {dashed(VALID_ID)} โทร 0812345678 อีเมล a@b.go.th"
    assert mask_pii(text) == (
        f"ชื่อสมชาย {ID_TOKEN} โทร {PHONE_TOKEN} อีเมล {EMAIL_TOKEN}"
    )


def test_empty() -> None:
    assert mask_pii("") == ""


# ---- properties -----------------------------------------------------------

first12 = st.text(alphabet="0123456789", min_size=12, max_size=12)
separators = st.sampled_from(["plain", "dashed", "spaced"])
surrounding = st.text(
    alphabet=st.sampled_from(list("กขคงจฉชซฌญฎฏฐ าิีึืุูเแโใไ่้๊๋ ?.,abcXYZ")),
    max_size=30,
)


def layout(digits: str, style: str) -> str:
    if style == "dashed":
        return dashed(digits)
    if style == "spaced":
        return dashed(digits).replace("-", " ")
    return digits


@settings(max_examples=300, deadline=None)
@given(first12, separators, st.booleans(), surrounding, surrounding)
def test_valid_ids_always_masked(
    digits12: str, style: str, thai: bool, before: str, after: str
) -> None:
    id_text = layout(with_checksum(digits12), style)
    if thai:
        id_text = id_text.translate(THAI_DIGITS)
    masked = mask_pii(f"{before} {id_text} {after}")
    assert ID_TOKEN in masked
    assert id_text not in masked


# Text with no PII: Thai/Latin words, punctuation, numbers of at most 4 digits
# (years, amounts, hotlines) and a published office number. Every number is
# followed by a word, so two numbers never run together into a longer one.
THAI_LETTERS = list("กขคงจฉชซนบปผฝพฟมยรลวสหอฮะาิีุู่้เแโ")
NUMBER_SUFFIXES = ["บาท", "ค่ะ", "ปี", "คน", "x"]
words = st.one_of(
    st.text(alphabet=st.sampled_from(THAI_LETTERS), min_size=1, max_size=8),
    st.text(alphabet=st.sampled_from(list("abcdefXYZ")), min_size=1, max_size=8),
    st.builds(
        "{} {}".format,
        st.one_of(
            st.integers(min_value=0, max_value=9999).map(str),
            st.just("02-612-6060"),
            st.just("1111"),
        ),
        st.sampled_from(NUMBER_SUFFIXES),
    ),
    st.sampled_from(["?", "!", ",", "(", ")", "ค่ะ"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=20).map(" ".join))
def test_text_without_pii_unchanged(text: str) -> None:
    assert mask_pii(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_mask_is_idempotent_and_total(text: str) -> None:
    once = mask_pii(text)
    assert mask_pii(once) == once


def test_back_to_back_emails_are_all_masked_and_masking_is_idempotent() -> None:
    masked = mask_pii("0@0.AA0@0.AA")
    assert "@" not in masked
    assert mask_pii(masked) == masked
