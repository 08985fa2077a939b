"""Patches to Rasa 3.6's per-message path, found by profiling under load
(docs/benchmarks.md, "Where the time goes"), installed by
`bot.rasa_ext.install`. All but one keep Rasa's behaviour exactly; that one
sends the action server only the latest events (see `ACTION_EVENTS_LIMIT`).

* `install` makes Rasa validate an action server's answer with a validator
  built once. Rasa calls ``jsonschema.validate`` for every custom action,
  which first re-checks the *schema* against the JSON-Schema meta-schema:
  with jsonschema 4.17 that was about a fifth of the Rasa server's CPU time.
  The answer is still validated against the same schema, with the same error.
* `install` also makes ``Event.resolve_by_type`` (run for every stored event
  each time a conversation is read back) look the event class up in a table
  instead of walking all Event subclasses: that walk was most of the cost of
  reading a 50-turn conversation from the tracker store.
* `install` makes each action call carry only the latest
  `ACTION_EVENTS_LIMIT` events of the conversation (a 50-turn session would
  otherwise send ~260 kB of JSON with every call). This one changes what an
  action sees in ``tracker.events``: none of this bot's actions reads older
  events. An action that needs the whole history must raise the limit.
* `install` makes the ``copy.deepcopy`` that Rasa's processor, RulePolicy
  and MemoizationPolicy run for the arguments of their *debug* log lines
  (every state of the conversation, several times a turn) a no-op while
  debug logging is off: the copies were made even though nothing was logged.
  With ``--debug`` they are made as before. Those modules use ``copy`` for
  nothing else (checked for 3.6.21).
* `apply_action_timeout` bounds every call to the action server by
  ``ACTION_TIMEOUT_S`` (default 10 s): Rasa 3.6 gives each request its
  module constant ``DEFAULT_REQUEST_TIMEOUT``, 5 minutes (RasaHQ/rasa#9789,
  #10764; the fix, PR #13015, never landed in open source). It works because
  ``RemoteAction.run`` reads that global at call time.
"""

from __future__ import annotations

import copy
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


def _debug_logged() -> bool:
    """True if structlog (Rasa's debug log lines) logs at debug level."""
    import structlog

    wrapper = structlog.get_config().get("wrapper_class")
    return getattr(getattr(wrapper, "debug", None), "__name__", "") != "_nop"


class _DebugLogCopy:
    """The `copy` module for modules that deep-copy only for debug logs:
    ``deepcopy`` copies only when debug lines are logged."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        """``copy.deepcopy`` if debug logging is on, else `value` itself."""
        return copy.deepcopy(value, memo) if _debug_logged() else value


# Rasa modules whose ``copy.deepcopy`` calls all build debug-log arguments.
DEBUG_COPY_MODULES = (
    "rasa.core.processor",
    "rasa.core.policies.rule_policy",
    "rasa.core.policies.memoization",
)


def _skip_debug_copies() -> None:
    import importlib

    for name in DEBUG_COPY_MODULES:
        module = importlib.import_module(name)
        if not isinstance(getattr(module, "copy", None), _DebugLogCopy):
            module.copy = _DebugLogCopy()  # type: ignore[attr-defined]


def apply_action_timeout() -> float:
    """Makes Rasa's remote-action calls time out after `action_timeout_s`.

    Idempotent; returns the timeout now in force.
    """
    import rasa.core.actions.action as rasa_action

    from bot.settings import action_timeout_s

    timeout = action_timeout_s()
    if getattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", None) != timeout:
        rasa_action.DEFAULT_REQUEST_TIMEOUT = timeout
        logger.debug("Action server calls time out after %s s.", timeout)
    return timeout


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
    _skip_debug_copies()
    apply_action_timeout()
