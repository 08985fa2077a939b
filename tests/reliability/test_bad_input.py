"""Bad input on every public channel of the running bot: REST, socket.io, LINE.

Each bad input gets a polite Thai reply or a clean 4xx JSON error, never a 5xx
or silence; ``/intent`` injection never reaches Rasa as an intent; SQL- and
HTML-looking text is harmless.
"""

from __future__ import annotations

import asyncio
import json
import random
import string
import uuid
from typing import Any, Callable

import pytest

from bot.channels.hygiene import (
    NOTICE_TOO_LONG,
    REPLY_EMPTY,
    REPLY_NOT_TEXT,
    conversation_id,
)
from bot.channels.line import REPLY_NOT_TEXT as LINE_REPLY_NOT_TEXT
from tests.support.servers import Servers
from tests.support.stores import (
    is_polite_thai,
    joined,
    socketio_first_reply,
    sqlite_path,
    sqlite_table_names,
    tracker_events,
    user_texts,
)

pytestmark = pytest.mark.e2e

WEBHOOK = "/webhooks/rest/webhook"
LONG_QUESTION = "จังหวัดลำพูนได้รางวัลไหมคะ " * 420  # 11,340 characters
NOTICE = NOTICE_TOO_LONG.format(limit=1000)
CONTROL = "\x00\x01จังหวัดลำพูน\x07ได้รางวัล\u200bไหม\x1b[31mคะ\u202e"
SQL_TEXTS = ["1'; DROP TABLE events; --", "' OR '1'='1' -- จังหวัดลำพูน"]
HTML = "<script>alert('x')</script><img src=x onerror=alert(1)>ลำพูนได้รางวัลไหม"
INJECTIONS = [
    "/restart",
    '/award_check{"body": "mea"}',
    "//greet",
    "\uff0fgreet",
    ' /session_start{"x":1}',
]


def body(sender: str, message: Any, **extra: Any) -> bytes:
    return json.dumps({"sender": sender, "message": message, **extra}).encode()


def sender() -> str:
    # Letters only: random hex can look like a phone number, and such a
    # sender id is stored under its pseudonym (tested below).
    return "bad-" + "".join(random.choices(string.ascii_lowercase, k=12))


def expect_reply(expected: str) -> Callable[[list], None]:
    def check(replies: list) -> None:
        assert [r["text"] for r in replies] == [expected]

    return check


def expect_polite(replies: list) -> None:
    assert replies, "silence"
    assert is_polite_thai(joined(replies)), replies


def expect_lamphun_answer(replies: list) -> None:
    assert "ลำพูน" in joined(replies), replies


def expect_truncated_and_answered(replies: list) -> None:
    assert replies[0]["text"] == NOTICE
    assert "ลำพูน" in joined(replies[1:]), replies


REST_OK_CASES = {
    "empty": ("", expect_reply(REPLY_EMPTY)),
    "whitespace": ("  \t\n\r  ", expect_reply(REPLY_EMPTY)),
    "zero-width only": ("\u200b\u200c\ufeff", expect_reply(REPLY_EMPTY)),
    "emoji only": ("😀🙏🎉", expect_reply(REPLY_NOT_TEXT)),
    "punctuation only": ("?!...!!", expect_reply(REPLY_NOT_TEXT)),
    "control characters": (CONTROL, expect_lamphun_answer),
    "11,000 characters": (LONG_QUESTION, expect_truncated_and_answered),
    "sql 1": (SQL_TEXTS[0], expect_polite),
    "sql 2": (SQL_TEXTS[1], expect_polite),
}


@pytest.mark.parametrize("case", sorted(REST_OK_CASES))
def test_rest_bad_text_gets_a_polite_thai_reply(servers: Servers, case: str) -> None:
    text, check = REST_OK_CASES[case]
    status, replies = servers.post(WEBHOOK, body(sender(), text))
    assert status == 200, replies
    check(replies)
    expect_polite(replies)


