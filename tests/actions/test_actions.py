import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update

import actions  # noqa: F401  (registers every action)
from actions import common
from actions.awards import (
    ActionCheckWinner,
    ActionConfirmSuggestion,
    ActionCountWinners,
    ActionListWinners,
)
from actions.bizportal import ActionBizportalLicences
from actions.facts import ActionAnswerFact
from actions.followup import ActionFollowup
from bot.content.db import session_scope
from bot.content.models import Answer


def _entity(text, name, value):
    """As the NLU gives it: the value and, when it is in the text, its span."""
    ent = {"entity": name, "value": value}
    if value in text:
        ent.update(start=text.index(value), end=text.index(value) + len(value))
    return ent


def tracker(text, intent, entities=(), slots=None):
    msg = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [_entity(text, e, v) for e, v in entities],
    }
    return Tracker("u1", slots or {}, msg, [], False, None, {}, "action_listen")


def run(action, t):
    d = CollectingDispatcher()
    events = asyncio.run(action.run(d, t, {}))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert d.messages, "an action must never stay silent"
    return d.messages, slots


def texts(messages):
    return "\n".join(m["text"] for m in messages)


def no_intent_payloads(messages):
    for m in messages:
        for b in m.get("buttons") or []:
            assert not b["payload"].startswith("/")
            assert len(b["title"]) <= 20


def test_answer_fact_and_content_edit(loaded):
    msgs, _ = run(ActionAnswerFact(), tracker("ค่าถ่ายเอกสารใครจ่าย", "nocopy_who_pays"))
    assert "ประชาชนไม่ต้องจ่าย" in texts(msgs) and "ที่มา: https://" in texts(msgs)
    no_intent_payloads(msgs)
    with session_scope(loaded) as s:
        s.execute(
            update(Answer)
            .where(Answer.key == "nocopy_who_pays")
            .values(text_th="แก้ไขแล้วค่ะ")
        )
    msgs, _ = run(ActionAnswerFact(), tracker("ค่าถ่ายเอกสารใครจ่าย", "nocopy_who_pays"))
    assert texts(msgs).startswith("แก้ไขแล้วค่ะ")


def test_answer_fact_sets_topic_for_overview(loaded):
    _, slots = run(
        ActionAnswerFact(), tracker("รางวัลรัฐบาลดิจิทัลคืออะไร", "award_overview")
    )
    assert slots["topic"] == "award_list"


def test_check_winner_found_entity(loaded):
    msgs, slots = run(
        ActionCheckWinner(),
        tracker("กฟน. ได้รางวัลไหม", "award_check", [("body", "การไฟฟ้านครหลวง")]),
    )
    assert texts(msgs).startswith("ใช่ค่ะ การไฟฟ้านครหลวง")
    assert slots["topic"] == "award_check" and slots["last_sources"]


def test_check_winner_not_found_province(loaded):
    msgs, slots = run(
        ActionCheckWinner(),
        tracker("จังหวัดเชียงใหม่ได้รางวัลไหม", "award_check", [("province", "เชียงใหม่")]),
    )
    t = texts(msgs)
    assert t.startswith("ไม่ใช่ค่ะ จังหวัดเชียงใหม่ ไม่อยู่ในรายชื่อ") and "ร้อยเอ็ด" in t


def test_check_winner_fuzzy_from_text(loaded):
    msgs, slots = run(
        ActionCheckWinner(), tracker("การไฟฟ้านครหลวงงได้รางวัลไหม", "award_check")
    )
    assert texts(msgs).startswith("ใช่ค่ะ การไฟฟ้านครหลวง")
    assert "ใกล้เคียงกับ การไฟฟ้านครหลวง" in texts(msgs)
    msgs, _ = run(
        ActionCheckWinner(),
        tracker("สปสข ได้รางวัลไหม", "award_check", [("body", "สปสข")]),
    )
    # an abbreviation is never matched fuzzily: not on the list, with the
    # similar winner offered as a question
    t = texts(msgs)
    assert t.startswith("ไม่พบ “สปสข”") and not t.startswith("ใช่")
    assert "หมายถึง สำนักงานหลักประกันสุขภาพแห่งชาติ หรือไม่คะ" in t


def test_near_miss_then_confirm(loaded):
    msgs, slots = run(
        ActionCheckWinner(), tracker("การประปานครหลวงได้รางวัลไหม", "award_check")
    )
    t = texts(msgs)
    assert "การประปานครหลวง ไม่อยู่ในรายชื่อ" in t and "หมายถึง การประปาส่วนภูมิภาค หรือไม่คะ" in t
    assert slots["suggested_body"] == "pwa"
    no_intent_payloads(msgs)
    msgs, slots = run(
        ActionConfirmSuggestion(),
        tracker("ใช่", "affirm", slots={"suggested_body": "pwa"}),
    )
    assert "ใช่ค่ะ การประปาส่วนภูมิภาค" in texts(msgs) and slots["suggested_body"] is None
    msgs, slots = run(
        ActionConfirmSuggestion(),
        tracker("ไม่ใช่", "deny", slots={"suggested_body": "pwa"}),
    )
    assert "อีกครั้ง" in texts(msgs) and slots["suggested_body"] is None
    msgs, _ = run(ActionConfirmSuggestion(), tracker("ใช่", "affirm"))
    assert "รับทราบค่ะ" in texts(msgs)


