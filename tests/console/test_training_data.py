"""Unanswered queue, teach and the Intents page: the functions of
`bot.admin teach` / `intent add`, validated on a staged copy first."""

from __future__ import annotations

import re

from bot.content import records
from bot.content.db import dispose_engines
from tests.console.helpers import field

INTENT = "bizportal_contact"


def _nlu_text(console) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((console.workdir / "data" / "nlu").rglob("*.yml"))
    )


def test_teach_an_unanswered_question(console):
    records.record_unanswered(
        "ติดต่อทีมบิซพอร์ทัลทางไหนได้บ้างคะ", "fallback", channel="rest",
        top_intents=[{"name": INTENT, "confidence": 0.3}], url=console.url,
    )  # fmt: skip
    c = console.signed_in("editor1")
    page = c.get("/unanswered").text
    assert "ติดต่อทีมบิซพอร์ทัลทางไหนได้บ้างคะ" in page and "บอตเดา" in page
    ids = field(page, "ids")
    resp = c.post(
        "/unanswered/teach",
        {"ids": ids, "text": "ติดต่อทีมบิซพอร์ทัลทางไหนได้บ้างคะ", "intent": INTENT},
    )
    assert resp.status_code == 200 and "เพิ่มตัวอย่างแล้ว" in resp.text, resp.text[-3000:]
    assert "ติดต่อทีมบิซพอร์ทัลทางไหนได้บ้างคะ" in _nlu_text(console)
    dispose_engines()
    assert not records.unanswered_questions(url=console.url)
    assert "สอน: ติดต่อทีมบิซพอร์ทัล" in c.get("/history").text


def test_teach_refuses_an_example_of_another_intent_in_thai(console):
    records.record_unanswered("สวัสดีค่ะ", "fallback", url=console.url)
    c = console.signed_in("editor1")
    ids = field(c.get("/unanswered").text, "ids")
    resp = c.post("/unanswered/teach", {"ids": ids, "text": "สวัสดีค่ะ", "intent": INTENT})
    assert resp.status_code == 422
    assert re.search(r'class="error"[^>]*role="alert"><p>.*intent เดียว', resp.text)


def test_add_move_remove_an_example(console):
    c = console.signed_in("editor1")
    c.get("/intents")
    text = "เบอร์โทรติดต่อบิซพอร์ทัลคือเบอร์อะไรคะ"
    add = {"action": "add", "intent": INTENT, "text": text}
    resp = c.post("/intents/examples", add)
    assert resp.status_code == 200 and "เพิ่มตัวอย่างแล้ว" in resp.text
    search = c.get("/intents", params={"q": "บิซพอร์ทัลคือเบอร์"}).text
    assert text in search
    move = {"action": "move", "intent": INTENT, "text": text, "to": "bizportal_what"}
    resp = c.post("/intents/examples", move)
    assert resp.status_code == 200 and "ย้ายตัวอย่าง" in resp.text, resp.text[-2000:]
    remove = {"action": "remove", "intent": "bizportal_what", "text": text}
    resp = c.post("/intents/examples", remove)
    assert resp.status_code == 200 and "ลบตัวอย่าง" in resp.text
    assert text not in _nlu_text(console)


def test_new_intent_is_validated_then_written(console):
    c = console.signed_in("editor1")
    c.get("/intents")
    few = {"name": "ask_office_hours", "examples": "เปิดกี่โมงคะ", "response": "x"}
    resp = c.post("/intents/new", few)
    assert resp.status_code == 422
    assert re.search(r'id="ne-examples"[^>]*>.*อย่างน้อย 25', resp.text, re.S)
    examples = "\n".join(f"สำนักงานเปิดกี่โมงวันที่ {i} คะ" for i in range(1, 31))
    good = {
        "name": "ask_office_hours",
        "examples": examples,
        "response": "สำนักงานเปิดวันจันทร์ถึงศุกร์ 8.30-16.30 น. ค่ะ",
    }
    resp = c.post("/intents/new", good)
    assert resp.status_code == 200, resp.text[-3000:]
    assert "เพิ่ม intent ask_office_hours" in resp.text
    domain = (console.workdir / "domain.yml").read_text(encoding="utf-8")
    assert "utter_ask_office_hours" in domain
    rules = (console.workdir / "data" / "rules" / "staff.yml").read_text("utf-8")
    assert "intent: ask_office_hours" in rules


def test_an_intent_shows_its_answer(console):
    c = console.signed_in("editor1")
    page = c.get("/intents", params={"intent": INTENT}).text
    assert "คำตอบของบอต" in page and f'href="/answers/{INTENT}"' in page
    assert "02-612-6060" in page
    greet = c.get("/intents", params={"intent": "greet"}).text
    assert "คำตอบของบอต" in greet and 'id="intent-greet"' in greet
