"""Erasure and logs on the running bot (SQLite tracker store and service DB,
as by default):

* REST and LINE: after "ลบข้อมูลของฉัน" and "ใช่", no byte of the
  conversation (its text, in UTF-8 or as Rasa's JSON escapes, or its id) is
  left in the tracker database, its WAL, the service database or the logs;
  another citizen's conversation is untouched; the next message starts a
  fresh conversation.
* The Rasa, action server and channel logs never hold a message's text or a
  raw sender id (REST, LINE, socket.io), while the conversations are stored.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import List

import pytest

from bot.privacy.reference import reference_code
from bot.replies import privacy as wording
from tests.support.privacy import file_bytes, stored_forms
from tests.support.servers import Servers
from tests.support.stores import sqlite_path, tracker_events, user_texts

pytestmark = pytest.mark.e2e


def unique(label: str) -> str:
    """A Thai sentence found nowhere else (letters only: nothing to mask)."""
    tail = "".join(chr(0x0E01 + int(c, 16)) for c in uuid.uuid4().hex[:10])
    return f"ขอถามเรื่อง{label}ของบ้านเลขที่ไม่มีใครรู้ {tail}"


def scan(servers: Servers, needles: List[bytes]) -> List[str]:
    """Where any needle is stored: tracker DB + WAL, service DB, logs."""
    paths = [
        sqlite_path(servers.env["TRACKER_STORE_URL"]),
        sqlite_path(servers.env["DATABASE_URL"]),
        *servers.log_files(),
    ]
    found = []
    for path in paths:
        data = file_bytes(path)
        found += [f"{n!r} in {path.name}" for n in needles if n in data]
    return found


def wait_until_gone(servers: Servers, sender: str, seconds: float = 20) -> None:
    """The erasure runs right after the reply is sent: wait for it."""
    deadline = time.monotonic() + seconds
    url = servers.env["TRACKER_STORE_URL"]
    while tracker_events(url, sender) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_rest_erasure_leaves_no_byte_and_others_untouched(servers: Servers) -> None:
    sender, other = f"erase-{uuid.uuid4().hex[:10]}", f"keep-{uuid.uuid4().hex[:10]}"
    secret, kept = unique("ที่ดิน"), unique("ร้านค้า")
    servers.chat(sender, secret)
    servers.chat(other, kept)
    url = servers.env["TRACKER_STORE_URL"]
    assert secret in user_texts(url, sender)
    ask = servers.chat(sender, wording.ERASE_COMMAND)
    assert ask[0]["text"] == wording.ask_erasure().text
    assert [b["payload"] for b in ask[0]["buttons"]] == ["ใช่", "ไม่ใช่"]
    done = servers.chat(sender, "ใช่")
    assert done[0]["text"] == wording.erasure_done().text
    wait_until_gone(servers, sender)
    assert tracker_events(url, sender) == []
    assert kept in user_texts(url, other)
    assert scan(servers, stored_forms(secret) + [sender.encode()]) == []
    assert scan(servers, stored_forms(kept)), "the scan must see what is kept"
    # the next message starts a fresh conversation
    servers.chat(sender, "สวัสดีค่ะ")
    assert user_texts(url, sender) == ["สวัสดีค่ะ"]


def test_no_keeps_the_conversation(servers: Servers) -> None:
    sender = f"keep-{uuid.uuid4().hex[:10]}"
    servers.chat(sender, wording.ERASE_COMMAND)
    no = servers.chat(sender, "ไม่ใช่")
    assert no[0]["text"] == wording.erasure_cancelled().text
    assert len(user_texts(servers.env["TRACKER_STORE_URL"], sender)) == 2


def test_line_erasure_in_the_chat(servers: Servers) -> None:
    user = f"U{uuid.uuid4().hex}"
    secret = unique("นา")
    servers.line_say(user, secret)
    assert wording.ask_erasure().text in servers.line_say(user, "ลบประวัติการสนทนา")
    assert wording.erasure_done().text in servers.line_say(user, "ใช่")
    wait_until_gone(servers, user)
    assert tracker_events(servers.env["TRACKER_STORE_URL"], user) == []
    assert scan(servers, stored_forms(secret) + [user.encode()]) == []


async def socketio_say(rasa_url: str, session_id: str, text: str) -> List[str]:
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    answers: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", answers.put)
    client.on("session_confirm", confirmed.put)
    await client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": session_id})
        confirmed_id = await asyncio.wait_for(confirmed.get(), 30)
        await client.emit("user_uttered", {"message": text, "session_id": confirmed_id})
        texts = [str((await asyncio.wait_for(answers.get(), 90)).get("text") or "")]
        while True:  # the rest of the turn (e.g. the notice after the answer)
            try:
                answer = await asyncio.wait_for(answers.get(), 2)
                texts.append(str(answer.get("text") or ""))
            except asyncio.TimeoutError:
                return texts
    finally:
        await client.eio.disconnect(abort=True)


def test_logs_hold_no_message_text_and_no_raw_sender_id(servers: Servers) -> None:
    rest_sender, line_user = f"logs-{uuid.uuid4().hex[:10]}", f"U{uuid.uuid4().hex}"
    session = uuid.uuid4().hex
    texts = [unique("ภาษี"), unique("โฉนด"), unique("ทะเบียน"), unique("สมรส")]
    servers.chat(rest_sender, texts[0])
    servers.chat(rest_sender, "ข้อความ" + texts[1][5:])  # a fallback-ish message
    servers.line_say(line_user, texts[2])
    assert asyncio.run(socketio_say(servers.rasa_url, session, texts[3]))
    url = servers.env["TRACKER_STORE_URL"]
    assert user_texts(url, rest_sender) and user_texts(url, line_user)
    logs: List[Path] = servers.log_files()
    assert len(logs) >= 2
    needles = [rest_sender, line_user, session, *texts, texts[1][5:]]
    for log in logs:
        data = log.read_bytes()
        for needle in needles:
            for form in stored_forms(needle):
                assert form not in data, (needle, log.name)


def test_socketio_notice_then_erasure_in_the_chat(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_ID_KEY", servers.env["SENDER_ID_KEY"])
    session = uuid.uuid4().hex
    secret = unique("สวน")
    first = asyncio.run(socketio_say(servers.rasa_url, session, secret))
    # the answer first, then the notice with this conversation's code
    assert len(first) >= 2 and reference_code(session) in first[-1]
    assert session not in first[-1]
    ask = asyncio.run(socketio_say(servers.rasa_url, session, "ลบแชทนี้ทิ้งเลย"))
    assert ask == [wording.ask_erasure().text]
    done = asyncio.run(socketio_say(servers.rasa_url, session, "ใช่"))
    assert done == [wording.erasure_done().text]
    wait_until_gone(servers, session)
    assert tracker_events(servers.env["TRACKER_STORE_URL"], session) == []
    assert scan(servers, stored_forms(secret) + [session.encode()]) == []
