"""``DialogueStateTracker.copy`` without replaying the whole conversation on
every call (installed by `bot.rasa_ext.install`).

Rasa copies the tracker before running each action (the action may be
rejected): `copy` builds an empty tracker and replays every event of the
session into it, ~3 ms at turn 50 and growing. Here the replayed tracker (a
*replica*) is kept on the original and brought up to date with only the
events added since; each `copy` is then a clone of the replica: a new events
deque and new slot objects, the replica's other fields copied, so what comes
back is what Rasa's replay gives (not the original's own state, which can
differ: the processor clears a follow-up action without an event).

The replica is rebuilt when the tracker's first events are not the ones it
replayed (a bounded event history dropped some). `tests/rasa_ext/
test_tracker_copy.py` compares every field with Rasa's copy.
"""

from __future__ import annotations

import copy
import itertools
from collections import deque
from dataclasses import dataclass
from typing import Any

from bot.rasa_ext.originals import original, replace

_REPLICA_ATTRIBUTE = "_bot_copy_replica"
# Fields of a tracker that its events change in place, copied per clone.
_DICT_FIELDS = ("latest_action", "active_loop")


@dataclass
class _Replica:
    tracker: Any
    seen: int
    first_event: Any
    last_event: Any

    def __copy__(self) -> None:
        return None

    def __deepcopy__(self, _memo: Any) -> None:
        return None


def _clone(replica: Any) -> Any:
    """A new tracker in the replica's state, sharing nothing it changes."""
    clone = object.__new__(type(replica))
    clone.__dict__.update(
        {k: v for k, v in replica.__dict__.items() if not k.startswith("_bot_")}
    )
    clone.events = deque(replica.events, maxlen=replica.events.maxlen)
    clone.slots = type(replica.slots)(
        (name, copy.copy(slot)) for name, slot in replica.slots.items()
    )
    for name in _DICT_FIELDS:
        value = getattr(replica, name, None)
        if isinstance(value, dict):
            setattr(clone, name, dict(value))
    return clone


def tracker_copy(self: Any) -> Any:
    """``DialogueStateTracker.copy``: Rasa's replay, resumed."""
    events = self.events
    memo = self.__dict__.get(_REPLICA_ATTRIBUTE)
    usable = (
        isinstance(memo, _Replica)
        and len(events) >= memo.seen > 0
        and events[0] is memo.first_event
        and events[memo.seen - 1] is memo.last_event
    )
    if not usable:
        if not events:
            return rasa_copy()(self)
        memo = _Replica(self.init_copy(), 0, events[0], None)
        self.__dict__[_REPLICA_ATTRIBUTE] = memo
    for event in itertools.islice(events, memo.seen, None):
        memo.tracker.update(event)
    memo.seen, memo.last_event = len(events), events[-1]
    return _clone(memo.tracker)


def rasa_copy() -> Any:
    """Rasa's own ``DialogueStateTracker.copy`` (for the tests)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    return original(DialogueStateTracker, "copy")


def install() -> None:
    """Replaces ``DialogueStateTracker.copy`` (idempotent)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    replace(DialogueStateTracker, "copy", tracker_copy)
