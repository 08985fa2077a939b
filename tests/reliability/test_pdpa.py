"""Personal data (PDPA): national ID numbers (also mistyped ones and dotted
groups), passport and bank account numbers, phone numbers and e-mails that a
citizen types are masked before anything is stored.

A conversation full of them goes through REST (also in the metadata), LINE and
socket.io of the running bot; then every byte the bot stored is scanned: the
tracker store's SQLite file, the Rasa and action server logs, and the service
database (which holds the unanswered-questions table). No raw value may
appear, in any of the ways it was written; the masks must.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from pathlib import Path

import pytest

from bot.privacy import (
    BANK_TOKEN,
    EMAIL_TOKEN,
    ID_TOKEN,
    PASSPORT_TOKEN,
    PHONE_TOKEN,
    is_valid_thai_id,
)
from tests.support.servers import Servers
from tests.support.stores import socketio_first_reply, sqlite_path, user_texts

pytestmark = pytest.mark.e2e

# Valid checksums (bot.privacy.is_valid_thai_id); unusual enough not to occur
# anywhere by chance.
NATIONAL_IDS = ["3560123456789", "1709900451238"]
MOBILES = ["0897654321", "0619988776"]
EMAILS = ["somsri.rakthai@example.org", "k.wanchai+bot@mail.example.co.th"]

REST_MESSAGES = [
    "เลขบัตรประชาชน 3-5601-23456-78-9 ยังต้องถ่ายสำเนาบัตรไหมคะ",
    "ฝากเบอร์ 089-765-4321 กับอีเมล somsri.rakthai@example.org ไว้นะ ช่วยติดต่อกลับด้วย",
    "บัตร 3560123456789 เบอร์ +66 89 765 4321 จังหวัดลำพูนได้รางวัลไหม",
]
LINE_MESSAGES = [
    "เลขบัตร 1 7099 00451 23 8 ต้องใช้สำเนาไหมคะ",
    "โทรหาฉันที่ 061-998-8776 หรือ k.wanchai+bot@mail.example.co.th",
]
METADATA = {"contact": {"phone": "089-765-4321", "id": NATIONAL_IDS[0]}}
# The same values as JSON numbers (a mobile loses its leading 0) and under
# keys that announce them: masked like text (bot.privacy.mask_number).
NUMERIC_METADATA = {
    "contact": {"mobile": int(MOBILES[0]), "citizen_id": int(NATIONAL_IDS[1])},
    "passport": int("58301946"),
    "bank_account": int("5093718264"),
    "screen": {"width": 1920},
}
SOCKET_MESSAGE = "บัตรประชาชนเลข 1709900451238 โทร 0619988776"

# Issue 16: forms that used to be stored in clear. Each goes through every
# channel; (message, the token it must leave, the raw values as written).
MISTYPED_ID = "5820174639021"  # wrong check digit, announced as an ID
CARD_LAYOUT_BAD_ID = "4-9921-07733-18-9"  # card layout, wrong check digit
DOTTED_ID = "2.8406.71152.30.0"  # valid, grouped with dots
THAI_DOTTED_ID = "๒.๘๔๐๖.๗๑๑๕๒.๓๐.๐"
PASSPORTS = ["AA7351904", "KX640218"]
BANK_ACCOUNTS = ["472-3-91856-0", "618-204937-5", "5093718264"]
NEW_CASES = [
    (f"เลขประจำตัวประชาชน {MISTYPED_ID} ต้องถ่ายสำเนาไหมคะ", ID_TOKEN),
    (f"ผมจำเลขได้ว่า {CARD_LAYOUT_BAD_ID} ถูกไหมครับ", ID_TOKEN),
    (f"เลข {DOTTED_ID} กับ {THAI_DOTTED_ID} ใช้สมัคร Biz Portal ได้ไหม", ID_TOKEN),
    (
        f"พาสปอร์ต {PASSPORTS[0]} หรือ passport no. {PASSPORTS[1]} ใช้แทนบัตรได้ไหม",
        PASSPORT_TOKEN,
    ),
    (
        f"เลขบัญชี {BANK_ACCOUNTS[0]} บช. {BANK_ACCOUNTS[1]}"
        f" บัญชีธนาคาร {BANK_ACCOUNTS[2]} โอนค่าธรรมเนียมได้ไหม",
        BANK_TOKEN,
    ),
]
NEW_VALUES = [
    "58301946",  # passport number sent as a JSON number
    MISTYPED_ID,
    CARD_LAYOUT_BAD_ID,
    DOTTED_ID,
    THAI_DOTTED_ID,
    *PASSPORTS,
    *BANK_ACCOUNTS,
]


def raw_forms() -> list[str]:
    """Every way the values were written, and their bare digits."""
    forms = set(NATIONAL_IDS + MOBILES + EMAILS)
    for message in REST_MESSAGES + LINE_MESSAGES + [SOCKET_MESSAGE]:
        forms.update(re.findall(r"\+?\d[\d -]{8,}\d", message))
    forms.update(f"{m[:3]}-{m[3:6]}-{m[6:]}" for m in MOBILES)
    forms.update(m[1:] for m in MOBILES)  # without the leading 0 (+66 form)
    forms.update(e.split("@")[0] for e in EMAILS)
    for value in NEW_VALUES:
        forms.add(value)
        digits = value.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789"))
        forms.add(re.sub(r"[^0-9A-Za-z]", "", digits))  # bare digits (and letters)
    # Rasa stores events as JSON with \\u escapes: Thai digits in that form too.
    forms.update(json.dumps(f)[1:-1] for f in list(forms) if not f.isascii())
    return sorted(forms)


def stored_bytes(paths: list[Path]) -> dict[str, bytes]:
    """Contents of the files (and SQLite's -wal/-journal files next to them)."""
    out: dict[str, bytes] = {}
    for path in paths:
        for candidate in [path, *path.parent.glob(path.name + "-*")]:
            if candidate.is_file():
                out[str(candidate)] = candidate.read_bytes()
    return out


def leaks(contents: dict[str, bytes]) -> list[str]:
    found = []
    for name, data in contents.items():
        text = data.decode("utf-8", "replace")
        for form in raw_forms():
            if form in text:
                found.append(f"{form!r} in {name}")
    return found


def test_personal_data_is_masked_everywhere_it_is_stored(servers: Servers) -> None:
    rest_sender = f"pdpa-{uuid.uuid4().hex[:8]}"
    for message in REST_MESSAGES:
        status, replies = servers.post(
            "/webhooks/rest/webhook",
            {
                "sender": rest_sender,
                "message": message,
                "metadata": {
                    "contact": {"phone": "089-765-4321", "id": NATIONAL_IDS[0]},
                    "numbers": NUMERIC_METADATA,
                },
            },
        )
        assert status == 200 and replies
    line_user = f"U{uuid.uuid4().hex}"
    for message in LINE_MESSAGES:
        assert servers.line_say(line_user, message)
    for message, _ in NEW_CASES:
        status, replies = servers.post(
            "/webhooks/rest/webhook", {"sender": rest_sender, "message": message}
        )
        assert status == 200 and replies
        assert servers.line_say(line_user, message)
    assert asyncio.run(
        socketio_first_reply(
            servers.rasa_url,
            {"message": SOCKET_MESSAGE, "metadata": NUMERIC_METADATA},
        )
    )
    for message, _ in NEW_CASES:
        assert asyncio.run(socketio_first_reply(servers.rasa_url, {"message": message}))

    # The conversations were stored, masked.
    tracker_url = servers.env["TRACKER_STORE_URL"]
    rest_texts = user_texts(tracker_url, rest_sender)
    assert len(rest_texts) == len(REST_MESSAGES) + len(NEW_CASES)
    assert ID_TOKEN in rest_texts[0]
    assert PHONE_TOKEN in rest_texts[1] and EMAIL_TOKEN in rest_texts[1]
    assert rest_texts[2].count(ID_TOKEN) == 1 and PHONE_TOKEN in rest_texts[2]
    line_texts = user_texts(tracker_url, line_user)
    assert len(line_texts) == len(LINE_MESSAGES) + len(NEW_CASES)
    assert ID_TOKEN in line_texts[0] and EMAIL_TOKEN in line_texts[1]
    for texts in (rest_texts[len(REST_MESSAGES) :], line_texts[len(LINE_MESSAGES) :]):
        for text, (_, token) in zip(texts, NEW_CASES, strict=True):
            assert token in text, text
    # the two dotted IDs, both passports and all three accounts: one token each
    assert rest_texts[len(REST_MESSAGES) + 2].count(ID_TOKEN) == 2
    assert rest_texts[len(REST_MESSAGES) + 3].count(PASSPORT_TOKEN) == 2
    assert rest_texts[len(REST_MESSAGES) + 4].count(BANK_TOKEN) == 3

    stored = stored_bytes(
        [
            sqlite_path(tracker_url),
            sqlite_path(servers.env["DATABASE_URL"]),
            *servers.log_files(),
        ]
    )
    assert len(stored) >= 4, sorted(stored)
    assert not leaks(stored), leaks(stored)


def test_the_scanner_finds_a_raw_value() -> None:
    """The leak check above can fail: a raw value in a file is reported."""
    assert leaks({"x.log": b"user said 089-765-4321"}) == ["'089-765-4321' in x.log"]
    assert leaks({"t.db": "3560123456789".encode()})
    assert leaks({"t.db": b'{"text": "\\u0e52.\\u0e58\\u0e54\\u0e50\\u0e56"}'}) == []
    assert leaks({"t.db": json.dumps({"text": THAI_DOTTED_ID}).encode()})
    assert leaks({"t.db": b"50937-18264"}) == []
    assert leaks({"t.db": b"acct 5093718264"})


def test_the_new_cases_are_what_they_claim() -> None:
    """The issue-16 values have the property each case is about."""
    assert not is_valid_thai_id(MISTYPED_ID)
    assert not is_valid_thai_id(CARD_LAYOUT_BAD_ID)
    assert is_valid_thai_id(DOTTED_ID) and is_valid_thai_id(THAI_DOTTED_ID)
