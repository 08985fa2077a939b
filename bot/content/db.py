"""Engine, sessions and migrations for the service DB."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Dict, Iterator, Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import Session

from bot import settings

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


def _resolve(url: Optional[str]) -> str:
    return url or settings.database_url()


def get_engine(url: Optional[str] = None) -> Engine:
    """A (cached) engine for ``url`` or ``$DATABASE_URL``.

    Only the engine / connection pool is cached; every query still reads the DB.
    """
    url = _resolve(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            kwargs: dict = {"future": True, "pool_pre_ping": True}
            if url.startswith("sqlite"):
                kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5}
            engine = create_engine(url, **kwargs)
            if url.startswith("sqlite"):
                event.listen(engine, "connect", _sqlite_pragmas)
            _engines[url] = engine
        return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def dispose_engines() -> None:
    """Close every cached engine (used by tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = Session(get_engine(url), future=True, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: Optional[str] = None) -> Config:
    cfg = Config(str(settings.ALEMBIC_INI))
    cfg.set_main_option("script_location", str(settings.MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", _resolve(url).replace("%", "%%"))
    cfg.attributes["skip_logging_config"] = True
    return cfg


def migrate(url: Optional[str] = None) -> None:
    """Bring the schema up to date (``alembic upgrade head``)."""
    command.upgrade(alembic_config(url), "head")
