"""The one conftest for every test folder: a fresh service DB and content,
the running bot (`servers`), loopback channel servers (`serve`), and the
machine's PostgreSQL and Redis (`postgres_db`, `redis_prefix`). Helpers the tests
import live in tests/support/."""

import shutil
import uuid
from typing import Any, Callable, Iterator

import pytest

from bot import settings
from bot.content.db import dispose_engines
from bot.content.importer import import_content
from tests.support.channels import serve_channels
from tests.support.servers import Servers, free_port, running_servers
from tests.support.stores import REDIS_URL, fresh_postgres_db


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


# ---- shared by every folder (the one running bot, loopback channel servers)
@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The running bot (Rasa and the action server): one set of processes for
    the whole run, whichever folder's tests ask for it."""
    with running_servers(tmp_path_factory.mktemp("bot")) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[str]:
    """A throwaway PostgreSQL database shared by this run's tests."""
    with fresh_postgres_db() as url:
        yield url


@pytest.fixture(scope="session")
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of its own for this run; its keys are deleted after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} is needed: {error}")
    prefix = f"rel{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


@pytest.fixture
def serve() -> Callable[..., Any]:
    """The `serve_channels` async context manager."""
    return serve_channels


@pytest.fixture
def closed_port() -> int:
    """A port where connections are refused."""
    return free_port()
