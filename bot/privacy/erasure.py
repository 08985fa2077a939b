"""Erasure of one conversation (PDPA right to erasure).

`erase_conversation` deletes, for one conversation id:

* its events in the tracker store (Rasa's SQL ``events`` table; SQLite or
  PostgreSQL);
* its unanswered-question and rating records in the service database (they
  carry no sender, only ``message_ref``, a hash of the sender and the message
  id: the refs of the conversation's user messages find them);
* its privacy-notice records (bot/privacy/records.py), so a new conversation
  gets the notice again.

On SQLite, deleted rows must not stay readable in the file: the deleting
connection sets ``PRAGMA secure_delete`` (freed space is overwritten with
zeros) and, after the commit, ``PRAGMA wal_checkpoint(TRUNCATE)`` copies the
write-ahead log into the database and empties it, so the WAL keeps no old copy
of a page either.

Who calls it, and why there: a citizen's erasure in the chat runs in the turn
runner (`bot.privacy.turn_hook`), after Rasa has saved the turn that asked for
it and under the conversation's lock (Rasa's SQL store appends "the events
after the stored count": deleted inside the action, the whole session would be
written back when the turn is saved). A LINE ``unfollow`` and staff's
``bot.admin conversation delete`` use the same function. LINE de-duplication
keys are in Redis and handled by `bot.privacy.line`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.content.db import get_engine
from bot.content.models import AnswerRating, UnansweredQuestion
from bot.insights import message_ref
from bot.privacy.records import forget_notices
from bot.rasa_ext.store_common import EVENTS as events

logger = logging.getLogger(__name__)

# The action that answers "yes, erase": its ActionExecuted event is the marker
# the turn runner acts on (actions/privacy.py sets nothing else).
ERASE_ACTION = "action_erase_conversation"

@dataclass
class Erased:
    """How much was deleted (counts only: nothing of the content)."""

    events: int = 0
    unanswered: int = 0
    ratings: int = 0
    notices: int = 0
    line_keys: int = 0

    def summary(self) -> str:
        """One line for logs and the staff command."""
        return (
            f"events={self.events} unanswered={self.unanswered} "
            f"ratings={self.ratings} notices={self.notices} "
            f"line_keys={self.line_keys}"
        )


def _is_sqlite(bind: Any) -> bool:
    return bind.dialect.name == "sqlite"


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def conversation_events(connection: Connection, sender_id: str) -> List[Dict[str, Any]]:
    """Stored events of the conversation, oldest first (as Rasa wrote them)."""
    rows = connection.execute(
        sa.select(events.c.type_name, events.c.data)
        .where(events.c.sender_id == sender_id)
        .order_by(events.c.id)
    )
    out = []
    for type_name, data in rows:
        try:
            event = json.loads(data or "{}")
        except ValueError:
            event = {}
        event.setdefault("event", type_name)
        out.append(event)
    return out


def _message_refs(sender_id: str, stored: Sequence[Dict[str, Any]]) -> List[str]:
    refs = {
        message_ref(sender_id, event.get("message_id"))
        for event in stored
        if event.get("event") == "user"
    }
    return sorted(ref for ref in refs if ref)


def checkpoint(engine: Engine, attempts: int = 20) -> bool:
    """SQLite: copy the WAL into the database file and empty it. True when
    done (it waits for readers; a busy database is retried a few times)."""
    if not _is_sqlite(engine):
        return True
    for attempt in range(attempts):
        with engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
        if row is None or row[0] == 0:
            return True
        time.sleep(0.05 * (attempt + 1))
    logger.warning(
        "privacy: the tracker store's write-ahead log could not be emptied after "
        "an erasure (the database stayed busy); it is emptied at the next "
        "checkpoint."
    )
    return False


def delete_tracker_events(engine: Engine, sender_id: str) -> tuple[int, List[str]]:
    """Deletes the conversation's events; returns (how many, refs of its user
    messages). Overwrites the freed space and empties the WAL on SQLite."""
    with engine.begin() as connection:
        if _is_sqlite(connection):
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
        refs = _message_refs(sender_id, conversation_events(connection, sender_id))
        deleted = connection.execute(
            sa.delete(events).where(events.c.sender_id == sender_id)
        ).rowcount
    checkpoint(engine)
    return deleted, refs


def delete_service_records(
    sender_id: str, refs: Sequence[str], url: Optional[str] = None
) -> tuple[int, int, int]:
    """Deletes unanswered questions and ratings with these message refs, and
    the notice records; returns (unanswered, ratings, notices)."""
    engine = get_engine(url)
    unanswered = ratings = 0
    with engine.begin() as connection:
        if _is_sqlite(connection):
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
        for chunk in _chunks(list(refs)):
            for table, counter in (
                (UnansweredQuestion.__table__, "u"),
                (AnswerRating.__table__, "r"),
            ):
                count = connection.execute(
                    table.delete().where(table.c.message_ref.in_(list(chunk)))
                ).rowcount
                if counter == "u":
                    unanswered += count
                else:
                    ratings += count
        try:
            with connection.begin_nested():
                notices = forget_notices(connection, sender_id)
        except sa.exc.OperationalError:  # migration 0006 not applied yet
            notices = 0
    return unanswered, ratings, notices


def erase_conversation(
    tracker_engine: Engine, sender_id: str, service_url: Optional[str] = None
) -> Erased:
    """Deletes everything stored of one conversation (see the module text)."""
    count, refs = delete_tracker_events(tracker_engine, sender_id)
    unanswered, ratings, notices = delete_service_records(sender_id, refs, service_url)
    return Erased(count, unanswered, ratings, notices)


def sql_store_of(tracker_store: Any) -> Any:
    """The SQL store (with an ``engine``) under Rasa's wrapped tracker store,
    or None."""
    store = tracker_store
    for _ in range(5):
        if isinstance(getattr(store, "engine", None), Engine):
            return store
        inner = getattr(store, "_tracker_store", None) or getattr(
            store, "tracker_store", None
        )
        if inner is None or inner is store:
            return None
        store = inner
    return None


def tracker_engine_of(tracker_store: Any) -> Optional[Engine]:
    """The SQL engine under Rasa's (wrapped) tracker store, or None."""
    store = sql_store_of(tracker_store)
    return None if store is None else store.engine


def forget_cached(tracker_store: Any, sender_id: str) -> None:
    """Drops the conversation from the store's in-memory cache, if it has
    one (bot/rasa_ext/tracker_cache.py), so no erased event stays in memory."""
    cache = getattr(sql_store_of(tracker_store), "cache", None)
    if cache is not None:
        cache.forget(sender_id)


def erase_requested(engine: Engine, sender_id: str, since: float) -> bool:
    """True if `ERASE_ACTION` ran in the conversation at or after `since`
    (a Unix time: the start of the turn)."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(events.c.id)
            .where(events.c.sender_id == sender_id)
            .where(events.c.type_name == "action")
            .where(events.c.action_name == ERASE_ACTION)
            .where(events.c.timestamp >= since)
            .limit(1)
        ).first()
    return row is not None
