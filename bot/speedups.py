"""Small fixes to Rasa 3.6's per-message path, found by profiling under load
(docs/benchmarks.md, "Where the time goes"). Each keeps Rasa's behaviour.

* `install` makes Rasa validate an action server's answer with a validator
  built once. Rasa calls ``jsonschema.validate`` for every custom action,
  which first re-checks the *schema* against the JSON-Schema meta-schema:
  with jsonschema 4.17 that was about a fifth of the Rasa server's CPU time.
  The answer is still validated against the same schema, with the same error.
* `install` also makes ``Event.resolve_by_type`` (run for every stored event
  each time a conversation is read back) look the event class up in a table
  instead of walking all Event subclasses: that walk was most of the cost of
  reading a 50-turn conversation from the tracker store.
* `sqlite_engine_kwargs` and `sqlite_fast_commits` keep a SQLite tracker
  store's connections open and put it in WAL mode with ``synchronous=NORMAL``:
  a turn's commit no longer waits for fsyncs (about 11 ms per turn on this
  disk). A crashed process loses nothing; only a power cut or OS crash can
  lose the last turns, which a chat history can live with.
"""

from __future__ import annotations

import functools
import itertools
import logging
from typing import Any, Dict, List, Optional, Text

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=None)
def _validator(action_class: type) -> Any:
    """A jsonschema validator for ``action_class``'s response schema, checked
    once (as ``jsonschema.validate`` checks it on every call)."""
    from jsonschema.validators import validator_for

    schema = action_class.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with a cached validator."""
    from jsonschema import exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(_validator(type(self)).iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_EVENT_TYPES: Dict[str, type] = {}


def _event_types() -> Dict[str, type]:
    """type_name -> Event class; the first match wins, as in Rasa's own walk."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: Dict[str, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def _resolve_by_type(type_name: Text, default: Optional[type] = None) -> Any:
    """``Event.resolve_by_type`` from a table (rebuilt when a name is missing,
    so event classes imported later are still found)."""
    cls = _EVENT_TYPES.get(type_name)
    if cls is None:
        _EVENT_TYPES.clear()
        _EVENT_TYPES.update(_event_types())
        cls = _EVENT_TYPES.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


# Events sent to the action server with each call. The actions read the
# latest message and the slots (sent separately, always complete) and, for a
# 👍/👎, the latest answered turn (bot/insights.rated_answer): the last ~10
# turns are plenty. Without a limit a 50-turn session sends ~300 events
# (~260 kB of JSON) with every action call.
ACTION_EVENTS_LIMIT = 60


def _action_call_format(self: Any, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """`RemoteAction._action_call_format` with only the latest
    `ACTION_EVENTS_LIMIT` events in the tracker it sends."""
    events = tracker.events
    if len(events) <= ACTION_EVENTS_LIMIT:
        return _ORIGINAL_CALL_FORMAT[0](self, tracker, domain)
    result = _ORIGINAL_CALL_FORMAT[0](self, _NoEvents(tracker), domain)
    start = len(events) - ACTION_EVENTS_LIMIT
    result["tracker"]["events"] = [
        event.as_dict() for event in itertools.islice(events, start, None)
    ]
    return result


class _NoEvents:
    """A tracker stand-in whose `current_state` leaves the events out."""

    def __init__(self, tracker: Any) -> None:
        self._tracker = tracker

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def current_state(self, _verbosity: Any = None) -> Dict[Text, Any]:
        from rasa.shared.core.trackers import EventVerbosity

        return self._tracker.current_state(EventVerbosity.NONE)


_ORIGINAL_CALL_FORMAT: List[Any] = []


def install() -> None:
    """Applies the Rasa patches once per process (idempotent)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    if RemoteAction._validate_action_result is not _validate_action_result:
        RemoteAction._validate_action_result = _validate_action_result
        logger.debug("Action responses are validated with a cached validator.")
    if Event.resolve_by_type is not _resolve_by_type:
        Event.resolve_by_type = staticmethod(_resolve_by_type)
    if RemoteAction._action_call_format is not _action_call_format:
        _ORIGINAL_CALL_FORMAT[:] = [RemoteAction._action_call_format]
        RemoteAction._action_call_format = _action_call_format


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_engine_kwargs(url: str) -> Dict[str, Any]:
    """``create_engine`` arguments for a SQLite file: a pool that keeps its
    connections open. SQLAlchemy 1.4 otherwise opens and closes a connection
    per session, and closing the last connection to a WAL database
    checkpoints it (an fsync) on every turn. Empty for other databases."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import QueuePool

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return {}
    if parsed.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}


def sqlite_fast_commits(engine: Any) -> None:
    """WAL + ``synchronous=NORMAL`` on every connection of a SQLite ``engine``
    (no effect on other databases). Register it before the first connection."""
    from sqlalchemy import event

    if engine.dialect.name == "sqlite" and not event.contains(
        engine, "connect", _sqlite_pragmas
    ):
        event.listen(engine, "connect", _sqlite_pragmas)
