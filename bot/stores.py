"""Tracker store and lock store chosen by URL from the environment.

Rasa's endpoints.yml fixes the store *type*; only values can come from
``${VAR}``. These two classes let one endpoints.yml serve every set-up::

    tracker_store:
      type: bot.stores.EnvTrackerStore
    lock_store:
      type: bot.stores.EnvLockStore

========================  ==================================================
``TRACKER_STORE_URL``     SQL database for conversations. Unset: SQLite file
                          ``var/tracker.db`` in the repository. PostgreSQL:
                          ``postgresql://user:password@host:5432/db``.
``LOCK_STORE_URL``        Redis for the per-conversation locks
                          (``redis://[:password@]host:6379/0``, ``rediss://``
                          for TLS). Unset: in-memory locks, which is right for
                          ONE Rasa process; several processes sharing a
                          tracker store need Redis.
``LOCK_STORE_KEY_PREFIX`` optional, alphanumeric: separates several bots (or
                          test runs) in one Redis database.
``STORE_CONNECT_TIMEOUT_S`` seconds to wait at start for the stores to answer
                          (default 15; a database starting next to Rasa may
                          need a moment).
========================  ==================================================

A store that cannot be reached at start stops Rasa with a message that says
what to do (`StoreUnavailable`). Rasa itself would instead retry a bad
PostgreSQL URL forever in silence, and fall back to in-memory conversations
when a custom store class fails to import.

The Redis lock store is `AtomicRedisLockStore`: Rasa's `RedisLockStore`
reads a conversation's lock, changes it and writes it back in separate
commands, so two Rasa processes taking a ticket at the same moment can get
the same ticket number, process the same conversation at once and lose
events. Here every change is one Redis transaction (WATCH/MULTI).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Text, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa
from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.utils.endpoints import EndpointConfig

from bot.settings import VAR_DIR
from bot.speedups import sqlite_engine_kwargs, sqlite_fast_commits

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT_S = 15.0


class StoreUnavailable(ConnectionError):
    """A tracker or lock store could not be used; the message says what to do."""


def _connect_timeout_s() -> float:
    try:
        value = float(os.environ.get("STORE_CONNECT_TIMEOUT_S", ""))
    except ValueError:
        return DEFAULT_CONNECT_TIMEOUT_S
    return value if value >= 0 else DEFAULT_CONNECT_TIMEOUT_S


def default_tracker_url() -> str:
    """SQLite file ``<repo>/var/tracker.db``."""
    return f"sqlite:///{VAR_DIR / 'tracker.db'}"


def tracker_store_url(configured: Optional[str] = None) -> str:
    """``$TRACKER_STORE_URL``, else the endpoints.yml ``url``, else SQLite.

    ``postgres://`` (as some hosting platforms write it) becomes
    ``postgresql://``, which SQLAlchemy requires.
    """
    url = os.environ.get("TRACKER_STORE_URL", "").strip() or (configured or "").strip()
    if not url:
        return default_tracker_url()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def redacted(url: str) -> str:
    """`url` with any password replaced by ``***`` (safe to log)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _retry(check: Callable[[], None], what: str, deadline: float) -> None:
    """Calls `check` until it succeeds or `deadline` (monotonic) passes."""
    while True:
        try:
            check()
            return
        except Exception as error:  # noqa: BLE001 - reported below
            if time.monotonic() >= deadline:
                lines = str(error).strip().splitlines()
                detail = lines[0].rstrip(".") if lines else type(error).__name__
                raise StoreUnavailable(f"{what}: {detail}") from error
            logger.warning("%s (%s); retrying.", what, type(error).__name__)
            time.sleep(1)


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
    timeout = _connect_timeout_s() if timeout_s is None else timeout_s
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
        _retry(
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


class EnvTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the database named by ``TRACKER_STORE_URL``.

    Connections are checked before use (``pool_pre_ping``), so the store
    recovers by itself after a database restart.
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
        # SQLite: WAL, commits without fsync waits (see bot/speedups.py).
        sqlite_fast_commits(engine)
        self.engine = engine
        self.sessionmaker = sa.orm.sessionmaker(bind=engine)
        self.url = url
        logger.info("Tracker store: %s", redacted(url))


# What a lock change does with the stored lock.
_KEEP, _SET, _DELETE = "keep", "set", "delete"


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose read-modify-write steps are Redis transactions."""

    def _transact(
        self,
        conversation_id: Text,
        change: Callable[[Optional[TicketLock]], Tuple[Any, str, Optional[TicketLock]]],
    ) -> Any:
        """Applies `change` to the stored lock atomically; returns its result.

        `change` gets the current lock (or None) and returns
        ``(result, "keep" | "set" | "delete", lock)``. If another process
        changes the lock meanwhile, the transaction is retried.
        """
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    current = TicketLock.from_dict(json.loads(raw)) if raw else None
                    result, what, lock = change(current)
                    pipe.multi()
                    if what == _SET and lock is not None:
                        pipe.set(key, lock.dumps())
                    elif what == _DELETE:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def issue_ticket(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        """Adds a ticket to the conversation's lock; returns its number."""

        def change(lock: Optional[TicketLock]) -> Tuple[int, str, TicketLock]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(lock_lifetime), _SET, lock

        try:
            return self._transact(conversation_id, change)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Removes expired tickets."""

        def change(lock: Optional[TicketLock]) -> Tuple[None, str, Any]:
            if lock is None:
                return None, _KEEP, None
            lock.remove_expired_tickets()
            return None, _SET, lock

        self._transact(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket `ticket_number`."""

        def change(lock: Optional[TicketLock]) -> Tuple[None, str, Any]:
            if lock is None:
                return None, _KEEP, None
            lock.remove_ticket_for(ticket_number)
            return None, _SET, lock

        self._transact(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket; deletes the lock if no one else waits (atomically)."""

        def change(lock: Optional[TicketLock]) -> Tuple[None, str, Any]:
            if lock is None:
                return None, _KEEP, None
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                return None, _SET, lock
            return None, _DELETE, None

        self._transact(conversation_id, change)


def lock_store_url(configured: Optional[str] = None) -> Optional[str]:
    """``$LOCK_STORE_URL``, else the endpoints.yml ``url``, else None (in-memory)."""
    url = os.environ.get("LOCK_STORE_URL", "").strip() or (configured or "").strip()
    return url or None


def redis_lock_store_kwargs(url: str) -> Dict[str, Any]:
    """`RedisLockStore` arguments for a ``redis://`` or ``rediss://`` URL.

    The database number is the path (``/0``); ``?key_prefix=`` or
    ``LOCK_STORE_KEY_PREFIX`` sets the key prefix.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise StoreUnavailable(
            f"LOCK_STORE_URL {redacted(url)!r} must start with redis:// or rediss://."
        )
    path = parts.path.strip("/")
    try:
        db = int(path) if path else 0
        port = parts.port or 6379
    except ValueError as error:
        raise StoreUnavailable(
            f"LOCK_STORE_URL {redacted(url)!r}: the port and the database number "
            "(the path, e.g. /0) must be numbers."
        ) from error
    query = parse_qs(parts.query)
    prefix = (
        os.environ.get("LOCK_STORE_KEY_PREFIX", "").strip()
        or (query.get("key_prefix", [""])[0])
    )
    kwargs: Dict[str, Any] = {
        "host": parts.hostname or "localhost",
        "port": port,
        "db": db,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
        "socket_timeout": 5,
    }
    if prefix:
        kwargs["key_prefix"] = prefix
    return kwargs


class EnvLockStore(LockStore):
    """Redis lock store at ``LOCK_STORE_URL``, or in-memory locks without it."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None) -> None:
        """Connects to Redis (if configured) and checks that it answers.

        Raises `StoreUnavailable` with what to do if Redis cannot be used.
        """
        url = lock_store_url(endpoint_config.url if endpoint_config else None)
        self.url = url
        if url is None:
            self.backend: LockStore = InMemoryLockStore()
            if os.environ.get("TRACKER_STORE_URL", "").startswith("postgres"):
                logger.info(
                    "Lock store: in memory. That is right for one Rasa process; "
                    "set LOCK_STORE_URL=redis://... before starting a second one "
                    "on the same tracker store."
                )
        else:
            try:
                store = AtomicRedisLockStore(**redis_lock_store_kwargs(url))
                _retry(
                    store.red.ping,
                    f"Cannot reach the lock store at {redacted(url)}",
                    time.monotonic() + _connect_timeout_s(),
                )
            except StoreUnavailable as error:
                message = (
                    f"{error}. Start Redis or fix LOCK_STORE_URL (or unset it to "
                    "use in-memory locks with a single Rasa process), then start "
                    "Rasa again."
                )
                logger.error("%s", message)
                raise StoreUnavailable(message) from error
            self.backend = store
            logger.info("Lock store: %s", redacted(url))
        super().__init__()

    def issue_ticket(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        """The backend's (atomic, for Redis) ticket issuing."""
        return self.backend.issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        """The backend's update."""
        self.backend.update_lock(conversation_id)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """The backend's finish."""
        self.backend.finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """The backend's clean-up."""
        self.backend.cleanup(conversation_id, ticket_number)

    def get_lock(self, conversation_id: Text) -> Any:
        """Lock of the conversation, from the backend."""
        return self.backend.get_lock(conversation_id)

    def delete_lock(self, conversation_id: Text) -> None:
        """Deletes the conversation's lock in the backend."""
        self.backend.delete_lock(conversation_id)

    def save_lock(self, lock: Any) -> None:
        """Saves the lock in the backend."""
        self.backend.save_lock(lock)
