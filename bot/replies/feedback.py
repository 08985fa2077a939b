"""👍 / 👎 after an answer, and the thanks for a rating."""

from __future__ import annotations

from typing import List

from bot.replies.base import MAX_BUTTONS, Reply, button
from bot.replies.phrases import CONTACT, HELP_BUTTONS

# Payloads carry Thai words: the channels reject emoji-only messages, and NLU
# maps these texts to feedback_good / feedback_bad (data/nlu/feedback.yml).
FEEDBACK_GOOD = "👍 มีประโยชน์"
FEEDBACK_BAD = "👎 ไม่มีประโยชน์"


def feedback_buttons() -> List[dict]:
    return [button("👍", FEEDBACK_GOOD), button("👎", FEEDBACK_BAD)]


def with_feedback(reply: Reply) -> Reply:
    """The reply with 👍 / 👎 after its own buttons, at most MAX_BUTTONS in all
    (the answer's own buttons are cut, never the rating)."""
    rating = feedback_buttons()
    own = [
        b
        for b in reply.buttons
        if b.get("payload") not in (FEEDBACK_GOOD, FEEDBACK_BAD)
    ]
    return Reply(reply.text, own[: MAX_BUTTONS - len(rating)] + rating, reply.sources)


def feedback_thanks(rating: str, recorded: bool = True) -> Reply:
    """Thanks for a 👍 / 👎."""
    if not recorded:
        return Reply(
            "ขอบคุณค่ะ ถ้ามีคำถามเรื่องรางวัลรัฐบาลดิจิทัล การยกเลิกสำเนาเอกสาร "
            "หรือ Biz Portal พิมพ์มาได้เลยนะคะ",
            HELP_BUTTONS,
        )
    if rating == "good":
        return Reply("ขอบคุณสำหรับคะแนนค่ะ ดีใจที่ข้อมูลเป็นประโยชน์ค่ะ มีอะไรให้ช่วยอีกไหมคะ")
    return Reply(
        "ขอบคุณที่บอกค่ะ เจ้าหน้าที่จะนำไปปรับปรุงคำตอบค่ะ ลองพิมพ์คำถามใหม่ด้วยคำอื่น "
        f"หรือติดต่อ {CONTACT} ได้ค่ะ",
        HELP_BUTTONS,
    )
