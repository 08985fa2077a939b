"""ServiceScopeClassifier: other government services are out of scope."""

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.scope import (
    OUT_OF_SCOPE,
    ServiceScopeClassifier,
    other_service,
    read_scope,
)

SCOPE = read_scope("data/content/other_services.yml")


def test_other_services_are_found_and_named():
    assert other_service("ต่อใบขับขี่ต้องใช้อะไรบ้าง", SCOPE)[0] == "ใบขับขี่"
    assert other_service("How do I renew my PASSPORT?", SCOPE)[0] == "หนังสือเดินทาง"
    assert other_service("คนละครึ่งเฟสใหม่มาเมื่อไหร่", SCOPE)[0] == "โครงการคนละครึ่ง"
    assert other_service("เงินเข้าบัตรสวัสดิการวันไหน", SCOPE) is not None


def test_in_scope_words_keep_a_question_in_scope():
    # asking about copies for a driving licence is a No-Copy question
    assert other_service("ทำใบขับขี่ต้องใช้สำเนาบัตรประชาชนไหม", SCOPE) is None
    assert other_service("บัตรสวัสดิการแห่งรัฐคืออะไร", SCOPE) is None
    assert other_service("Biz Portal คืออะไร", SCOPE) is None


def test_the_component_overrides_the_intent_without_ambiguity():
    component = ServiceScopeClassifier({}, None, None, SCOPE)
    msg = Message(
        data={
            "text": "ต่อใบขับขี่ออนไลน์ได้ไหม",
            "intent": {"name": "bizportal_licences", "confidence": 0.9},
            "intent_ranking": [
                {"name": "bizportal_licences", "confidence": 0.9},
                {"name": "out_of_scope", "confidence": 0.05},
            ],
        }
    )
    component.process([msg])
    ranking = msg.get("intent_ranking")
    assert msg.get("intent")["name"] == OUT_OF_SCOPE
    assert ranking[0]["confidence"] == 1.0 and ranking[1]["confidence"] <= 0.5
    assert [r["name"] for r in ranking].count(OUT_OF_SCOPE) == 1
    assert msg.get("entities")[0]["value"] == "ใบขับขี่"
    plain = Message(data={"text": "Biz Portal คืออะไร", "intent": {"name": "x"}})
    component.process([plain])
    assert plain.get("intent")["name"] == "x"
