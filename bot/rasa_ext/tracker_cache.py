"""Conversations kept in memory between turns, so that a turn does not read
and replay the whole session from the database (`EnvTrackerStore` uses it).

Rasa's SQL store rebuilds the tracker from every stored event of the session
on each message: at turn 50 (~360 events) that alone took ~30 ms, most of the
growth of a long conversation's latency. Here the tracker a turn saved is
kept, and the next turn gets that same object back, but only when the
database still holds exactly what this process wrote:

* a `Stamp` (count and highest id of the conversation's rows) is read with one
  indexed query on every `retrieve`; it must equal the stamp taken after this
  process's last save. Another Rasa process, an erasure or the retention job
  changes it, and the conversation is read from the database again;
* after a save, the stamp must be the one before it plus the rows this save
  added; otherwise (another writer at the same time) nothing is kept;
* a kept tracker is handed to one caller at a time (`take` removes it), and is
  not handed out again if it was changed after its save;
* a turn that started a new session (a `SessionStarted` among the new events)
  is not kept: Rasa reads a session back without the older events;
* a different domain (a new model went live) or an entry idle for longer than
  `IDLE_S` is read again.

``TRACKER_CACHE_SIZE`` (default 256 conversations; 0 turns the cache off)
bounds the memory. `forget` drops a conversation (erasure calls it).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, Optional

# How long a kept conversation may stay unused when the domain's sessions do
# not expire; otherwise the store uses the session expiry (a later message
# starts a new session, which is never kept anyway).
IDLE_S = 3600.0

# Attribute on a tracker handed out by `EnvTrackerStore.retrieve`: what the
# database held when it was read (see `Loan`).
LOAN_ATTRIBUTE = "_bot_tracker_loan"


@dataclass(frozen=True)
class Stamp:
    """How many rows a conversation has in the database, and the highest id."""

    rows: int
    last_id: int

    def follows(self, before: "Stamp", added: int) -> bool:
        """True if this stamp is `before` plus exactly `added` new rows."""
        if added == 0:
            return self == before
        return self.rows == before.rows + added and self.last_id > before.last_id


@dataclass(frozen=True)
class Loan:
    """A tracker's link to the database: the stamp when it was read and how
    many of its events are stored."""

    stamp: Stamp
    stored: int


@dataclass
class _Entry:
    tracker: Any
    stamp: Stamp
    stored: int
    domain_id: int
    saved_at: float


class TrackerCache:
    """Trackers saved by this process, newest last, at most `size`."""

    def __init__(self, size: int, idle_s: float = IDLE_S) -> None:
        self.size = size
        self.idle_s = idle_s
        self._entries: "OrderedDict[str, _Entry]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def take(self, sender_id: str, stamp: Stamp, domain: Any) -> Optional[Any]:
        """The kept tracker of `sender_id` if the database still shows `stamp`
        and nothing changed it since its save; removes it either way."""
        entry = self._entries.pop(sender_id, None)
        usable = (
            entry is not None
            and entry.stamp == stamp
            and entry.domain_id == id(domain)
            and len(entry.tracker.events) == entry.stored
            and time.monotonic() - entry.saved_at < self.idle_s
        )
        if usable:
            self.hits += 1
            return entry.tracker  # type: ignore[union-attr]
        self.misses += 1
        return None

    def keep(self, tracker: Any, stamp: Stamp, domain: Any) -> None:
        """Keeps `tracker` (just saved; the database now shows `stamp`)."""
        if self.size <= 0:
            return
        now = time.monotonic()
        self._entries.pop(tracker.sender_id, None)
        self._entries[tracker.sender_id] = _Entry(
            tracker, stamp, len(tracker.events), id(domain), now
        )
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        while self._entries:
            oldest = next(iter(self._entries.values()))
            if now - oldest.saved_at < self.idle_s:
                break
            self._entries.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        """Drops `sender_id`'s tracker (after an erasure, for instance)."""
        self._entries.pop(sender_id, None)


def starts_session(events: Iterable[Any]) -> bool:
    """True if `events` hold a `SessionStarted`."""
    from rasa.shared.core.events import SessionStarted

    return any(isinstance(event, SessionStarted) for event in events)
