"""One-click revert of teach, example moves and aliases (answers: see
test_answers.py), each recorded as a change naming the one it undid."""

from __future__ import annotations

import re


def _nlu_text(console) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((console.workdir / "data" / "nlu").rglob("*.yml"))
    )


def _revert_latest(c, kind_text: str):
    page = c.get("/history").text
    block = page.split(kind_text, 1)[0]
    change_id = re.findall(r"<h2>#(\d+) ", block)[-1]
    return change_id, c.post(f"/history/{change_id}/revert", {})


def test_revert_an_added_example(console):
    c = console.signed_in("editor1")
    c.get("/intents")
    text = "ขอเบอร์สายด่วนของบิซพอร์ทัลหน่อยค่ะ"
    add = {"action": "add", "intent": "bizportal_contact", "text": text}
    assert c.post("/intents/examples", add).status_code == 200
    assert text in _nlu_text(console)
    change_id, resp = _revert_latest(c, f"สอน: {text}")
    assert resp.status_code == 200 and "ย้อนกลับแล้ว" in resp.text, resp.text[-2000:]
    assert text not in _nlu_text(console)
    assert f"ย้อนกลับรายการ #{change_id}" in resp.text


def test_revert_a_move(console):
    c = console.signed_in("editor1")
    c.get("/intents")
    text = "บิซพอร์ทัลโทรหาใครได้บ้างคะ"
    c.post(
        "/intents/examples",
        {"action": "add", "intent": "bizportal_contact", "text": text},
    )
    move = {
        "action": "move",
        "intent": "bizportal_contact",
        "text": text,
        "to": "bizportal_what",
    }
    assert c.post("/intents/examples", move).status_code == 200
    _id, resp = _revert_latest(c, "ย้ายตัวอย่าง")
    assert resp.status_code == 200, resp.text[-2000:]
    page = c.get("/intents", params={"q": text}).text
    assert 'id="intent-bizportal_contact"' in page
    assert 'id="intent-bizportal_what"' not in page


def test_revert_an_alias(console):
    c = console.signed_in("editor1")
    c.get("/names")
    add = {"action": "alias_add", "body": "mea", "alias": "ไฟฟ้านครหลวงย้อนกลับ"}
    assert c.post("/names", add).status_code == 200
    _id, resp = _revert_latest(c, "เพิ่มชื่อเรียก")
    assert resp.status_code == 200, resp.text[-2000:]
    yml = (console.content_dir / "bodies.yml").read_text(encoding="utf-8")
    assert "ไฟฟ้านครหลวงย้อนกลับ" not in yml
