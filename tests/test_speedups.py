"""bot.speedups keeps Rasa's behaviour: same validation, same errors."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import speedups

VALID = {
    "events": [{"event": "slot", "name": "topic", "value": "award_list"}],
    "responses": [{"text": "สวัสดีค่ะ"}],
}
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": [1, 2]},
    ["not", "an", "object"],
]


def action() -> RemoteAction:
    return RemoteAction("action_x", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_install_replaces_the_validator_once() -> None:
    speedups.install()
    speedups.install()
    assert RemoteAction._validate_action_result is speedups._validate_action_result


def test_valid_answer_passes() -> None:
    speedups.install()
    assert action()._validate_action_result(VALID) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_answer_fails_like_jsonschema_validate(result) -> None:
    speedups.install()
    with pytest.raises(jsonschema.ValidationError) as ours:
        action()._validate_action_result(result)
    with pytest.raises(jsonschema.ValidationError) as reference:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert ours.value.message.startswith(reference.value.message)
    assert "Failed to validate Action server response" in ours.value.message
    assert list(ours.value.path) == list(reference.value.path)


def test_sqlite_fast_commits(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    speedups.sqlite_fast_commits(engine)
    speedups.sqlite_fast_commits(engine)
    with engine.connect() as connection:
        mode = connection.execute(sa.text("PRAGMA journal_mode")).scalar()
        sync = connection.execute(sa.text("PRAGMA synchronous")).scalar()
    assert (mode, sync) == ("wal", 1)
    engine.dispose()


def test_sqlite_fast_commits_ignores_other_databases() -> None:
    engine = sa.create_engine("postgresql://user@127.0.0.1:9/db")
    speedups.sqlite_fast_commits(engine)
    assert not sa.event.contains(engine, "connect", speedups._sqlite_pragmas)


def test_sqlite_engine_kwargs_keep_connections_for_files_only(tmp_path: Path) -> None:
    kwargs = speedups.sqlite_engine_kwargs(f"sqlite:///{tmp_path / 't.db'}")
    assert kwargs["poolclass"] is sa.pool.QueuePool
    assert speedups.sqlite_engine_kwargs("sqlite://") == {}
    assert speedups.sqlite_engine_kwargs("postgresql://u@h/db") == {}


@pytest.mark.parametrize(
    "name", ["user", "bot", "action", "slot", "session_started", "user_featurization"]
)
def test_event_types_resolve_like_rasa(name: str) -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    speedups.install()
    expected = next(c for c in all_subclasses(Event) if c.type_name == name)
    assert Event.resolve_by_type(name) is expected


def test_unknown_event_types_behave_like_rasa() -> None:
    from rasa.shared.core.events import Event, UserUttered

    speedups.install()
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("nope", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'nope'"):
        Event.resolve_by_type("nope")


def test_tracker_round_trip_after_install() -> None:
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    speedups.install()
    events = [
        ActionExecuted("action_listen"),
        UserUttered("สวัสดี", {"name": "greet", "confidence": 1.0}),
        SlotSet("topic", "award_list"),
    ]
    tracker = DialogueStateTracker.from_events("s", events)
    dumped = [e.as_dict() for e in tracker.events]
    again = DialogueStateTracker.from_dict("s", dumped)
    assert list(again.events) == list(tracker.events)


def test_action_server_gets_the_latest_events_and_the_full_state() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    speedups.install()
    domain = Domain.from_yaml(
        "version: '3.1'\nintents: [greet]\n"
        "slots:\n  topic:\n    type: text\n    mappings: [{type: custom}]\n"
        "actions: [action_x]\n"
    )
    events = [SlotSet("topic", "award_list")]
    for turn in range(40):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"ข้อความ {turn}", {"name": "greet", "confidence": 1.0}),
            ActionExecuted("action_x"),
            BotUttered(f"ตอบ {turn}"),
        ]
    tracker = DialogueStateTracker.from_events("s", events, domain.slots)
    full = tracker.current_state(EventVerbosity.ALL)
    sent = action()._action_call_format(tracker, domain)
    state = sent["tracker"]
    limit = speedups.ACTION_EVENTS_LIMIT
    assert len(state["events"]) == limit < len(full["events"])
    assert state["events"] == full["events"][-limit:]
    # everything but the old events is sent as before
    assert {k: v for k, v in state.items() if k != "events"} == {
        k: v for k, v in full.items() if k != "events"
    }
    assert state["slots"]["topic"] == "award_list"  # set before the window
    assert sent["sender_id"] == "s" and sent["next_action"] == "action_x"

    short = DialogueStateTracker.from_events("t", events[:9], domain.slots)
    short_sent = action()._action_call_format(short, domain)["tracker"]["events"]
    assert short_sent == short.current_state(EventVerbosity.ALL)["events"]
