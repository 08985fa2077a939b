"""Stores for the privacy tests: Rasa's own SQL tracker store on a SQLite
file in WAL mode (as bot/rasa_ext sets it up), and a migrated service DB."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content import repository
from bot.content.db import dispose_engines, migrate
from bot.insights import message_ref


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


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stores]:
    service_path = tmp_path / "service.db"
    url = f"sqlite:///{service_path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SENDER_ID_KEY", "privacy-test-key")
    migrate(url)
    tracker_path = tmp_path / "tracker.db"
    yield Stores(wal_store(tracker_path), tracker_path, url, service_path)
    dispose_engines()


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
        repository.record_unanswered(
            text, "fallback", "rest", message_ref=ref, url=service_url
        )
        repository.record_rating(
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
