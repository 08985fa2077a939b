"""One register for every Thai reply: sentences end politely (ค่ะ / คะ / นะคะ)
and "sorry" is always ขออภัย. English lines, list items, headings that
introduce a list and source lines are exempt."""

import re
from pathlib import Path

import pytest
import yaml

from actions.awards import ActionCheckWinner, ActionCountWinners, ActionListWinners
from actions.bizportal import ActionBizportalLicences
from actions.facts import ActionAnswerFact, ActionSources
from actions.followup import ActionFollowup
from actions.scope import ActionOutOfScope
from bot.channels import hygiene
from bot.replies import phrases
from tests.actions.test_actions import run, tracker

ROOT = Path(__file__).resolve().parents[1]
THAI = re.compile(r"[\u0e01-\u0e4f]")
POLITE_END = re.compile(r"(ค่ะ|คะ|นะคะ|ค่ะ\))[.!?)”]*$")


def impolite_lines(text: str):
    """Thai sentences that do not end politely."""
    bad = []
    for line in (text or "").splitlines():
        ln = line.strip()
        if not ln or not THAI.search(ln):
            continue
        if ln.startswith(("•", "(", "ที่มา:", "ตรวจสอบ/", "ข้อมูลโครงการ")) or re.match(
            r"^\d+\.", ln
        ):
            continue
        if ln.endswith((":", "ได้แก่", "ดังนี้", "เช่น", ")")) and not POLITE_END.search(ln):
            continue
        if "https://" in ln and ln.split()[-1].startswith("https://"):
            continue
        if not POLITE_END.search(ln):
            bad.append(ln)
    return bad


def test_the_check_itself():
    assert impolite_lines("ไม่มีข้อมูลค่ะ\n• รายการ\nที่มา: https://x") == []
    assert impolite_lines("ไม่มีข้อมูล") == ["ไม่มีข้อมูล"]
    assert impolite_lines("Sorry, no data.") == []


def _all_phrases():
    out = [getattr(phrases, n) for n in dir(phrases) if n.isupper()]
    out = [x for x in out if isinstance(x, str)]
    out += [
        phrases.apology().text,
        phrases.no_answer().text,
        phrases.out_of_scope("ใบขับขี่").text,
        phrases.out_of_scope().text,
        phrases.no_sources().text,
        phrases.sources_of_last_answer(["https://x"]).text,
        phrases.ask_what_they_mean("กฟน.").text,
        phrases.nothing_to_confirm(True).text,
        phrases.nothing_to_confirm(False).text,
        hygiene.REPLY_EMPTY,
        hygiene.REPLY_NOT_TEXT,
    ]
    return out


def _content_texts():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    out = [v["text"] for vs in domain["responses"].values() for v in vs]
    answers = yaml.safe_load(
        (ROOT / "data/content/answers.yml").read_text(encoding="utf-8")
    )["answers"]
    for a in answers.values():
        out.append(a["text"])
        out += [r["lead_th"] for r in a.get("yes_no") or []]
    return out


@pytest.mark.parametrize("text", _all_phrases() + _content_texts())
def test_fixed_wording_is_polite(text):
    assert impolite_lines(text.replace("{limit:,}", "1,000")) == []
    assert "ขอโทษ" not in text


CONVERSATION = [
    (ActionCheckWinner(), "กฟน.ได้รางวัลไหม", "award_check"),
    (ActionCheckWinner(), "ลำพูนได้รางวัลอะไร", "award_check"),
    (ActionCheckWinner(), "กปน.ได้รางวัลไหม", "award_check"),
    (ActionCheckWinner(), "เชียงใหม่ได้รางวัลไหม", "award_check"),
    (ActionCheckWinner(), "กรมส่งเสริมการเลี้ยงผึ้งได้ไหม", "award_check"),
    (ActionCheckWinner(), "NHSO กับ กปน. ได้รางวัลไหม", "award_check"),
    (ActionCheckWinner(), "ได้รางวัลไหม", "award_check"),
    (ActionListWinners(), "ใครได้รางวัลบ้าง", "award_winners"),
    (ActionListWinners(), "รางวัลยกเลิกสำเนามีใครบ้าง", "award_winners"),
    (ActionListWinners(), "ปีนี้ใครได้รางวัล", "award_winners"),
    (ActionCountWinners(), "กี่รางวัล", "award_count"),
    (ActionCountWinners(), "รางวัลยกเลิกสำเนามีกี่หน่วยงาน", "award_count"),
    (ActionAnswerFact(), "ต้องใช้สำเนาบัตรไหม", "nocopy_what_to_bring"),
    (ActionBizportalLicences(), "เปิดร้านอาหารต้องขออะไร", "bizportal_licences"),
    (ActionBizportalLicences(), "ต้องขอใบอนุญาตอะไรบ้าง", "bizportal_licences"),
    (ActionSources(), "อ้างอิงจากไหน", "ask_source"),
    (ActionOutOfScope(), "ทำพาสปอร์ต", "out_of_scope"),
    (ActionFollowup(), "แล้วอันนี้ล่ะ", "inform"),
]


def test_every_reply_is_polite(loaded):
    bad = []
    for action, text, intent in CONVERSATION:
        msgs, _ = run(action, tracker(text, intent))
        for m in msgs:
            bad += impolite_lines(m.get("text"))
            assert "ขอโทษ" not in (m.get("text") or "")
    assert not bad, bad


def test_one_set_of_topic_buttons():
    """Greeting, help and fallback show the same topic buttons as the channels."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name in ("utter_greet", "utter_help", "utter_default"):
        assert domain["responses"][name][0]["buttons"] == phrases.HELP_BUTTONS
