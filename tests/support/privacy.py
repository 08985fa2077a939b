"""Helpers for the privacy tests: Rasa's own SQL tracker store on a SQLite
file in WAL mode (as bot/rasa_ext sets it up), a migrated service DB, a fake
Rasa that saves turns under the lock, and the byte scans of stored files."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, List

import sqlalchemy as sa
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content import records
from bot.insights import message_ref
from bot.privacy.erasure import ERASE_ACTION
from bot.replies import privacy as wording

# The shared running bot of the e2e suite (the same processes, not a second set).
from tests.support.channels import serve_channels


@dataclass
class Stores:
    tracker: SQLTrackerStore
    tracker_path: Path
    service_url: str
    service_path: Path

    @property
    def engine(self) -> sa.engine.Engine:
        return self.tracker.engine


def wal_store(path: Path) -> SQLTrackerStore:
    """Rasa's SQLTrackerStore on `path`, journal in WAL mode."""
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    with store.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    return store


def say(
    store: SQLTrackerStore,
    sender: str,
    texts: List[str],
    service_url: str,
    action: str = "action_answer_fact",
) -> List[str]:
    """Saves a conversation of `texts` (each answered), with an unanswered
    record and a rating for every message; returns the message ids."""
    ids = []
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, [])
    for text in texts:
        message_id = uuid.uuid4().hex
        ids.append(message_id)
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(
            UserUttered(
                text,
                {"name": "nocopy_what", "confidence": 0.9},
                message_id=message_id,
                input_channel="rest",
            )
        )
        tracker.update(ActionExecuted(action))
        tracker.update(BotUttered(f"ตอบ {text}"))
        ref = message_ref(sender, message_id)
        records.record_unanswered(
            text, "fallback", "rest", message_ref=ref, url=service_url
        )
        records.record_rating(
            "nocopy_what", "good", "rest", message_ref=ref, url=service_url
        )
    asyncio.run(store.save(tracker))
    return ids


def stored_forms(text: str) -> List[bytes]:
    """`text` as it can sit in a file: UTF-8, and JSON-escaped as Rasa writes it."""
    return [text.encode(), json.dumps(text)[1:-1].encode()]


def file_bytes(path: Path) -> bytes:
    """The file and its -wal / -journal / -shm companions, concatenated."""
    out = b""
    for candidate in [path, *path.parent.glob(path.name + "-*")]:
        if candidate.is_file():
            out += candidate.read_bytes()
    return out


def serve_with_agent(channels: List[Any], agent: Any):
    """The channels served like `rasa run` does, for `agent`; yields the URL."""
    return serve_channels(channels, agent=agent)


class FakeRasa:
    """Saves each turn like Rasa (under the lock) and answers; "ใช่" after the
    erasure question runs `ERASE_ACTION`."""

    def __init__(self, stores: Stores) -> None:
        self.tracker_store = stores.tracker
        self.lock_store = InMemoryLockStore()
        self.locked_during_erasure: List[bool] = []

    async def handle_message(self, message: UserMessage) -> None:
        async with self.lock_store.lock(message.sender_id):
            tracker = await self.tracker_store.retrieve(message.sender_id)
            tracker = tracker or DialogueStateTracker(message.sender_id, [])
            asked = tracker.latest_action_name == "action_ask_erasure"
            tracker.update(ActionExecuted("action_listen"))
            tracker.update(UserUttered(message.text, message_id=uuid.uuid4().hex))
            if "ลบข้อมูล" in message.text:
                action, reply = "action_ask_erasure", wording.ask_erasure().text
            elif asked and message.text == "ใช่":
                action, reply = ERASE_ACTION, wording.erasure_done().text
            else:
                action, reply = "action_answer_fact", f"คำตอบเรื่อง {message.text} ค่ะ"
            tracker.update(ActionExecuted(action))
            tracker.update(BotUttered(reply))
            await self.tracker_store.save(tracker)
        await message.output_channel.send_text_message(message.sender_id, reply)
