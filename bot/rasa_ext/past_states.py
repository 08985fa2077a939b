"""The dialogue states of a conversation, computed once per event instead of
once per prediction (installed by `bot.rasa_ext.install` as
``Domain.states_for_tracker_history``); likewise the tracker's applied
events (``DialogueStateTracker.applied_events``, several calls a turn).

RulePolicy and MemoizationPolicy ask for the tracker's past states about five
times a turn, and Rasa rebuilds them each time by replaying every event of the
session into a fresh tracker: ~5 ms per call at turn 50, growing with the
conversation. Rasa's loop is a left fold over the applied events (each state
depends only on the events before it), so it can resume where it stopped:

* the fold (the replayed tracker, the states so far and the loop's two
  variables) is kept on the tracker, one per set of arguments;
* the next call replays only the events added since, and computes the last
  state (which Rasa takes from the tracker *after* all events) afresh;
* when the new events could change which earlier events apply (a rewind,
  restart, new session or loop event), the tracker's first events changed,
  or a loop (form) ran in the conversation, the states are computed from the
  start, as Rasa does.

Callers get copies of the states (Rasa's featurizers edit them in place)
and of the applied events list. `tests/rasa_ext/test_past_states.py` checks
both against Rasa's own functions event by event.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from bot.rasa_ext.originals import original, replace

_MEMO_ATTRIBUTE = "_bot_states_memo"


class _Memo(dict):
    """Folds per arguments; a copied tracker starts without any (Rasa copies
    trackers to try predictions; a copy's events are new objects)."""

    def __copy__(self) -> "_Memo":
        return _Memo()

    def __deepcopy__(self, _memo: Any) -> "_Memo":
        return _Memo()


@dataclass
class _Fold:
    """Rasa's loop in `Domain.states_for_tracker_history`, stopped after
    `seen` events of the tracker."""

    running: Any
    seen: int
    first_event: Any
    last_event: Any
    states: List[Dict[str, Any]] = field(default_factory=list)
    last_ml_action_sub_state: Any = None
    turn_was_hidden: bool = False


def _breaks_fold(event: Any) -> bool:
    """True for events that can change which *earlier* events apply
    (`DialogueStateTracker.applied_events`)."""
    from rasa.shared.core.events import (
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    return isinstance(
        event,
        (ActionReverted, UserUtteranceReverted, Restarted, SessionStarted, ActiveLoop),
    )


def _has_loop(events: Any) -> bool:
    """True if a loop (form) ever ran: Rasa then leaves some of its actions
    out of the applied events, depending on the events after them."""
    from rasa.shared.core.events import ActiveLoop

    return any(isinstance(event, ActiveLoop) and event.name for event in events)


def _key(
    domain: Any,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: Optional[Dict[str, Any]],
) -> Tuple[Any, ...]:
    data = tuple(
        (name, tuple(values)) for name, values in sorted((rule_only_data or {}).items())
    )
    return (id(domain), omit_unset_slots, ignore_rule_only_turns, data)


class _Step:
    """One pass of Rasa's loop body over a fold's variables."""

    def __init__(
        self,
        domain: Any,
        omit_unset_slots: bool,
        ignore_rule_only_turns: bool,
        rule_only_data: Optional[Dict[str, Any]],
    ) -> None:
        self.domain = domain
        self.omit_unset_slots = omit_unset_slots
        self.ignore_rule_only_turns = ignore_rule_only_turns
        self.rule_only_data = rule_only_data

    def __call__(self, fold: _Fold, tracker: Any, hide_rule_turn: bool) -> None:
        """Rasa 3.6's loop body for one prior tracker (kept line for line)."""
        from rasa.shared.core.constants import PREVIOUS_ACTION

        domain = self.domain
        if self.ignore_rule_only_turns:
            if not fold.turn_was_hidden:
                fold.last_ml_action_sub_state = domain._get_prev_action_sub_state(
                    tracker
                )
            if (
                not tracker.followup_action
                and not tracker.latest_action_name == tracker.active_loop_name
            ):
                fold.turn_was_hidden = hide_rule_turn
            if fold.turn_was_hidden:
                return
        state = domain.get_active_state(tracker, omit_unset_slots=self.omit_unset_slots)
        if self.ignore_rule_only_turns:
            domain._remove_rule_only_features(state, self.rule_only_data)
            if fold.states:
                domain._substitute_rule_only_user_input(state, fold.states[-1])
            if fold.last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = fold.last_ml_action_sub_state
        fold.states.append(domain._clean_state(state))

    def feed(self, fold: _Fold, events: Any) -> None:
        """Replays `events` into the fold (`generate_all_prior_trackers`)."""
        from rasa.shared.core.events import ActionExecuted

        for event in events:
            if isinstance(event, ActionExecuted):
                self(fold, fold.running, event.hide_rule_turn)
            fold.running.update(event)

    def finish(self, fold: _Fold) -> List[Dict[str, Any]]:
        """The states with the last one (from the tracker after every event),
        leaving the fold as it was."""
        saved = (len(fold.states), fold.last_ml_action_sub_state, fold.turn_was_hidden)
        self(fold, fold.running, False)
        states = list(fold.states)
        del fold.states[saved[0] :]
        fold.last_ml_action_sub_state, fold.turn_was_hidden = saved[1], saved[2]
        return states


def _resumable(fold: Any, events: Any) -> Optional[List[Any]]:
    """The events added since `fold` (a `_Fold` or `_Applied`: ``seen``,
    ``first_event``, ``last_event``), if it can go on with them."""
    if fold is None or len(events) < fold.seen or fold.seen == 0:
        return None
    if (
        events[0] is not fold.first_event
        or events[fold.seen - 1] is not fold.last_event
    ):
        return None
    new = list(itertools.islice(events, fold.seen, None))
    if any(_breaks_fold(event) for event in new):
        return None
    return new


def _copy(states: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{name: dict(sub) for name, sub in state.items()} for state in states]


def states_for_tracker_history(
    self: Any,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[Dict[str, Any]]:
    """``Domain.states_for_tracker_history``, resumed from the last call."""
    step = _Step(self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    events = tracker.events
    memo = tracker.__dict__.get(_MEMO_ATTRIBUTE)
    if not isinstance(memo, _Memo):
        memo = _Memo()
        tracker.__dict__[_MEMO_ATTRIBUTE] = memo
    key = _key(self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    fold = memo.get(key)
    new = _resumable(fold, events)
    if fold is None or new is None:
        memo.pop(key, None)
        fold = _Fold(tracker.init_copy(), 0, None, None)
        step.feed(fold, tracker.applied_events())
        if events and not _has_loop(events):
            fold.seen = len(events)
            fold.first_event, fold.last_event = events[0], events[-1]
            memo[key] = fold
        return _copy(step.finish(fold))
    step.feed(fold, new)
    if new:
        fold.seen = len(events)
        fold.last_event = events[-1]
    return _copy(step.finish(fold))


_APPLIED_ATTRIBUTE = "_bot_applied_memo"


@dataclass
class _Applied:
    """``applied_events`` of a tracker's first `seen` events."""

    seen: int = 0
    first_event: Any = None
    last_event: Any = None
    applied: List[Any] = field(default_factory=list)

    def __copy__(self) -> "_Applied":
        return _Applied()

    def __deepcopy__(self, _memo: Any) -> "_Applied":
        return _Applied()


def applied_events(self: Any) -> List[Any]:
    """``DialogueStateTracker.applied_events``, extended by the events added
    since the last call when they cannot change the earlier ones."""
    events = self.events
    memo = self.__dict__.get(_APPLIED_ATTRIBUTE)
    new = _resumable(memo, events) if isinstance(memo, _Applied) else None
    if new is not None:
        memo.applied.extend(new)
        if new:
            memo.seen, memo.last_event = len(events), events[-1]
        return list(memo.applied)
    applied = rasa_applied_events()(self)
    if events and not _has_loop(events):
        self.__dict__[_APPLIED_ATTRIBUTE] = _Applied(
            len(events), events[0], events[-1], list(applied)
        )
    else:
        self.__dict__.pop(_APPLIED_ATTRIBUTE, None)
    return applied


def rasa_states_for_tracker_history() -> Any:
    """Rasa's own ``Domain.states_for_tracker_history`` (for the tests)."""
    from rasa.shared.core.domain import Domain

    return original(Domain, "states_for_tracker_history")


def rasa_applied_events() -> Any:
    """Rasa's own ``DialogueStateTracker.applied_events`` (for the tests)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    return original(DialogueStateTracker, "applied_events")


def install() -> None:
    """Makes Rasa compute past states and applied events incrementally
    (idempotent)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    replace(Domain, "states_for_tracker_history", states_for_tracker_history)
    replace(DialogueStateTracker, "applied_events", applied_events)
