"""bot/rasa_ext/tracker_copy.py gives what Rasa's replaying copy gives, field
by field, after every event, and copies that share nothing they change."""

from __future__ import annotations

import copy
from typing import Any, Dict

from rasa.shared.core.events import ActionExecuted, FollowupAction, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import tracker_copy
from tests.rasa_ext.test_past_states import DOMAIN, conversation

SKIP = ("events", "slots")


def fields(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """Every field, events by identity, slots by their own fields."""
    out = {k: v for k, v in vars(tracker).items() if not k.startswith("_bot_")}
    out["events"] = [id(e) for e in tracker.events]
    out["maxlen"] = tracker.events.maxlen
    out["slots"] = {name: vars(slot) for name, slot in tracker.slots.items()}
    return out


def test_same_fields_as_rasas_copy_after_every_event() -> None:
    tracker = DialogueStateTracker("copy", DOMAIN.slots)
    tracker.model_id = "model-1"
    for event in conversation(21, turns=12) + [FollowupAction("action_answer")]:
        tracker.update(event, DOMAIN)
        ours = tracker_copy.tracker_copy(tracker)
        assert fields(ours) == fields(tracker_copy.rasa_copy()(tracker))
    tracker.clear_followup_action()  # as the processor does, without an event
    assert fields(tracker_copy.tracker_copy(tracker)) == fields(
        tracker_copy.rasa_copy()(tracker)
    )


def test_copies_share_nothing_they_change() -> None:
    tracker = DialogueStateTracker("share", DOMAIN.slots)
    for event in conversation(22, turns=4):
        tracker.update(event, DOMAIN)
    before = fields(tracker)
    first = tracker_copy.tracker_copy(tracker)
    first.update(SlotSet("mood", "bad"))
    first.update(ActionExecuted("action_answer"))
    first.active_loop = {"name": "x"}
    second = tracker_copy.tracker_copy(tracker)
    assert fields(tracker) == before
    assert fields(second) == fields(tracker_copy.rasa_copy()(tracker))


def test_a_deep_copied_tracker_builds_its_own_replica() -> None:
    tracker = DialogueStateTracker("deep", DOMAIN.slots)
    for event in conversation(23, turns=3):
        tracker.update(event, DOMAIN)
    tracker_copy.tracker_copy(tracker)
    twin = copy.deepcopy(tracker)
    twin.update(SlotSet("mood", "good"))
    assert fields(tracker_copy.tracker_copy(twin)) == fields(
        tracker_copy.rasa_copy()(twin)
    )


def test_an_empty_tracker_is_copied_by_rasa() -> None:
    tracker = DialogueStateTracker("empty", DOMAIN.slots)
    assert fields(tracker_copy.tracker_copy(tracker)) == fields(
        tracker_copy.rasa_copy()(tracker)
    )


def test_install_patches_the_tracker_once() -> None:
    original = DialogueStateTracker.copy
    try:
        tracker_copy.install()
        tracker_copy.install()
        assert DialogueStateTracker.copy is tracker_copy.tracker_copy
        assert tracker_copy.rasa_copy() is not tracker_copy.tracker_copy
    finally:
        DialogueStateTracker.copy = original