def test_check_winner_missing_entity_then_followup(loaded):
    msgs, slots = run(ActionCheckWinner(), tracker("ได้รางวัลไหม", "award_check"))
    assert "หน่วยงานหรือจังหวัดไหน" in texts(msgs) and slots["topic"] == "award_check"
    msgs, slots = run(
        ActionFollowup(), tracker("ลำพูน", "inform", [("province", "ลำพูน")], slots)
    )
    assert "ใช่ค่ะ จังหวัดลำพูน" in texts(msgs)


def test_list_and_followup_by_category(loaded):
    msgs, slots = run(
        ActionListWinners(),
        tracker("ระดับกรมมีใครบ้าง", "award_winners", [("award_category", "ระดับกรม")]),
    )
    t = texts(msgs)
    assert (
        "กรมพัฒนาธุรกิจการค้า" in t
        and "ร้อยเอ็ด" not in t
        and slots["last_award_category"] == "department"
    )
    msgs, slots = run(
        ActionFollowup(),
        tracker("แล้วระดับจังหวัดล่ะ", "inform", [("award_category", "ระดับจังหวัด")], slots),
    )
    t = texts(msgs)
    assert "จังหวัดร้อยเอ็ด" in t and "กรมพัฒนาธุรกิจการค้า" not in t
    msgs, _ = run(
        ActionFollowup(), tracker("แล้ว กฟน. ล่ะ", "inform", [("body", "กฟน.")], slots)
    )
    assert "ใช่ค่ะ การไฟฟ้านครหลวง" in texts(msgs)
    # NLU tagged only the kind ("จังหวัด") and missed the province: the name
    # in the text is checked, not the list of every winning province
    msgs, _ = run(
        ActionFollowup(),
        tracker("แล้วจังหวัดตากล่ะ", "inform", [("body_kind", "จังหวัด")], slots),
    )
    t = texts(msgs)
    assert t.startswith("ไม่ใช่ค่ะ จังหวัดตาก ไม่อยู่ในรายชื่อ"), t


def test_list_nocopy_names_only_confirmed(loaded):
    msgs, _ = run(
        ActionListWinners(), tracker("รางวัลยกเลิกสำเนามีใครบ้าง", "award_winners")
    )
    t = texts(msgs)
    assert "กรมวิทยาศาสตร์บริการ" in t and "60" in t and "การไฟฟ้านครหลวง" not in t


def test_count(loaded):
    msgs, _ = run(ActionCountWinners(), tracker("ได้รางวัลกี่หน่วยงาน", "award_count"))
    assert "75" in texts(msgs)
    msgs, _ = run(
        ActionCountWinners(),
        tracker("ระดับจังหวัดกี่รางวัล", "award_count", [("award_category", "ระดับจังหวัด")]),
    )
    assert "5 รางวัล" in texts(msgs)


def test_licences_and_followup(loaded):
    msgs, slots = run(
        ActionBizportalLicences(),
        tracker(
            "เปิดร้านอาหารต้องขออะไรบ้าง",
            "bizportal_licences",
            [("business_type", "ร้านอาหาร")],
        ),
    )
    assert "สอ.4" in texts(msgs) and "ที่มา: https://" in texts(msgs)
    assert slots["topic"] == "licences"
    msgs, slots = run(
        ActionBizportalLicences(), tracker("ต้องขอใบอนุญาตอะไรบ้าง", "bizportal_licences")
    )
    assert "ธุรกิจประเภทไหน" in texts(msgs) and slots["topic"] == "licences"
    no_intent_payloads(msgs)
    msgs, slots = run(
        ActionFollowup(),
        tracker("ร้านกาแฟ", "inform", [("business_type", "ร้านกาแฟ")], slots),
    )
    assert texts(msgs).startswith("ธุรกิจร้านกาแฟ") and slots["topic"] == "licences"


def test_followup_without_topic_asks(loaded):
    msgs, _ = run(
        ActionFollowup(), tracker("แล้ว กฟน. ล่ะ", "inform", [("body", "กฟน.")])
    )
    assert "ยังไม่แน่ใจ" in texts(msgs)
    no_intent_payloads(msgs)


def test_db_error_apologises(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'nope.db'}")
    msgs, _ = run(ActionAnswerFact(), tracker("สพร. คืออะไร", "ask_dga"))
    assert "ขออภัยค่ะ" in texts(msgs) and "02-612-6060" in texts(msgs)


def test_timeout_apologises(loaded, monkeypatch):
    import time

    from bot.content import repository

    monkeypatch.setenv("DB_TIMEOUT_S", "0.05")
    monkeypatch.setattr(repository, "answer", lambda key: time.sleep(0.5))
    msgs, _ = run(ActionAnswerFact(), tracker("สพร. คืออะไร", "ask_dga"))
    assert "ขออภัยค่ะ" in texts(msgs)
    assert common.settings.db_timeout_s() == pytest.approx(0.05)


def test_partial_entity_is_rescued_by_the_text(loaded):
    """The model may cut "เชียง" out of "เชียงราย"; the text still names it."""
    msgs, slots = run(
        ActionCheckWinner(),
        tracker("จังหวัดเชียงรายได้รางวัลไหมคะ", "award_check", [("province", "เชียง")]),
    )
    assert texts(msgs).startswith("ไม่ใช่ค่ะ จังหวัดเชียงราย ไม่อยู่ในรายชื่อ")
    assert "ร้อยเอ็ด" in texts(msgs)


def test_unknown_name_is_named_in_the_reply(loaded):
    msgs, _ = run(
        ActionCheckWinner(),
        tracker("กรมอวกาศได้รางวัลไหม", "award_check", [("body", "กรมอวกาศ")]),
    )
    assert "กรมอวกาศ" in texts(msgs)
    assert "ได้รับรางวัลใน" not in texts(msgs)
