"""Short follow-ups read in the light of the previous answer's topic.

"แล้วถ้ามอบอำนาจล่ะ" after a No-Copy answer is a No-Copy question about
exceptions; "แล้วร้านกาแฟล่ะ" after licences asks for that business's
licences. This module says which answer a follow-up on a No-Copy or Biz
Portal topic asks for, from the words in it (first match wins).
"""

from __future__ import annotations

from typing import Optional

from bot.content.matcher import normalise

# (answer key, words): checked in order; the topic's default answer comes last.
NOCOPY_FOLLOWUPS = (
    ("nocopy_what", ("นิติบุคคล", "บริษัท", "ห้างหุ้นส่วน")),
    ("nocopy_who_pays", ("ใครจ่าย", "ค่าถ่าย", "เสียเงิน", "เสียค่า", "ฟรี", "จ่ายเงิน")),
    (
        "nocopy_official_asks",
        ("ยังขอ", "ยังเรียก", "ไม่ยอม", "ร้องเรียน", "แจ้งที่ไหน", "เจ้าหน้าที่ขอ"),
    ),
    (
        "nocopy_legal_basis",
        ("กฎหมาย", "มติ", "ระเบียบ", "คำสั่ง", "พ.ร.บ", "เริ่มเมื่อ", "ตั้งแต่เมื่อ"),
    ),
    (
        "nocopy_exceptions",
        (
            "มอบอำนาจ",
            "ทำแทน",
            "ติดต่อแทน",
            "ยื่นแทน",
            "ไปแทนยาย",
            "ไปแทนพ่อ",
            "ไปแทนแม่",
            "แทนผู้",
            "ให้ลูกไป",
            "ให้หลานไป",
            "ให้คนอื่นไป",
            "behalf",
            "ยกเว้น",
            "สัญญา",
            "ต่างชาติ",
            "ต่างด้าว",
            "หนังสือยินยอม",
            "เอกชน",
        ),
    ),
    (
        "nocopy_what_to_bring",
        (
            "เอาอะไร",
            "เอาไร",
            "เตรียม",
            "ใช้อะไรแทน",
            "ทะเบียนบ้าน",
            "บัตร",
            "ตัวจริง",
            "ต้องใช้",
            "เอกสาร",
        ),
    ),
)
BIZPORTAL_FOLLOWUPS = (
    ("bizportal_what", ("ดูแล", "ใครทำ", "ของใคร", "หน่วยงานไหน", "คืออะไร", "เว็บไหน")),
    ("bizportal_tracking", ("สถานะ", "ติดตาม", "ถึงไหน")),
    ("bizportal_contact", ("ติดต่อ", "เบอร์", "โทร", "อีเมล", "สอบถาม")),
    ("bizportal_lifecycle", ("ปิดกิจการ", "เลิกกิจการ", "ต่ออายุ", "ยกเลิก")),
    ("bizportal_steps", ("ขั้นตอน", "ยังไง", "อย่างไร", "สมัคร", "ยื่น", "ทำไง")),
)
TOPIC_DEFAULTS = {"nocopy": "nocopy_what", "bizportal": "bizportal_what"}
TOPIC_RULES = {"nocopy": NOCOPY_FOLLOWUPS, "bizportal": BIZPORTAL_FOLLOWUPS}


def topic_of_answer(answer_key: str) -> Optional[str]:
    """The follow-up topic an answers.yml answer opens (None: no follow-ups)."""
    for topic in TOPIC_RULES:
        if answer_key.startswith(topic + "_"):
            return topic
    return None


def cue(topic: str, text: str) -> Optional[str]:
    """The answer the words of ``text`` point to within ``topic``, or None
    when no cue word is there."""
    norm = normalise(text)
    for key, words in TOPIC_RULES.get(topic, ()):
        if any(normalise(w) in norm for w in words):
            return key
    return None


def answer_for(topic: str, text: str) -> Optional[str]:
    """The answer a follow-up on ``topic`` asks for (None: not this topic's)."""
    if topic not in TOPIC_RULES:
        return None
    return cue(topic, text) or TOPIC_DEFAULTS[topic]


# A broad No-Copy answer gives way to the specific one its cue words name
# ("ถ้าให้หลานไปทำแทน ต้องใช้สำเนาไหม" asks about the exceptions).
REFINABLE = {
    "nocopy_what": ("nocopy_exceptions", "nocopy_who_pays", "nocopy_official_asks"),
    "nocopy_what_to_bring": (
        "nocopy_exceptions",
        "nocopy_who_pays",
        "nocopy_official_asks",
    ),
}


# The article's own subjects, named outright, win over a broader answer
# ("…บัตรสวัสดิการแห่งรัฐที่นายกพูดในพิธีมอบรางวัล" asks about the card).
ARTICLE_CUES = (
    ("ask_welfare_card", ("บัตรสวัสดิการ", "welfare card")),
    (
        "ask_digital_gov_act",
        ("ภาครัฐผ่านระบบดิจิทัล", "พ.ร.บ.รัฐบาลดิจิทัล", "digital government act"),
    ),
)
ARTICLE_REFINABLE = {"award_ceremony", "award_overview", "nocopy_legal_basis"}


def refine(answer_key: str, text: str) -> str:
    """``answer_key``, or the specific answer its cue words ask for."""
    if answer_key in ARTICLE_REFINABLE:
        norm = normalise(text)
        for key, words in ARTICLE_CUES:
            if any(normalise(w) in norm for w in words):
                return key
    topic = topic_of_answer(answer_key)
    specific = cue(topic, text) if topic else None
    if specific in REFINABLE.get(answer_key, ()):
        return specific
    return answer_key
