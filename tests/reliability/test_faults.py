"""Faults in the running bot: the citizen always gets an answer, and the bot
recovers by itself once the fault is gone (the Rasa process is never restarted).

* action server down -> channel apology with the hotlines, on REST, socket.io
  and LINE; restarted -> answers and follow-ups work again;
* action server too slow (frozen with SIGSTOP) -> apology after
  ``ACTION_TIMEOUT_S``; unfrozen -> works again;
* service database down (``DATABASE_URL`` points at a PostgreSQL port where
  nothing listens) -> the action's own apology; back -> works again.

The tracker store being unreachable at start is in test_cluster.py (it starts
Rasa processes in parallel).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Iterator

import pytest

from bot.channels.turns import REPLY_SYSTEM_ERROR
from bot.replies import apology
from tests.support.servers import Servers, free_port
from tests.support.stores import joined, socketio_first_reply

pytestmark = pytest.mark.e2e

QUESTION = "จังหวัดลำพูนได้รางวัลไหมคะ"
FOLLOW_UP = "แล้วจังหวัดระนองล่ะคะ"
# the wording unified in bot/replies: yes first, the award, the event and its year
WON = "ได้รับรางวัลรัฐบาลดิจิทัลระดับจังหวัด ใน Digital Government Awards 2019 (ปี 2562)"


def assert_channel_apology(text: str) -> None:
    assert text == REPLY_SYSTEM_ERROR
    assert "ขออภัยค่ะ" in text and "1111" in text and "02-612-6060" in text


def assert_answers_normally(servers: Servers, sender: str) -> None:
    first = joined(servers.chat(sender, QUESTION))
    assert "ลำพูน" in first and WON in first, first
    follow = joined(servers.chat(sender, FOLLOW_UP))
    assert "ระนอง" in follow and WON in follow, follow


@pytest.fixture
def action_server_restored(servers: Servers) -> Iterator[Servers]:
    """Whatever the test does to the action server, it runs normally after."""
    rasa_pid = servers.processes[1].pid
    try:
        yield servers
    finally:
        if servers.actions.poll() is None:
            servers.resume_actions()
        servers.start_actions()
    assert servers.processes[1].pid == rasa_pid and servers.processes[1].poll() is None


def test_action_server_down_gets_apology_on_every_channel_then_recovers(
    action_server_restored: Servers,
) -> None:
    servers = action_server_restored
    sender = f"down-{uuid.uuid4().hex[:8]}"
    servers.stop_actions()

    assert_channel_apology(joined(servers.chat(sender, QUESTION)))
    line_texts = servers.line_say(f"Udown{uuid.uuid4().hex[:8]}", QUESTION)
    assert_channel_apology(line_texts[-1])
    text = asyncio.run(socketio_first_reply(servers.rasa_url, {"message": QUESTION}))
    assert_channel_apology(text)
    # Answers that need no action still work meanwhile.
    greeting = joined(servers.chat(sender, "สวัสดีครับ"))
    assert "สวัสดี" in greeting and greeting != REPLY_SYSTEM_ERROR

    servers.start_actions()
    assert_answers_normally(servers, sender)


def test_action_server_too_slow_gets_apology_then_recovers(
    action_server_restored: Servers,
) -> None:
    servers = action_server_restored
    sender = f"slow-{uuid.uuid4().hex[:8]}"
    servers.pause_actions()
    assert_channel_apology(joined(servers.chat(sender, QUESTION)))
    servers.resume_actions()
    assert_answers_normally(servers, sender)


def test_service_database_down_gets_the_actions_apology_then_recovers(
    action_server_restored: Servers,
) -> None:
    servers = action_server_restored
    sender = f"nodb-{uuid.uuid4().hex[:8]}"
    nothing_listens = f"postgresql://postgres@127.0.0.1:{free_port()}/service"
    servers.start_actions(DATABASE_URL=nothing_listens, DB_TIMEOUT_S="3")

    texts = [r["text"] for r in servers.chat(sender, QUESTION)]
    # the apology, then (first turn of this conversation) the privacy notice
    assert texts[0] == apology().text
    assert len(texts) <= 2 and all("รหัสอ้างอิง" in extra for extra in texts[1:])
    assert "02-612-6060" in apology().text

    servers.start_actions()
    assert_answers_normally(servers, sender)
