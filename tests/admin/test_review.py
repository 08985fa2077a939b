"""unanswered / report and the pure helpers behind them (bot.insights)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot import insights
from bot.content import records


def parse(text: str, intent: str, conf: float, ranking=(), message_id="m1") -> dict:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": conf},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "message_id": message_id,
    }


def test_top_intents_skip_fallback():
    data = parse(
        "x",
        "nlu_fallback",
        0.5,
        [
            ("nlu_fallback", 0.5),
            ("greet", 0.31),
            ("help", 0.2),
            ("thank", 0.1),
            ("deny", 0.05),
        ],
    )
    assert insights.top_intents(data) == [
        {"name": "greet", "confidence": 0.31},
        {"name": "help", "confidence": 0.2},
        {"name": "thank", "confidence": 0.1},
    ]


@pytest.mark.parametrize(
    "intent, conf, expect",
    [
        ("award_check", 0.59, True),
        ("award_check", 0.6, False),
        ("award_check", 0.95, False),
        ("nlu_fallback", 0.3, False),  # recorded by action_record_unanswered
        ("feedback_bad", 0.3, False),  # a rating, not a question
    ],
)
def test_low_confidence(intent, conf, expect):
    assert insights.is_low_confidence(parse("x", intent, conf)) is expect


def test_threshold_from_env(monkeypatch):
    monkeypatch.setenv("LOW_CONFIDENCE_THRESHOLD", "0.8")
    assert insights.is_low_confidence(parse("x", "award_check", 0.7))
    monkeypatch.setenv("LOW_CONFIDENCE_THRESHOLD", "nonsense")
    assert not insights.is_low_confidence(parse("x", "award_check", 0.7))


def test_record_masks_pii_and_hides_sender():
    data = insights.unanswered_record(
        parse("เลขบัตร 1101700230716 โทร 081-234-5678", "nlu_fallback", 0.5),
        "fallback",
        "line",
        "U1234",
    )
    assert data["text"] == "เลขบัตร [เลขบัตรประชาชน] โทร [เบอร์โทร]"
    assert "U1234" not in str(data) and len(data["message_ref"]) == 64
    assert (
        insights.unanswered_record(parse("  ", "nlu_fallback", 0.5), "fallback", None)
        is None
    )


def user(intent: str) -> dict:
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def action(name: str) -> dict:
    return {"event": "action", "name": name}


def test_rated_answer_is_the_last_answered_turn():
    events = [
        {"event": "session_started"},
        user("greet"),
        action("utter_greet"),
        user("nocopy_what"),
        action("action_answer_fact"),
        action("action_listen"),
        user("feedback_good"),  # the message being handled
    ]
    assert insights.rated_answer(events) == ("nocopy_what", "action_answer_fact")
    # a second rating rates the same answer
    events += [
        action("action_record_feedback"),
        action("action_listen"),
        user("feedback_bad"),
    ]
    assert insights.rated_answer(events) == ("nocopy_what", "action_answer_fact")


def test_rated_answer_none_without_an_answer_in_this_session():
    events = [
        user("award_check"),
        action("action_check_winner"),
        {"event": "session_started"},
        user("greet"),
        action("utter_greet"),
        user("feedback_good"),
    ]
    assert insights.rated_answer(events) is None


@dataclass
class Row:
    id: int
    text: str
    created_at: datetime
    channel: str = "rest"
    top_intents: tuple = ()


def test_grouping_similar_questions_newest_first():
    t = datetime(2026, 1, 1, 12, 0)
    rows = [
        Row(1, "ต่อภาษีรถออนไลน์ได้ไหม", t),
        Row(2, "หวยงวดนี้ออกอะไร", t + timedelta(minutes=1)),
        Row(3, "ต่อภาษีรถยนต์ออนไลน์ได้ไหมคะ", t + timedelta(minutes=2)),
        Row(4, "ต่อภาษีรถ ออนไลน์ ได้ไหม ครับ", t + timedelta(minutes=3)),
    ]
    groups = insights.group_similar(rows)
    assert [g.count for g in groups] == [3, 1]
    assert [r.id for r in groups[0].rows] == [4, 3, 1]
    assert groups[1].rows[0].id == 2
    assert not insights.matches("ต่อภาษีรถออนไลน์ได้ไหม", "หวยงวดนี้ออกอะไร")


def test_unanswered_and_report_commands(admin, project):
    url = project.url
    for i, (text, reason) in enumerate(
        [
            ("ต่อภาษีรถออนไลน์ได้ไหม", "fallback"),
            ("ต่อภาษีรถยนต์ออนไลน์ได้ไหม โทร [เบอร์โทร]", "low_confidence"),
            ("หวยออกอะไร", "fallback"),
        ]
    ):
        records.record_unanswered(
            text,
            reason,
            "line" if i else "rest",
            intent="bizportal_steps" if i < 2 else "out_of_scope",
            confidence=0.4,
            top_intents=[{"name": "bizportal_steps", "confidence": 0.4}],
            message_ref=f"r{i}",
            url=url,
        )
    assert not records.record_unanswered("ซ้ำ", "fallback", message_ref="r0", url=url)
    records.record_rating("nocopy_what", "good", "rest", url=url)
    records.record_rating("nocopy_what", "bad", "line", url=url)
    records.record_rating("award_check", "bad", "line", url=url)
    run = admin("unanswered")
    assert run.code == 0, run.err
    assert "3 questions in 2 groups" in run.out
    assert "#1  ×1" in run.out and "#2  ×2" in run.out  # newest group first
    assert "ช่องทาง/channels: line, rest" in run.out
    assert 'teach "ต่อภาษีรถออนไลน์ได้ไหม" <intent>' in run.out  # no masked text
    run = admin("report")
    assert run.code == 0, run.err
    rows = {
        line.split()[0]: line.split()[1:] for line in run.out.splitlines()[2:] if line
    }
    assert rows["nocopy_what"][:3] == ["1", "1", "50%"]
    assert rows["award_check"][:2] == ["0", "1"]
    assert rows["bizportal_steps"][-2:] == ["1", "1"]
    assert "open unanswered 3" in run.out


def test_review_commands_explain_a_broken_db(admin, tmp_path):
    run = admin("--url", f"sqlite:///{tmp_path}/none/x.db", "unanswered")
    assert run.code == 2 and "DATABASE_URL" in run.err
