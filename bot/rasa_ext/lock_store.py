"""The lock store: per-conversation locks in Redis when ``LOCK_STORE_URL``
is set (``redis://[:password@]host:6379/0``, ``rediss://`` for TLS), in memory
otherwise, which is right for ONE Rasa process; several processes sharing a
tracker store need Redis. ``LOCK_STORE_KEY_PREFIX`` (optional, alphanumeric)
separates several bots or test runs in one Redis database.

endpoints.yml names the class::

    lock_store:
      type: bot.rasa_ext.lock_store.EnvLockStore

The Redis lock store is `AtomicRedisLockStore`: Rasa's `RedisLockStore`
reads a conversation's lock, changes it and writes it back in separate
commands, so two Rasa processes taking a ticket at the same moment can get
the same ticket number, process the same conversation at once and lose
events (RasaHQ/rasa#3933). Here every change is one Redis transaction
(WATCH/MULTI).
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Callable, Dict, Optional, Text, Tuple
from urllib.parse import parse_qs, unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.store_common import (
    StoreUnavailable,
    redacted,
    retry_until,
)
from bot.settings import store_connect_timeout_s as connect_timeout_s

logger = logging.getLogger(__name__)


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
                retry_until(
                    store.red.ping,
                    f"Cannot reach the lock store at {redacted(url)}",
                    time.monotonic() + connect_timeout_s(),
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