REST_4XX_CASES = {
    "invalid JSON": (b'{"sender": "a", "message": ', 400),
    "invalid UTF-8": (b'{"sender": "a", "message": "\xff\xfe\xc3"}', 400),
    "raw binary": (bytes(range(256)), 400),
    "empty body": (b"", 400),
    "JSON array": (b"[]", 400),
    "JSON string": (b'"hello"', 400),
    "JSON null": (b"null", 400),
    "message not a string": (body("a", 5), 400),
    "message missing": (b'{"sender": "a"}', 400),
    "sender missing": (b'{"message": "hi"}', 400),
    "sender object": (b'{"sender": {}, "message": "hi"}', 400),
    "sender too long": (body("x" * 300, "hi"), 400),
    "sender control char": (body("a\x00b", "hi"), 400),
    "sender lone surrogate": (b'{"sender": "a\\ud800", "message": "hi"}', 400),
    "body over 512 KiB": (body("a", "ก" * 100_000), 413),
}


@pytest.mark.parametrize("case", sorted(REST_4XX_CASES))
def test_rest_malformed_request_gets_a_clean_4xx(servers: Servers, case: str) -> None:
    raw, expected = REST_4XX_CASES[case]
    status, answer = servers.post(WEBHOOK, raw)
    assert status == expected, answer
    assert isinstance(answer, dict) and answer.get("error"), answer


