"""The turn runner's privacy step (bot/privacy/turn_hook.py) through the real
REST channel and `run_turn`, with Rasa's SQL tracker store and lock store:

* the privacy notice comes once per conversation and notice version, as the
  last message after the answer, with the conversation's reference code;
* a yes to the erasure question erases the conversation after the turn was
  saved, under the conversation's lock; the next message starts afresh.

The dialogue is a stand-in for Rasa (`FakeRasa`): what is tested is what the
channel and the turn runner do after Rasa saved a turn.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any, AsyncIterator, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import UserUttered

from bot.channels.rest import SafeRestInput
from bot.privacy import turn_hook
from bot.privacy.reference import reference_code
from bot.replies import privacy as wording
from tests.support.privacy import FakeRasa, Stores, serve_with_agent


@asynccontextmanager
async def rest_server(agent: Any) -> AsyncIterator[str]:
    async with serve_with_agent([SafeRestInput()], agent) as url:
        yield url


def post(url: str, sender: str, text: str) -> List[str]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        url + "/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return [m.get("text", "") for m in json.loads(response.read())]


async def chat(agent: Any, turns: List[tuple[str, str]]) -> List[List[str]]:
    async with rest_server(agent) as url:
        return [await asyncio.to_thread(post, url, s, t) for s, t in turns]


def test_notice_once_per_conversation_and_version_after_the_answer(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "45")
    monkeypatch.setenv("PRIVACY_PAGE_URL", "https://chat.example.go.th/privacy")
    agent = FakeRasa(stores)
    first, second, other = asyncio.run(
        chat(agent, [("n1", "สำเนาบัตร"), ("n1", "อีกเรื่อง"), ("n2", "Biz Portal")])
    )
    assert len(first) == 2 and first[0] == "คำตอบเรื่อง สำเนาบัตร ค่ะ"
    notice = first[-1]
    assert "45 วัน" in notice and wording.ERASE_COMMAND in notice
    assert reference_code("n1") in notice and "n1" not in notice.split()
    assert "https://chat.example.go.th/privacy" in notice
    assert second == ["คำตอบเรื่อง อีกเรื่อง ค่ะ"]
    assert other[-1] != notice and reference_code("n2") in other[-1]
    monkeypatch.setenv("PRIVACY_NOTICE_VERSION", "2027-01")
    (again,) = asyncio.run(chat(agent, [("n1", "ถามอีก")]))
    assert len(again) == 2 and reference_code("n1") in again[-1]
    monkeypatch.setenv("PRIVACY_NOTICE", "off")
    (off,) = asyncio.run(chat(agent, [("n3", "ถาม")]))
    assert off == ["คำตอบเรื่อง ถาม ค่ะ"]


def test_yes_erases_after_the_turn_under_the_lock(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIVACY_NOTICE", "off")
    agent = FakeRasa(stores)
    original = turn_hook.erase_conversation

    def spy(engine: Any, sender: str, url: Any = None) -> Any:
        lock = agent.lock_store.get_lock(sender)
        agent.locked_during_erasure.append(lock is not None)
        return original(engine, sender, url)

    monkeypatch.setattr(turn_hook, "erase_conversation", spy)
    replies = asyncio.run(
        chat(
            agent,
            [
                ("e1", "สำเนาทะเบียนบ้านของฉัน"),
                ("e2", "เรื่องของคนอื่น"),
                ("e1", "ลบข้อมูลของฉัน"),
                ("e1", "ใช่"),
            ],
        )
    )
    assert replies[2] == [wording.ask_erasure().text]
    assert replies[3] == [wording.erasure_done().text]
    assert agent.locked_during_erasure == [True]
    assert asyncio.run(stores.tracker.retrieve("e1")) is None
    assert asyncio.run(stores.tracker.retrieve("e2")) is not None
    (fresh,) = asyncio.run(chat(agent, [("e1", "สวัสดี")]))
    tracker = asyncio.run(stores.tracker.retrieve("e1"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["สวัสดี"]
    assert fresh == ["คำตอบเรื่อง สวัสดี ค่ะ"]
    from bot.privacy.records import requests_log

    (audit,) = requests_log(stores.service_url)
    assert audit["action"] == "chat_erase" and audit["actor"] == "citizen"
    assert audit["reference"] == reference_code("e1") and audit["events"] > 0


def test_a_failed_erasure_is_told_in_thai(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIVACY_NOTICE", "off")

    def broken(*_: Any) -> Any:
        raise RuntimeError("database gone")

    monkeypatch.setattr(turn_hook, "erase_conversation", broken)
    replies = asyncio.run(chat(FakeRasa(stores), [("f1", "ลบข้อมูลของฉัน"), ("f1", "ใช่")]))
    assert replies[1] == [wording.erasure_done().text, wording.ERASURE_FAILED]


def test_a_handler_without_stores_gets_nothing_extra(stores: Stores) -> None:
    """Channel tests with a bare handler (no tracker store) get no notice."""

    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "ตอบค่ะ")

    (replies,) = asyncio.run(
        chat(SimpleNamespace(handle_message=answer), [("g1", "ถาม")])
    )
    assert replies == ["ตอบค่ะ"]
