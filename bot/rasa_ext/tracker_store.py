"""The tracker store: Rasa's SQL store on the database ``TRACKER_STORE_URL``
names (unset: the SQLite file ``var/tracker.db``; PostgreSQL:
``postgresql://user:password@host:5432/db``).

endpoints.yml names the class (Rasa fixes the store *type* there; only values
can come from ``${VAR}``)::

    tracker_store:
      type: bot.rasa_ext.tracker_store.EnvTrackerStore

A database that cannot be reached at start stops Rasa with a message that says
what to do (`StoreUnavailable`). Rasa itself would instead retry a bad
PostgreSQL URL forever in silence, and fall back to in-memory conversations
when a custom store class fails to import. ``STORE_CONNECT_TIMEOUT_S``
(default 15) is how long the start waits for the database.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

from bot.rasa_ext.sqlite import sqlite_engine_kwargs, sqlite_fast_commits
from bot.rasa_ext.store_common import (
    StoreUnavailable,
    redacted,
    retry_until,
    tracker_store_url,
)
from bot.rasa_ext.tracker_cache import (
    IDLE_S,
    LOAN_ATTRIBUTE,
    Loan,
    Stamp,
    TrackerCache,
    starts_session,
)
from bot.settings import store_connect_timeout_s as connect_timeout_s
from bot.settings import tracker_cache_size

logger = logging.getLogger(__name__)


def _sqlite_path(url: str) -> Optional[Path]:
    """File path of a ``sqlite:///path`` URL (None for in-memory)."""
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:":
        return None
    return Path(path)


def check_sql_store(url: str, timeout_s: Optional[float] = None) -> None:
    """Raises `StoreUnavailable` unless the SQL database at `url` answers."""
    try:
        parsed = sa.engine.make_url(url)
    except Exception as error:  # noqa: BLE001
        raise StoreUnavailable(
            f"TRACKER_STORE_URL {redacted(url)!r} is not a database URL ({error}). "
            "Use e.g. postgresql://user:password@host:5432/db or "
            "sqlite:///var/tracker.db."
        ) from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = _sqlite_path(url)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(path) as connection:
                connection.execute("PRAGMA schema_version").fetchone()
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(
                f"The tracker store SQLite file {path} cannot be opened ({error}). "
                "Make its folder writable by this user or set TRACKER_STORE_URL "
                "to another file, then start Rasa again."
            ) from error
        return
    if backend != "postgresql":
        raise StoreUnavailable(
            f"TRACKER_STORE_URL uses {backend!r}; this bot supports PostgreSQL "
            "(postgresql://...) and SQLite (sqlite:///...)."
        )
    timeout = connect_timeout_s() if timeout_s is None else timeout_s
    try:
        engine = sa.create_engine(
            url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5}
        )
    except ImportError as error:
        raise StoreUnavailable(
            f"The PostgreSQL driver is missing ({error}); install the pinned "
            "requirements (pip install -r requirements.txt)."
        ) from error

    def ping() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    try:
        retry_until(
            ping,
            f"Cannot reach the tracker store at {redacted(url)}",
            time.monotonic() + timeout,
        )
    except StoreUnavailable as error:
        hint = (
            f" Create the database first (e.g. createdb -h {parsed.host} "
            f"-U {parsed.username} {parsed.database})."
            if "does not exist" in str(error)
            else " Start PostgreSQL (or fix the host, port and credentials)."
        )
        raise StoreUnavailable(
            f"{error}.{hint} Then start Rasa again; TRACKER_STORE_URL chooses "
            "the database (docs/deploy.md)."
        ) from error
    finally:
        engine.dispose()


def _idle_s(domain: Any) -> float:
    """How long a kept conversation may stay unused: the domain's session
    expiry (a later message starts a new session, never kept anyway), or
    `IDLE_S` when sessions do not expire."""
    config = getattr(domain, "session_config", None)
    minutes = getattr(config, "session_expiration_time", 0) or 0
    return minutes * 60 if minutes > 0 else IDLE_S


class EnvTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the database named by ``TRACKER_STORE_URL``.

    Connections are checked before use (``pool_pre_ping``), so the store
    recovers by itself after a database restart. The trackers this process
    saved are kept in memory while the database shows no other change
    (`bot.rasa_ext.tracker_cache`), so a turn does not replay the session.
    """

    def __init__(
        self,
        domain: Any = None,
        host: Optional[Text] = None,
        event_broker: Any = None,
        **kwargs: Any,
    ) -> None:
        """Checks the database, then sets up Rasa's SQL store on it.

        `host` is the endpoints.yml ``url`` (used when the variable is unset).
        Raises `StoreUnavailable` with what to do if the database cannot be used.
        """
        url = tracker_store_url(host)
        for key in ("dialect", "db", "username", "password", "port", "login_db"):
            kwargs.pop(key, None)
        try:
            check_sql_store(url)
            super().__init__(
                domain=domain, host=url, event_broker=event_broker, **kwargs
            )
            engine = sa.create_engine(
                url,
                pool_pre_ping=True,
                **create_engine_kwargs(url),
                **sqlite_engine_kwargs(url),
            )
        except StoreUnavailable as error:
            logger.error("%s", error)
            raise
        except Exception as error:
            # Rasa turns an ImportError/AttributeError from a custom store into
            # a silent in-memory store; never let one escape.
            message = (
                f"The tracker store at {redacted(url)} could not be set up "
                f"({type(error).__name__}: {error}). Fix TRACKER_STORE_URL or the "
                "database, then start Rasa again."
            )
            logger.error("%s", message)
            raise StoreUnavailable(message) from error
        self.engine.dispose()
        # SQLite: WAL, commits without fsync waits (see bot/rasa_ext/sqlite.py).
        sqlite_fast_commits(engine)
        self.engine = engine
        self.sessionmaker = sa.orm.sessionmaker(bind=engine)
        self.url = url
        self.cache = TrackerCache(tracker_cache_size(), _idle_s(domain))
        logger.info("Tracker store: %s", redacted(url))

    def _stamp(self, sender_id: Text) -> Stamp:
        """Row count and highest row id of `sender_id` (one indexed query)."""
        table = self.SQLEvent.__table__
        query = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
            table.c.sender_id == sender_id
        )
        with self.engine.connect() as connection:
            rows, last_id = connection.execute(query).one()
        return Stamp(int(rows), int(last_id or 0))

    async def retrieve(self, sender_id: Text) -> Optional[Any]:
        """The latest session of `sender_id`: the tracker this process saved
        last if the database shows no change since, else read from it."""
        if self.cache.size <= 0:
            return await super().retrieve(sender_id)
        stamp = self._stamp(sender_id)
        tracker = self.cache.take(sender_id, stamp, self.domain)
        if tracker is None:
            tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, LOAN_ATTRIBUTE, Loan(stamp, len(tracker.events)))
        return tracker

    def _additional_events(self, session: Any, tracker: Any) -> Iterator:
        """The events not stored yet: known from the tracker's `Loan` when it
        came from `retrieve`, else counted in the database (Rasa's way)."""
        loan: Optional[Loan] = getattr(tracker, LOAN_ATTRIBUTE, None)
        if loan is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, loan.stored, len(tracker.events))

    async def save(self, tracker: Any) -> None:
        """Stores the new events, then keeps the tracker for the next turn if
        the database holds exactly what this process wrote."""
        loan: Optional[Loan] = getattr(tracker, LOAN_ATTRIBUTE, None)
        self.cache.forget(tracker.sender_id)
        try:
            await super().save(tracker)  # `_additional_events` reads the loan
        finally:
            setattr(tracker, LOAN_ATTRIBUTE, None)
        if loan is None or self.cache.size <= 0:
            return
        added = len(tracker.events) - loan.stored
        new_events = itertools.islice(tracker.events, loan.stored, None)
        if starts_session(new_events):
            return
        stamp = self._stamp(tracker.sender_id)
        if stamp.follows(loan.stamp, added):
            setattr(tracker, LOAN_ATTRIBUTE, Loan(stamp, len(tracker.events)))
            self.cache.keep(tracker, stamp, self.domain)
