"""Dashboard figures (tracker store + feedback + unanswered tables) and the
Names & awards page."""

from __future__ import annotations

import json
import re
import sqlite3
import time

from bot.console import dashboard
from bot.content import records


def _tracker(path, rows) -> None:
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id TEXT,"
        " type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT,"
        " data TEXT)"
    )
    now = time.time()
    for sender, intent, text, channel in rows:
        data = json.dumps({"text": text, "input_channel": channel}, ensure_ascii=False)
        con.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data)"
            " VALUES (?, 'user', ?, ?, ?)",
            (sender, now - 60, intent, data),
        )
    con.commit()
    con.close()


def test_dashboard_counts_and_the_three_conversation_rule(console):
    tracker = console.workdir / "tracker.db"
    asked_by_three = "ขอเบอร์ผู้ว่าราชการ 0812345678 หน่อย"
    _tracker(
        tracker,
        [(f"s{i}", "nlu_fallback", asked_by_three, "rest") for i in range(3)]
        + [("s1", "nlu_fallback", "คำถามที่มีคนถามสองคน", "line")] * 1
        + [("s2", "nlu_fallback", "คำถามที่มีคนถามสองคน", "line")]
        + [("s4", "bizportal_contact", "ติดต่อ biz portal", "line")] * 1,
    )
    records.record_rating("bizportal_contact", "good", url=console.url)
    records.record_rating("nocopy_what", "bad", url=console.url)
    figs = dashboard.figures(7, console.url, f"sqlite:///{tracker}")
    assert figs.total == 6 and figs.fallback == 5
    assert sum(figs.per_channel["rest"]) == 3 and sum(figs.per_channel["line"]) == 3
    assert figs.per_channel["rest"][-1] == 3  # today, Bangkok time
    assert figs.ratings["Biz Portal"]["good"] == 1
    assert figs.ratings["ยกเลิกสำเนาเอกสาร"]["bad"] == 1
    shown = [text for text, _n in figs.top_unanswered]
    assert len(shown) == 1 and "0812345678" not in shown[0]  # masked
    assert all("สองคน" not in t for t in shown)

    c = console.signed_in("editor1")
    page = c.get("/dashboard").text
    assert "ภาพรวม 7 วันล่าสุด" in page and "คำถามต่อวัน แยกตามช่องทาง" in page
    assert "25" in page.split("ถึง")[1][:40]  # Buddhist-era year (25xx)
    assert "0812345678" not in page and "สองคน" not in page
    assert "ภาพรวม 30 วันล่าสุด" in c.get("/dashboard", params={"days": "30"}).text
    assert c.get("/static/chart.umd.min.js").status_code == 200
    assert c.get("/static/package.json").status_code == 404


def test_names_page_alias_through_the_command_line_functions(console):
    c = console.signed_in("editor1")
    page = c.get("/names", params={"q": "mea"}).text
    assert "การไฟฟ้านครหลวง" in page and "ผู้ได้รับรางวัล" in page
    add = {"action": "alias_add", "body": "mea", "alias": "ไฟฟ้านครหลวงทดสอบ"}
    resp = c.post("/names", add)
    assert resp.status_code == 200 and "เพิ่มชื่อเรียก" in resp.text
    yml = (console.content_dir / "bodies.yml").read_text(encoding="utf-8")
    assert "ไฟฟ้านครหลวงทดสอบ" in yml
    again = c.post("/names", add)
    assert again.status_code == 422 and "อยู่แล้ว" in again.text
    resp = c.post("/names", {**add, "action": "alias_remove"})
    assert resp.status_code == 200 and "ลบชื่อเรียก" in resp.text
    award = {
        "action": "award_add",
        "body": "mea",
        "category": "department",
        "source": "x",
    }
    resp = c.post("/names", award)
    assert resp.status_code == 422 and "https://" in resp.text
    assert "ชื่อเรียก &#39;ไฟฟ้านครหลวงทดสอบ&#39;" in c.get("/history").text


def test_set_a_fact_and_revert_it(console):
    c = console.signed_in("editor1")
    page = c.get("/names", params={"q": "event.name_th"}).text
    assert "event.name_th" in page
    old = "รางวัลรัฐบาลดิจิทัล ประจำปี 2562"
    new = "รางวัลรัฐบาลดิจิทัล ประจำปี 2562 (ทดสอบ)"
    resp = c.post(
        "/names", {"action": "fact_set", "fact": "event.name_th", "value": new}
    )
    assert resp.status_code == 200, resp.text[-2000:]
    assert new in (console.content_dir / "awards.yml").read_text(encoding="utf-8")
    bad = c.post("/names", {"action": "fact_set", "fact": "event.year", "value": "ปีนี้"})
    assert bad.status_code == 422
    history = c.get("/history").text
    change_id = re.search(r"<h2>#(\d+) event\.name_th:", history).group(1)
    resp = c.post(f"/history/{change_id}/revert", {})
    assert resp.status_code == 200, resp.text[-2000:]
    text = (console.content_dir / "awards.yml").read_text(encoding="utf-8")
    assert new not in text and old in text
