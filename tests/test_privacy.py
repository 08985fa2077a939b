"""Tests for bot.privacy.mask_pii."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import (
    BANK_TOKEN,
    EMAIL_TOKEN,
    ID_TOKEN,
    PASSPORT_TOKEN,
    PHONE_TOKEN,
    TOKENS,
    is_valid_thai_id,
    mask_keyed_text,
    mask_number,
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


BAD_ID = "1101700230719"  # VALID_ID with a wrong check digit (a typo)


@pytest.mark.parametrize(
    "text",
    [
        # grouped as on the card: masked whatever the checksum
        "เลขอ้างอิง 1-1017-00230-71-9",
        "1 1017 00230 71 9 ค่ะ",
        "ของฉัน 1.1017.00230.71.9",
        "๑-๑๐๑๗-๐๐๒๓๐-๗๑-๙",
        "๑.๑๐๑๗.๐๐๒๓๐.๗๑.๙",
        "1 1017-00230 71.9",
        # announced as an ID: any 13 digits, any grouping
        f"เลขบัตรประชาชน {BAD_ID}",
        f"บัตรประชาชน:{BAD_ID}",
        f"เลขบัตร {BAD_ID} ค่ะ",
        f"เลขประจำตัวประชาชน {BAD_ID}",
        f"เลขประจำตัวประชาชน {BAD_ID.translate(THAI_DIGITS)}",
        f"บัตร ปชช {BAD_ID}",
        f"บัตรปชช. {BAD_ID}",
        f"บัตรประจำตัวประชาชนเลขที่ {BAD_ID}",
        f"ID card {BAD_ID}",
        f"my id card no. is {BAD_ID}",
        f"National ID: {BAD_ID}",
        "เลขบัตร 1101 7002 3071 9",
        "เลขบัตร 1101-7002-3071-9",
        "เลขบัตร 110.170.023.071.9",
        "เลขบัตร ๑๑๐๑ ๗๐๐๒ ๓๐๗๑ ๙",
        f"บัตรประชาชนของผมคือเลข {BAD_ID} ครับ",  # 20 characters between
    ],
)
def test_id_with_any_checksum_masked_in_card_layout_or_after_an_id_word(
    text: str,
) -> None:
    masked = mask_pii(text)
    assert ID_TOKEN in masked
    assert not any(ch.isdigit() for ch in masked), masked
    assert mask_pii(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "3.1005.01234.56.3",  # dots, as some forms print it (valid checksum)
        "เลข 3.1005.01234.56.3 ค่ะ",
        "๓.๑๐๐๕.๐๑๒๓๔.๕๖.๓",
        "3 1005 01234 56 3",
        "3-1005-01234-56-3",
        "3100501234563",
        "๓๑๐๐๕๐๑๒๓๔๕๖๓",
    ],
)
def test_valid_id_with_dots_masked(text: str) -> None:
    assert is_valid_thai_id("3100501234563")
    masked = mask_pii(text)
    assert ID_TOKEN in masked
    assert not any(ch.isdigit() for ch in masked), masked


@pytest.mark.parametrize(
    "text",
    [
        f"เลขพัสดุ {BAD_ID}",  # a tracking number: no ID word, not card layout
        f"เลขอ้างอิง {BAD_ID} ค่ะ",
        f"EMS {BAD_ID}",
        f"เลขบัตรคิว 12 ส่วนเลขพัสดุที่ได้มาคือ {BAD_ID}",  # ID word too far
    ],
)
def test_tracking_number_with_wrong_checksum_is_kept(text: str) -> None:
    assert mask_pii(text) == text


def test_several_ids_after_one_id_word_are_all_masked() -> None:
    masked = mask_pii(f"เลขบัตร {BAD_ID} และ 1101700230718 และ 1101700230717")
    assert masked == f"เลขบัตร {ID_TOKEN} และ {ID_TOKEN} และ {ID_TOKEN}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("พาสปอร์ต AA1234567", f"พาสปอร์ต {PASSPORT_TOKEN}"),
        ("พาสปอร์ตAA1234567ค่ะ", f"พาสปอร์ต{PASSPORT_TOKEN}ค่ะ"),
        ("หนังสือเดินทาง เลขที่ AA1234567", f"หนังสือเดินทาง เลขที่ {PASSPORT_TOKEN}"),
        ("หนังสือเดินทางเลขที่ AA ๑๒๓๔๕๖๗", f"หนังสือเดินทางเลขที่ {PASSPORT_TOKEN}"),
        ("passport no. AB123456", f"passport no. {PASSPORT_TOKEN}"),
        ("Passport No: ab-1234567", f"Passport No: {PASSPORT_TOKEN}"),
        ("PASSPORT number X12345678", f"PASSPORT number {PASSPORT_TOKEN}"),
        ("พาสปอต เลข 123456789", f"พาสปอต เลข {PASSPORT_TOKEN}"),
    ],
)
def test_passport_number_masked(text: str, expected: str) -> None:
    assert mask_pii(text) == expected
    assert mask_pii(expected) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("เลขบัญชี 123-4-56789-0", f"เลขบัญชี {BANK_TOKEN}"),
        ("เลขบัญชี 123 4 56789 0 ค่ะ", f"เลขบัญชี {BANK_TOKEN} ค่ะ"),
        ("เลขบัญชี 123.4.56789.0", f"เลขบัญชี {BANK_TOKEN}"),
        ("เลขบัญชี ๑๒๓-๔-๕๖๗๘๙-๐", f"เลขบัญชี {BANK_TOKEN}"),
        ("บัญชีธนาคาร 1234567890", f"บัญชีธนาคาร {BANK_TOKEN}"),
        ("บัญชีธนาคารกรุงไทย เลขที่ 1234567890", f"บัญชีธนาคารกรุงไทย เลขที่ {BANK_TOKEN}"),
        ("บช. 123-456789-0", f"บช. {BANK_TOKEN}"),
        ("บ/ช 020-1-23456-7", f"บ/ช {BANK_TOKEN}"),
        ("เลขบัญชี 123456789012", f"เลขบัญชี {BANK_TOKEN}"),  # 12 digits (GSB)
        ("bank account 123-4-56789-0", f"bank account {BANK_TOKEN}"),
        # PromptPay on a mobile number, given as the account: still masked
        ("เลขบัญชี 0812345678", f"เลขบัญชี {BANK_TOKEN}"),
    ],
)
def test_bank_account_masked(text: str, expected: str) -> None:
    assert mask_pii(text) == expected
    assert mask_pii(expected) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ต้องใช้หนังสือเดินทางไหมคะ",
        "พาสปอร์ตหมดอายุปี 2568",
        "เปิดบัญชีธนาคารต้องใช้สำเนาบัตรไหม 2 ใบ",
        "ค่าธรรมเนียม 1,500 บาท โอนเข้าบัญชี",
        "ราคา 1.5 บาท",
    ],
)
def test_words_without_numbers_kept(text: str) -> None:
    assert mask_pii(text) == text


def test_every_token_is_listed() -> None:
    assert set(TOKENS) == {
        ID_TOKEN,
        PHONE_TOKEN,
        EMAIL_TOKEN,
        PASSPORT_TOKEN,
        BANK_TOKEN,
    }
    for token in TOKENS:
        assert mask_pii(token) == token
        assert not any(ch.isdigit() or ch == "@" for ch in token)


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


ID_WORDS = st.sampled_from(
    ["บัตรประชาชน", "เลขบัตร", "เลขประจำตัวประชาชน", "ID card", "บัตร ปชช", "บัตร"]
)
ID_SEPARATORS = st.sampled_from(["-", " ", "."])


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=13, max_size=13),
    ID_SEPARATORS,
    st.booleans(),
    surrounding,
    surrounding,
)
def test_card_layout_always_masked_whatever_the_checksum(
    digits: str, sep: str, thai: bool, before: str, after: str
) -> None:
    id_text = dashed(digits).replace("-", sep)
    if thai:
        id_text = id_text.translate(THAI_DIGITS)
    masked = mask_pii(f"{before} {id_text} {after}")
    assert ID_TOKEN in masked
    assert id_text not in masked


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=13, max_size=13),
    ID_WORDS,
    st.sampled_from(["", " ", ": ", " เลขที่ ", " no. "]),
    st.booleans(),
    surrounding,
)
def test_13_digits_after_an_id_word_always_masked(
    digits: str, word: str, gap: str, thai: bool, after: str
) -> None:
    number = digits.translate(THAI_DIGITS) if thai else digits
    masked = mask_pii(f"{word}{gap}{number} {after}")
    assert ID_TOKEN in masked
    assert number not in masked


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=20).map(" ".join))
def test_text_without_pii_unchanged(text: str) -> None:
    assert mask_pii(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_mask_is_idempotent_and_total(text: str) -> None:
    once = mask_pii(text)
    assert mask_pii(once) == once


PII_PIECES = st.one_of(
    st.sampled_from(
        [
            "เลขบัตร",
            "บัตรประชาชน",
            "ID card",
            "พาสปอร์ต",
            "passport no.",
            "เลขบัญชี",
            "บช.",
            "โทร",
            "1-1017-00230-71-9",
            "3.1005.01234.56.3",
            "AA1234567",
            "123-4-56789-0",
            "0812345678",
            "a@b.co",
            "[เลขบัตรประชาชน]",
            "[เลขบัญชี]",
            "[เลขหนังสือเดินทาง]",
        ]
    ),
    st.text(alphabet="0123456789๐๑ .-", max_size=15),
    st.text(alphabet="กขคabc ", max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PII_PIECES, max_size=12).map("".join))
def test_mask_is_idempotent_on_pii_like_text(text: str) -> None:
    once = mask_pii(text)
    assert mask_pii(once) == once


def test_back_to_back_emails_are_all_masked_and_masking_is_idempotent() -> None:
    masked = mask_pii("0@0.AA0@0.AA")
    assert "@" not in masked
    assert mask_pii(masked) == masked


# ---------------------------------------------------------------- metadata
@pytest.mark.parametrize(
    ("value", "key", "token"),
    [
        (812345678, "", PHONE_TOKEN),  # a mobile whose leading 0 JSON dropped
        (66812345678, "tel", PHONE_TOKEN),
        (3560123456789, "", ID_TOKEN),  # valid checksum
        (5820174639021, "national_id", ID_TOKEN),  # mistyped, announced by its key
        (5820174639021.0, "id card", ID_TOKEN),
        (12345678, "passport", PASSPORT_TOKEN),
        (1234567890, "เลขบัญชี", BANK_TOKEN),
    ],
)
def test_numbers_in_metadata_masked(value, key, token) -> None:
    assert mask_number(value, key) == token


@pytest.mark.parametrize(
    "value", [42, 1.5, 1764598408000, 1920, 5820174639021, True, 20261201]
)
def test_other_numbers_in_metadata_kept(value) -> None:
    """Counts, sizes, timestamps and a 13-digit number without an ID checksum
    or key stay numbers."""
    assert mask_number(value, "ts") == value


def test_metadata_numbers_and_keyed_strings_masked_by_the_channels() -> None:
    from bot.channels.hygiene import clean_metadata

    cleaned = clean_metadata(
        {
            "contact": {"phone": 812345678, "passport": "AA1234567"},
            "ids": [3560123456789],
            "screen": {"width": 1920},
        }
    )
    assert cleaned == {
        "contact": {"phone": PHONE_TOKEN, "passport": PASSPORT_TOKEN},
        "ids": [ID_TOKEN],
        "screen": {"width": 1920},
    }
    assert mask_keyed_text("AA1234567", "") == "AA1234567"
