"""Answers through the console: the same validation as `bot.admin edit
answer`, a version check between editors, the history and one-click revert."""

from __future__ import annotations

import re

from bot.content import repository
from bot.content.db import dispose_engines
from tests.console.helpers import field

KEY = "bizportal_contact"


def _open(c, key=KEY):
    page = c.get(f"/answers/{key}")
    assert page.status_code == 200
    return page.text, field(page.text, "text"), field(page.text, "version")


def _save(c, text, version, key=KEY, action="save", confidence=None):
    form = {"text": text, "version": version, "action": action}
    if confidence:
        form["confidence"] = confidence
    return c.post(f"/answers/{key}", form)


def _db_text(console, key=KEY) -> str:
    dispose_engines()
    return repository.answer(key, console.url).text_th


def test_search_finds_answers_by_text(console):
    c = console.signed_in("editor1")
    page = c.get("/answers", params={"q": "Biz Portal"}).text
    assert KEY in page
    assert "พบ 0 คำตอบ" in c.get("/answers", params={"q": "ไม่มีคำนี้แน่นอนxyz"}).text


def test_edit_page_shows_sources_and_both_previews(console):
    c = console.signed_in("editor1")
    page, text, _ = _open(c)
    assert "ที่มา (ต้องมีอย่างน้อย 1 แหล่ง)" in page
    assert "https://" in page
    assert 'class="line-bubble"' in page and 'class="web-bubble"' in page
    assert text.splitlines()[0] in page


def test_preview_does_not_save(console):
    c = console.signed_in("editor1")
    _, text, version = _open(c)
    resp = _save(c, "ข้อความตัวอย่างที่ยังไม่บันทึกค่ะ", version, action="preview")
    assert resp.status_code == 200
    assert "ยังไม่ได้บันทึก" in resp.text
    assert "ข้อความตัวอย่างที่ยังไม่บันทึกค่ะ" in resp.text
    assert _open(c)[1] == text


def test_save_validates_with_the_command_line_rules(console):
    c = console.signed_in("editor1")
    _, text, version = _open(c)
    resp = _save(c, "only english here", version)
    assert resp.status_code == 422
    # the Thai message of bot.admin.content.edit_answer, next to the field
    assert re.search(r'id="e-text"[^>]*>.*คำตอบต้องเป็นภาษาไทย', resp.text, re.S)
    assert 'aria-invalid="true"' in resp.text
    assert _open(c)[1] == text


def test_save_reaches_files_db_and_history_then_revert(console):
    c = console.signed_in("editor1")
    _, old, version = _open(c)
    new = old + "\nเพิ่มบรรทัดทดสอบจากระบบหลังบ้านค่ะ"
    resp = _save(c, new, version)
    assert resp.status_code == 200, resp.text[:2000]
    assert "แก้คำตอบ bizportal_contact แล้ว" in resp.text
    answers_yml = (console.content_dir / "answers.yml").read_text(encoding="utf-8")
    assert "เพิ่มบรรทัดทดสอบจากระบบหลังบ้านค่ะ" in answers_yml
    assert _db_text(console) == new  # what the actions read on the next message

    history = c.get("/history").text
    assert "editor1" in history and "เพิ่มบรรทัดทดสอบจากระบบหลังบ้านค่ะ" in history
    change_id = re.search(r'action="/history/(\d+)/revert"', history).group(1)
    resp = c.post(f"/history/{change_id}/revert", {})
    assert resp.status_code == 200 and "ย้อนกลับแล้ว" in resp.text
    assert _db_text(console) == old
    history = c.get("/history").text
    assert f"ย้อนกลับรายการ #{change_id}" in history
    assert "ถูกย้อนกลับโดยรายการ" in history
    # a change already reverted cannot be reverted again
    again = c.post(f"/history/{change_id}/revert", {})
    assert again.status_code == 409 and "ย้อนกลับไปแล้ว" in again.text


def test_a_concurrent_edit_is_refused_with_a_clear_message(console):
    first = console.signed_in("editor1")
    second = console.signed_in("admin1")
    _, text, version = _open(first)
    _open(second)
    ok = _save(
        second,
        text + "\nแก้โดยคนที่สองค่ะ",
        field(second.get(f"/answers/{KEY}").text, "version"),
    )
    assert ok.status_code == 200
    late = _save(first, text + "\nแก้โดยคนแรกค่ะ", version)
    assert late.status_code == 409
    assert "มีผู้อื่นแก้คำตอบ bizportal_contact ไปแล้ว" in late.text
    assert "แก้โดยคนที่สองค่ะ" in late.text  # the latest text is shown
    assert "แก้โดยคนแรกค่ะ" not in _db_text(console)
    assert "แก้โดยคนแรกค่ะ" in late.text  # the editor's own text is not lost


def test_sources_are_edited_and_required(console):
    c = console.signed_in("editor1")
    key = "award_ceremony"
    page, text, version = _open(c, key)
    urls = re.findall(r'name="source_url" type="url" value="([^"]*)"', page)
    titles = [
        field_value
        for field_value in re.findall(r'name="source_title" value="([^"]*)"', page)
    ]
    assert (
        len(urls) == len(titles) and urls[0].startswith("https://") and urls[-1] == ""
    )
    # every source removed: refused, next to the sources, nothing written
    empty = [("text", text), ("version", version), ("action", "save"), ("csrf", c.csrf)]
    empty += [("source_url", ""), ("source_title", "")] * len(urls)
    resp = c.http.post(f"{console.base}/answers/{key}", data=empty, timeout=60)
    assert resp.status_code == 422
    assert re.search(r'id="e-sources"[^>]*>.*ที่มาอย่างน้อยหนึ่งแหล่ง', resp.text, re.S)
    # a plain-http link is refused
    bad = [("text", text), ("version", version), ("action", "save")]
    bad += [
        ("csrf", c.csrf),
        ("source_url", "http://x.go.th/"),
        ("source_title", "ข่าว"),
    ]
    resp = c.http.post(f"{console.base}/answers/{key}", data=bad, timeout=60)
    assert resp.status_code == 422 and "https://" in resp.text
    # add a source: saved, shown, in the history, revertible
    new = "https://www.thaigov.go.th/news/contents/details/24149"
    form = [("text", text), ("version", version), ("action", "save"), ("csrf", c.csrf)]
    for u, t in zip(urls[:1], titles[:1], strict=True):
        form += [("source_url", u), ("source_title", t)]
    form += [("source_url", new), ("source_title", "ข่าวทำเนียบรัฐบาล (ทดสอบ)")]
    resp = c.http.post(f"{console.base}/answers/{key}", data=form, timeout=60)
    assert resp.status_code == 200, resp.text[-2000:]
    yml = (console.content_dir / "answers.yml").read_text(encoding="utf-8")
    assert "ข่าวทำเนียบรัฐบาล (ทดสอบ)" in yml
    dispose_engines()
    assert [s["url"] for s in repository.answer(key, console.url).sources] == [
        urls[0],
        new,
    ]
