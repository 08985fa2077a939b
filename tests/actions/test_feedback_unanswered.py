"""action_record_unanswered, the low-confidence hook in SafeAction, and
action_record_feedback, with rasa_sdk's Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions  # noqa: F401  (registers every action)
from actions.facts import ActionAnswerFact
from actions.feedback import ActionRecordFeedback
from actions.unanswered import ActionRecordUnanswered
from bot.content import records
from bot.replies import FEEDBACK_BAD, FEEDBACK_GOOD, MAX_BUTTONS, Reply, with_feedback


def message(text, intent, conf, ranking=(), message_id="m-1", channel="line"):
    return {
        "text": text,
        "intent": {"name": intent, "confidence": conf},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
        "message_id": message_id,
        "input_channel": channel,
    }


def tracker(latest, history=(), sender="U-secret-sender"):
    user_event = {
        "event": "user",
        "text": latest["text"],
        "parse_data": latest,
        "input_channel": latest["input_channel"],
    }
    events = [*history, user_event]
    return Tracker(sender, {}, latest, events, False, None, {}, "action_listen")


def run(action, t):
    d = CollectingDispatcher()
    events = asyncio.run(action.run(d, t, {}))
    return d.messages, events


FALLBACK = message(
    "ต่อภาษีรถออนไลน์ โทร 0812345678 ได้ไหม",
    "nlu_fallback",
    0.5,
    [
        ("nlu_fallback", 0.5),
        ("bizportal_steps", 0.42),
        ("out_of_scope", 0.3),
        ("greet", 0.1),
    ],
)


def test_fallback_is_recorded_masked_then_utter_default(loaded):
    msgs, events = run(ActionRecordUnanswered(), tracker(FALLBACK))
    assert [m.get("response") for m in msgs] == ["utter_default"]
    assert events == []
    rows = records.unanswered_questions(url=loaded)
    assert len(rows) == 1
    row = rows[0]
    assert row.text == "ต่อภาษีรถออนไลน์ โทร [เบอร์โทร] ได้ไหม"
    assert row.channel == "line" and row.reason == "fallback"
    assert [i["name"] for i in row.top_intents] == [
        "bizportal_steps",
        "out_of_scope",
        "greet",
    ]
    assert row.intent == "bizportal_steps" and row.confidence == pytest.approx(0.42)
    # the same message again (a retry) is stored once
    run(ActionRecordUnanswered(), tracker(FALLBACK))
    assert len(records.unanswered_questions(url=loaded)) == 1


def test_fallback_still_answers_when_the_db_is_down(loaded, monkeypatch):
    def broken(**_):
        raise RuntimeError("db down")

    monkeypatch.setattr(records, "record_unanswered", broken)
    msgs, _ = run(ActionRecordUnanswered(), tracker(FALLBACK))
    assert [m.get("response") for m in msgs] == ["utter_default"]


def recorded(url):
    """(text, reason, intent) of every stored unanswered question."""
    return [
        (r.text, r.reason, r.intent) for r in records.unanswered_questions(url=url)
    ]


def test_core_fallback_is_recorded_as_such(loaded):
    """RulePolicy's core fallback: NLU was sure, the dialogue could not place
    the message. Staff see it with its own reason and the clear intent."""
    clear = message(
        "ใช่ค่ะ",
        "affirm",
        0.96,
        [("affirm", 0.96), ("feedback_good", 0.02)],
        message_id="m-core",
    )
    msgs, events = run(ActionRecordUnanswered(), tracker(clear))
    assert [m.get("response") for m in msgs] == ["utter_default"]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    assert recorded(loaded) == [("ใช่ค่ะ", "core_fallback", "affirm")]


def test_low_confidence_answer_is_answered_and_recorded(loaded):
    low = message(
        "ค่าถ่ายเอกสาร ใครออก",
        "nocopy_who_pays",
        0.41,
        [("nocopy_who_pays", 0.41), ("nocopy_what", 0.3)],
        message_id="m-low",
    )
    msgs, _ = run(ActionAnswerFact(), tracker(low))
    assert "ประชาชนไม่ต้องจ่าย" in msgs[0]["text"]
    assert recorded(loaded) == [
        ("ค่าถ่ายเอกสาร ใครออก", "low_confidence", "nocopy_who_pays")
    ]


def test_confident_answer_is_not_recorded(loaded):
    sure = message("ค่าถ่ายเอกสารใครจ่าย", "nocopy_who_pays", 0.97, message_id="m-ok")
    run(ActionAnswerFact(), tracker(sure))
    assert records.unanswered_questions(url=loaded) == []


def test_factual_answers_carry_rating_buttons(loaded):
    sure = message("ค่าถ่ายเอกสารใครจ่าย", "nocopy_who_pays", 0.97)
    msgs, _ = run(ActionAnswerFact(), tracker(sure))
    buttons = msgs[-1]["buttons"]
    assert buttons[-2:] == [
        {"title": "👍", "payload": FEEDBACK_GOOD},
        {"title": "👎", "payload": FEEDBACK_BAD},
    ]
    assert not any(b["payload"].startswith("/") for b in buttons)


def test_rating_buttons_respect_the_limit():
    many = Reply("x", [{"title": str(i), "payload": f"q{i}"} for i in range(20)])
    reply = with_feedback(with_feedback(many))
    assert len(reply.buttons) == MAX_BUTTONS
    assert [b["payload"] for b in reply.buttons[-2:]] == [FEEDBACK_GOOD, FEEDBACK_BAD]
    assert [b["payload"] for b in reply.buttons].count(FEEDBACK_GOOD) == 1


ANSWERED = [
    {"event": "session_started"},
    {
        "event": "user",
        "text": "ค่าถ่ายเอกสารใครจ่าย",
        "parse_data": {"intent": {"name": "nocopy_who_pays", "confidence": 0.97}},
        "input_channel": "rest",
    },
    {"event": "action", "name": "action_answer_fact"},
    {"event": "bot", "text": "..."},
    {"event": "action", "name": "action_listen"},
]


@pytest.mark.parametrize(
    "text, intent, rating",
    [(FEEDBACK_GOOD, "feedback_good", "good"), (FEEDBACK_BAD, "feedback_bad", "bad")],
)
def test_rating_is_stored_for_the_answered_intent(loaded, text, intent, rating):
    msg = message(text, intent, 0.99, message_id=f"m-{rating}", channel="socketio")
    msgs, _ = run(ActionRecordFeedback(), tracker(msg, ANSWERED))
    assert "ขอบคุณ" in msgs[0]["text"] and "ค่ะ" in msgs[0]["text"]
    assert records.rating_counts(url=loaded) == {
        "nocopy_who_pays": {"good": int(rating == "good"), "bad": int(rating == "bad")}
    }


def test_rating_with_nothing_to_rate_only_thanks(loaded):
    msg = message(FEEDBACK_GOOD, "feedback_good", 0.99)
    msgs, _ = run(ActionRecordFeedback(), tracker(msg, [{"event": "session_started"}]))
    assert "ขอบคุณ" in msgs[0]["text"]
    assert records.rating_counts(url=loaded) == {}


def test_rating_is_not_a_low_confidence_question(loaded):
    msg = message("ก็ดีนะ", "feedback_good", 0.3)
    run(ActionRecordFeedback(), tracker(msg, ANSWERED))
    assert records.unanswered_questions(url=loaded) == []
