import shutil

import pytest

from bot import settings
from bot.content.db import dispose_engines
from bot.content.importer import import_content


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    dispose_engines()


@pytest.fixture
def content_dir(tmp_path):
    d = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, d)
    return d


@pytest.fixture
def loaded(db_url):
    import_content(settings.CONTENT_DIR, db_url)
    return db_url


@pytest.fixture(autouse=True)
def fresh_limits():
    """Each test starts with empty rate-limit counters in memory and nothing in
    flight (bot/channels/limits.py), whatever LOCK_STORE_URL says."""
    from bot.channels import limits

    limits.reset(limits.RateLimiter(limits.MemoryCounter()))
    yield
    limits.reset()
