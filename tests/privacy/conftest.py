"""Stores for the privacy tests: Rasa's own SQL tracker store on a SQLite
file in WAL mode (as bot/rasa_ext sets it up), and a migrated service DB."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from bot.content.db import dispose_engines, migrate
from tests.support.privacy import Stores, wal_store

# The shared running bot of the e2e suite (the same processes, not a second set).


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stores]:
    service_path = tmp_path / "service.db"
    url = f"sqlite:///{service_path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SENDER_ID_KEY", "privacy-test-key")
    migrate(url)
    from bot.privacy import turn_hook

    turn_hook._SHOWN.clear()  # a fresh service DB: nothing shown yet
    tracker_path = tmp_path / "tracker.db"
    yield Stores(wal_store(tracker_path), tracker_path, url, service_path)
    dispose_engines()
