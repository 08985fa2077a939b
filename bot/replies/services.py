"""Thai wording of the single-fact answers (answers.yml) and of Biz Portal
licences. An answer leads with its answer: for a yes/no question, the content's
``yes_no`` lead that fits the question's words; for an English question, the
content's ``summary_en`` line first."""

from __future__ import annotations

from typing import Optional, Sequence

from bot.content.matcher import normalise
from bot.replies import cards
from bot.replies.base import Reply, button, join_lines, sourced
from bot.replies.feedback import with_feedback


def yes_no_lead(answer, question: str, english: bool = False) -> Optional[str]:
    """The content's first line for this yes/no question: the first rule whose
    words appear in the question (matched without spaces, dots or case)."""
    q = normalise(question)
    for rule in answer.yes_no or []:
        if any(normalise(w) in q for w in rule["when"]):
            if english and rule.get("lead_en"):
                return rule["lead_en"]
            return rule["lead_th"]
    return None


def format_answer(
    answer, question: str = "", yes_no: bool = False, english: bool = False
) -> Reply:
    """An answers.yml entry, led by the direct answer, then its sources."""
    lead = yes_no_lead(answer, question) if yes_no else None
    first = answer.summary_en if english else None
    if english and yes_no:
        first = yes_no_lead(answer, question, english=True) or first
    buttons = [button(b["title"], b["payload"]) for b in answer.buttons]
    text = join_lines(first, lead, answer.text_th.strip())
    reply = with_feedback(sourced(text, buttons, answer.sources))
    if not english:
        reply.custom = cards.answer(
            getattr(answer, "key", ""), reply.text, answer.sources, reply.buttons
        )
    return reply


def ask_business_type(
    examples: Sequence[str] = ("ร้านอาหาร", "ร้านกาแฟ", "โรงแรมและรีสอร์ทขนาดเล็ก"),
) -> Reply:
    buttons = [button(x, f"เปิด{x}ต้องขอใบอนุญาตอะไรบ้าง") for x in examples[:3]]
    return Reply(
        "จะเปิดธุรกิจประเภทไหนคะ เช่น ร้านอาหาร ร้านกาแฟ โรงแรม หรือร้านค้าปลีก บอกได้เลยค่ะ",
        buttons,
    )


def unknown_business_type(text: str, known: Sequence[str]) -> Reply:
    sample = " ".join(known[:6])
    return Reply(
        f"ขออภัยค่ะ ยังไม่มีข้อมูลใบอนุญาตของธุรกิจ “{text[:60]}” ค่ะ ตอนนี้มีข้อมูล เช่น {sample} "
        "หรือใช้ Smart Quiz “แนะนำใบอนุญาตสำหรับคุณ” ที่ https://bizportal.go.th ได้ค่ะ",
        [button(x, f"เปิด{x}ต้องขอใบอนุญาตอะไรบ้าง") for x in known[:3]],
    )


def format_licences(result) -> Reply:
    lines = []
    if result.licences:
        lines.append(f"ธุรกิจ{result.name_th} บน Biz Portal มีใบอนุญาตที่เกี่ยวข้อง เช่น")
        for lic in result.licences:
            note = f" ({lic['note']})" if lic.get("note") else ""
            lines.append(f"• {lic['name']}{note}")
    elif not result.note_th:
        guide = f"“{result.guide_th}” " if result.guide_th else ""
        lines.append(f"Biz Portal มีคู่มือ {guide}สำหรับธุรกิจ{result.name_th} ค่ะ")
    if not result.exact:
        lines.insert(1, f"(เข้าใจว่าหมายถึงธุรกิจ{result.name_th} นะคะ)")
    for rel in result.related:
        for lic in rel["licences"]:
            lines.append(f"• ถ้า{rel['name_th']}: {lic['name']}")
    if result.note_th:
        lines.append(result.note_th)
    if result.catalogue_note:
        lines.append(result.catalogue_note)
    reply = with_feedback(
        sourced(
            "\n".join(lines),
            [
                button("ขั้นตอนยื่นออนไลน์", "ขอใบอนุญาตผ่าน Biz Portal ทำยังไง"),
                button("ติดตามสถานะคำขอ", "ติดตามสถานะคำขอใบอนุญาตยังไง"),
            ],
            [result.source_url] if result.source_url else [],
        )
    )
    reply.custom = cards.licences(reply.text, result, reply.buttons)
    return reply
