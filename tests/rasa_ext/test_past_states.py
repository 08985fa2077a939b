"""bot/rasa_ext/past_states.py gives exactly Rasa's past states, event by
event, for every set of arguments the policies use, also across rewinds,
restarts, new sessions, loops and copies."""

from __future__ import annotations

import copy
import random
from typing import Any, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import past_states

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "award_check", "affirm", "deny"],
        "entities": ["body"],
        "slots": {
            "mood": {
                "type": "categorical",
                "values": ["good", "bad"],
                "mappings": [{"type": "custom"}],
            },
            "topic": {
                "type": "text",
                "influence_conversation": False,
                "mappings": [{"type": "custom"}],
            },
            "asked": {
                "type": "bool",
                "mappings": [{"type": "custom"}],
            },
        },
        "responses": {"utter_greet": [{"text": "สวัสดีค่ะ"}]},
        "actions": ["action_check_winner", "action_answer"],
        "forms": {"body_form": {"required_slots": []}},
    }
)
ARGUMENTS = [
    {},
    {"omit_unset_slots": True},
    {
        "ignore_rule_only_turns": True,
        "rule_only_data": {"slots": ["asked"], "loops": []},
    },
    {"ignore_rule_only_turns": True, "rule_only_data": {"slots": [], "loops": []}},
]


def rasa_states(tracker: DialogueStateTracker, **arguments: Any) -> List[Any]:
    """Rasa's own function (also after another test installed the patch)."""
    rasa = past_states.rasa_states_for_tracker_history()
    assert rasa is not past_states.states_for_tracker_history
    return rasa(DOMAIN, tracker, **arguments)


def turn(rng: random.Random, i: int) -> List[Any]:
    """One realistic turn: listen, a message, maybe slots, an action, a reply."""
    intent = rng.choice(["greet", "award_check", "affirm", "deny"])
    entities = (
        [{"entity": "body", "value": f"กรม{i}", "start": 0, "end": 4}]
        if intent == "award_check"
        else []
    )
    events: List[Any] = [
        ActionExecuted("action_listen"),
        UserUttered(
            f"ข้อความ {i}",
            intent={"name": intent, "confidence": 0.9},
            entities=entities,
        ),
    ]
    if rng.random() < 0.4:
        events.append(SlotSet("mood", rng.choice(["good", "bad", None])))
    if rng.random() < 0.3:
        events.append(SlotSet("asked", rng.random() < 0.5))
    events.append(SlotSet("topic", f"t{i}"))
    action = rng.choice(["action_check_winner", "action_answer", "utter_greet"])
    events.append(ActionExecuted(action, hide_rule_turn=rng.random() < 0.5))
    events.append(BotUttered(f"คำตอบ {i}"))
    if rng.random() < 0.1:
        events.append(FollowupAction("action_answer"))
        events.append(ActionExecuted("action_answer"))
    return events


def conversation(seed: int, turns: int = 25) -> List[Any]:
    rng = random.Random(seed)
    events: List[Any] = [SessionStarted()]
    for i in range(turns):
        events.extend(turn(rng, i))
    return events


def check_event_by_event(events: List[Any]) -> None:
    """Appends the events one at a time; after each, every argument set
    gives Rasa's states, asked twice (the second call resumes the fold)."""
    ours = DialogueStateTracker("ours", DOMAIN.slots)
    reference = DialogueStateTracker("reference", DOMAIN.slots)
    for event in events:
        ours.update(copy.deepcopy(event), DOMAIN)
        reference.update(copy.deepcopy(event), DOMAIN)
        expected_applied = past_states.rasa_applied_events()(reference)
        for _ in range(2):
            assert past_states.applied_events(ours) == expected_applied, event
        for arguments in ARGUMENTS:
            expected = rasa_states(reference, **arguments)
            for _ in range(2):
                got = past_states.states_for_tracker_history(DOMAIN, ours, **arguments)
                assert got == expected, (event, arguments)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_states_as_rasa_event_by_event(seed: int) -> None:
    check_event_by_event(conversation(seed))


def test_rewinds_restarts_sessions_and_loops_give_rasas_states() -> None:
    events = conversation(7, turns=6)
    events += [UserUtteranceReverted()] + conversation(8, turns=3)[1:]
    events += [ActionReverted()] + conversation(9, turns=2)[1:]
    events += [Restarted()] + conversation(10, turns=3)[1:]
    events += [SessionStarted()] + conversation(11, turns=3)[1:]
    events += [ActiveLoop("body_form"), ActionExecuted("body_form")]
    events += conversation(12, turns=3)[1:] + [ActionExecuted("body_form")]
    events += [ActiveLoop(None)] + conversation(13, turns=2)[1:]
    # a loop on its happy path: Rasa leaves its repeated executions out
    events += [ActiveLoop("body_form"), ActionExecuted("body_form")]
    for i in range(3):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"ตอบ {i}", intent={"name": "affirm", "confidence": 0.9}),
            ActionExecuted("body_form"),
        ]
    check_event_by_event(events)


def test_callers_editing_the_applied_events_do_not_change_the_next_answer() -> None:
    tracker = DialogueStateTracker("edit-applied", DOMAIN.slots)
    for event in conversation(14, turns=3):
        tracker.update(event, DOMAIN)
    past_states.applied_events(tracker).clear()
    assert past_states.applied_events(tracker) == (
        past_states.rasa_applied_events()(tracker)
    )


def test_callers_editing_the_states_do_not_change_the_next_answer() -> None:
    tracker = DialogueStateTracker("edit", DOMAIN.slots)
    for event in conversation(4, turns=5):
        tracker.update(event, DOMAIN)
    first = past_states.states_for_tracker_history(DOMAIN, tracker)
    expected = copy.deepcopy(first)
    for state in first:  # what Rasa's featurizers do in place
        for sub in state.values():
            sub.clear()
    assert past_states.states_for_tracker_history(DOMAIN, tracker) == expected


def test_a_copied_tracker_starts_its_own_fold() -> None:
    tracker = DialogueStateTracker("copy", DOMAIN.slots)
    for event in conversation(5, turns=4):
        tracker.update(event, DOMAIN)
    past_states.states_for_tracker_history(DOMAIN, tracker)
    twin = tracker.copy()
    for event in turn(random.Random(6), 99):
        twin.update(event, DOMAIN)
    assert past_states.states_for_tracker_history(DOMAIN, twin) == rasa_states(twin)
    assert past_states.states_for_tracker_history(DOMAIN, tracker) == rasa_states(
        tracker
    )


def test_install_patches_the_domain_once() -> None:
    original = Domain.states_for_tracker_history
    try:
        past_states.install()
        past_states.install()
        assert (
            Domain.states_for_tracker_history is past_states.states_for_tracker_history
        )
        assert past_states.rasa_states_for_tracker_history() is not (
            past_states.states_for_tracker_history
        )
    finally:
        Domain.states_for_tracker_history = original