@pytest.mark.parametrize(
    "client_id",
    [
        "0812345678",
        "someone@example.com",
        # a random UUID whose hex happens to hold a mobile number
        "3f2a9c0812345678b4e1d7a6c5f0e9d2",
    ],
)
def test_rest_sender_with_personal_data_is_pseudonymised(
    servers: Servers, client_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answered and continued like any conversation, addressed to the
    client's own id, but stored only under a keyed hash of it."""
    tracker_url = servers.env["TRACKER_STORE_URL"]
    monkeypatch.setenv("SENDER_ID_KEY", servers.env["SENDER_ID_KEY"])
    stored_id = conversation_id(client_id)
    assert stored_id != client_id
    before = len(user_texts(tracker_url, stored_id))
    for text in ("สวัสดีค่ะ", "กฟน.ได้รางวัลไหม"):
        status, replies = servers.post(WEBHOOK, body(client_id, text))
        assert status == 200, replies
        expect_polite(replies)
        assert {r["recipient_id"] for r in replies} == {client_id}
    assert len(user_texts(tracker_url, stored_id)) == before + 2
    assert user_texts(tracker_url, client_id) == []
    db = sqlite_path(tracker_url)
    for path in (db, db.with_name(db.name + "-wal")):
        if path.exists():
            assert client_id.encode() not in path.read_bytes(), path


def test_rest_wrong_method_is_a_clean_4xx(servers: Servers) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(servers.rasa_url + WEBHOOK, timeout=10)
    assert error.value.code == 405


def test_intent_injection_never_reaches_rasa_as_an_intent(servers: Servers) -> None:
    tracker_url = servers.env["TRACKER_STORE_URL"]
    who = sender()
    for text in INJECTIONS:
        status, replies = servers.post(WEBHOOK, body(who, text))
        assert status == 200
        expect_polite(replies)
    stored = user_texts(tracker_url, who)
    assert len(stored) == len(INJECTIONS)
    assert not any(t.lstrip().startswith(("/", "\uff0f")) for t in stored), stored
    types = {e["type"] for e in tracker_events(tracker_url, who)}
    assert "restart" not in types and types >= {"user", "bot"}


def test_sql_and_html_are_harmless(servers: Servers) -> None:
    tracker_db = sqlite_path(servers.env["TRACKER_STORE_URL"])
    who = sender()
    status, replies = servers.post(WEBHOOK, body(who, HTML))
    assert status == 200
    text = joined(replies)
    assert "<script" not in text and "onerror" not in text
    for sql in SQL_TEXTS:
        assert servers.post(WEBHOOK, body(who, sql))[0] == 200
    assert "events" in sqlite_table_names(tracker_db)
    assert SQL_TEXTS[0] in user_texts(servers.env["TRACKER_STORE_URL"], who)
    # the service database still answers
    assert "ลำพูน" in joined(servers.chat(sender(), "จังหวัดลำพูนได้รางวัลไหมคะ"))


# --------------------------------------------------------------------- socket.io

SOCKET_CASES = [
    ({"message": ""}, REPLY_EMPTY),
    ({"message": "   \n\t"}, REPLY_EMPTY),
    ({"message": {"not": "text"}}, REPLY_EMPTY),
    ("not even an object", None),
    ({"message": "🙏🙏🙏"}, REPLY_NOT_TEXT),
    ({"message": LONG_QUESTION}, NOTICE),
    ({"message": CONTROL}, None),
    ({"message": "/restart"}, None),
    ({"message": SQL_TEXTS[0]}, None),
    ({"message": HTML, "metadata": "{not json"}, None),
]


def test_socketio_bad_input_gets_a_polite_thai_reply(servers: Servers) -> None:
    async def all_cases() -> list[str]:
        return list(
            await asyncio.gather(
                *(socketio_first_reply(servers.rasa_url, p) for p, _ in SOCKET_CASES)
            )
        )

    texts = asyncio.run(all_cases())
    for (payload, expected), text in zip(SOCKET_CASES, texts, strict=True):
        if expected is not None:
            assert text == expected, (payload, text)
        assert is_polite_thai(text), (payload, text)
        assert "<script" not in text


# --------------------------------------------------------------------------- LINE


def line_event(user: str, message: dict, token: str) -> bytes:
    event = {
        "type": "message",
        "mode": "active",
        "timestamp": 0,
        "source": {"type": "user", "userId": user},
        "webhookEventId": uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": token,
        "message": {"id": "1", **message},
    }
    return json.dumps({"destination": "Ubot", "events": [event]}).encode()


LINE_TEXT_CASES = [
    ("", [REPLY_EMPTY]),
    ("\u3000 \t", [REPLY_EMPTY]),
    ("😀😀", [REPLY_NOT_TEXT]),
    (LONG_QUESTION, None),
    (CONTROL, None),
    ('/award_check{"body": "mea"}', None),
    (SQL_TEXTS[0], None),
    (HTML, None),
]


def test_line_bad_text_gets_a_polite_thai_reply(servers: Servers) -> None:
    for index, (text, expected) in enumerate(LINE_TEXT_CASES):
        texts = servers.line_say(f"Ubad{index:02d}{uuid.uuid4().hex[:8]}", text)
        if expected is not None:
            assert texts == expected
        if text == LONG_QUESTION:
            assert texts[0] == NOTICE and "ลำพูน" in "\n".join(texts[1:])
        assert is_polite_thai("\n".join(texts)), (text[:40], texts)
        assert "<script" not in "\n".join(texts)


def test_line_malformed_webhooks_get_clean_4xx(servers: Servers) -> None:
    good = line_event("Ux", {"type": "text", "text": "hi"}, uuid.uuid4().hex)
    assert servers.line_post(good, signature="bm90IHRoZSBzaWduYXR1cmU=") == 401
    assert servers.line_post(good, signature="") == 401
    assert servers.line_post(b'{"events": [') == 400
    assert servers.line_post(b'{"events": "\xff\xfe"}') == 400
    assert servers.line_post(b"[1, 2]") == 400
    assert servers.line_post(b'{"events": {"a": 1}}') == 400


def test_line_sticker_gets_a_polite_thai_reply(servers: Servers) -> None:
    assert servers.line_api is not None
    token = uuid.uuid4().hex
    sticker = {"type": "sticker", "packageId": "1", "stickerId": "1"}
    assert servers.line_post(line_event("Usticker", sticker, token)) == 200
    assert servers.line_api.wait_reply(token) == [LINE_REPLY_NOT_TEXT]
