"""bot/rasa_ext keeps Rasa's behaviour: same validation, same errors; and it
refuses a Rasa it was not written for."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_ext
from bot.rasa_ext import patches as speedups
from bot.rasa_ext import sqlite

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
    sqlite.sqlite_fast_commits(engine)
    sqlite.sqlite_fast_commits(engine)
    with engine.connect() as connection:
        mode = connection.execute(sa.text("PRAGMA journal_mode")).scalar()
        sync = connection.execute(sa.text("PRAGMA synchronous")).scalar()
    assert (mode, sync) == ("wal", 1)
    engine.dispose()


def test_sqlite_fast_commits_ignores_other_databases() -> None:
    engine = sa.create_engine("postgresql://user@127.0.0.1:9/db")
    sqlite.sqlite_fast_commits(engine)
    assert not sa.event.contains(engine, "connect", sqlite._sqlite_pragmas)


def test_sqlite_engine_kwargs_keep_connections_for_files_only(tmp_path: Path) -> None:
    kwargs = sqlite.sqlite_engine_kwargs(f"sqlite:///{tmp_path / 't.db'}")
    assert kwargs["poolclass"] is sa.pool.QueuePool
    assert sqlite.sqlite_engine_kwargs("sqlite://") == {}
    assert sqlite.sqlite_engine_kwargs("postgresql://u@h/db") == {}


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


def test_the_version_guard_refuses_another_rasa() -> None:
    rasa_ext.check_version("3.6.21")
    for other in ("3.7.0", "3.10.1", "4.0.0", "2.8.1"):
        with pytest.raises(rasa_ext.UnsupportedRasa, match="requirements.txt"):
            rasa_ext.check_version(other)


def test_importing_the_package_changes_nothing() -> None:
    """Only `install` patches Rasa: a fresh interpreter that imports every
    module of bot/rasa_ext and bot/nlu still has Rasa's own methods."""
    import subprocess
    import sys

    code = (
        "import bot.rasa_ext, bot.rasa_ext.patches, bot.rasa_ext.tracker_store, "
        "bot.rasa_ext.lock_store, bot.nlu.thai_tokenizer, bot.nlu.linear_intent\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "import rasa.core.actions.action as a\n"
        "from bot.rasa_ext import patches\n"
        "assert RemoteAction._validate_action_result is not "
        "patches._validate_action_result\n"
        "assert a.DEFAULT_REQUEST_TIMEOUT == 300\n"
        "bot.rasa_ext.install()\n"
        "assert RemoteAction._validate_action_result is "
        "patches._validate_action_result\n"
        "assert a.DEFAULT_REQUEST_TIMEOUT == 10\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "ACTION_TIMEOUT_S"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_action_timeout_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.actions.action as rasa_action

    before = rasa_action.DEFAULT_REQUEST_TIMEOUT
    try:
        monkeypatch.setenv("ACTION_TIMEOUT_S", "2.5")
        assert speedups.apply_action_timeout() == 2.5
        assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 2.5
        for bad in ("", "x", "-1", "0"):
            monkeypatch.setenv("ACTION_TIMEOUT_S", bad)
            assert speedups.apply_action_timeout() == 10.0
    finally:
        rasa_action.DEFAULT_REQUEST_TIMEOUT = before


def test_a_real_remote_action_run_uses_the_cached_validator(monkeypatch) -> None:
    """`RemoteAction.run` itself goes through the patched validator (so a Rasa
    that stopped calling `_validate_action_result` would fail this test)."""
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_ext.install()
    calls = []
    original = speedups._validator

    def counting(action_class):
        calls.append(action_class)
        return original(action_class)

    monkeypatch.setattr(speedups, "_validator", counting)

    class Endpoint(EndpointConfig):
        async def request(self, *args, **kwargs):
            return {"events": [], "responses": [{"text": "สวัสดีค่ะ"}]}

    remote = RemoteAction("action_x", Endpoint("http://127.0.0.1:9/webhook"))
    domain = Domain.empty()
    tracker = DialogueStateTracker("t", domain.slots)
    events = asyncio.run(
        remote.run(
            CollectingOutputChannel(),
            TemplatedNaturalLanguageGenerator(domain.responses),
            tracker,
            domain,
        )
    )
    assert calls == [RemoteAction]
    assert events and events[0].text == "สวัสดีค่ะ"



def test_debug_log_copies_are_made_only_when_debug_lines_are_logged() -> None:
    import logging

    import rasa.core.processor
    import structlog

    speedups.install()
    copier = rasa.core.processor.copy
    assert isinstance(copier, speedups._DebugLogCopy)
    value = {"states": [{"user": {"intent": "greet"}}]}
    before = structlog.get_config()
    try:
        structlog.configure(
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO)
        )
        assert copier.deepcopy(value) is value
        structlog.configure(
            wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG)
        )
        copied = copier.deepcopy(value)
        assert copied == value and copied["states"] is not value["states"]
        assert copier.copy(value) is not value  # the rest of `copy` is untouched
    finally:
        structlog.configure(**before)
