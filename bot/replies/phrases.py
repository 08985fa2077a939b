"""The bot's fixed Thai sentences: one home for every channel and action.

Register: polite, female speaker (ค่ะ/คะ/นะคะ); "sorry" is always ขออภัย.
Buttons carry natural Thai questions as payloads, never "/intent" strings.
"""

from __future__ import annotations

from typing import Optional, Sequence

from bot.replies.base import Reply, button

CONTACT = "DGA Contact Center โทร 02-612-6060 (contact@dga.or.th)"
HOTLINE_URL = "https://www.1111.go.th"
DGA_URL = "https://www.dga.or.th"

# The one set of topic buttons (help, greeting, fallback, LINE welcome).
HELP_BUTTONS = [
    button("รางวัลรัฐบาลดิจิทัล", "รางวัลรัฐบาลดิจิทัลปี 62 คืออะไร"),
    button("ยกเลิกสำเนาเอกสาร", "โครงการยกเลิกสำเนาเอกสารราชการคืออะไร"),
    button("Biz Portal", "Biz Portal คืออะไร"),
]

# The one apology when something failed (action server, database, Rasa).
SYSTEM_ERROR = (
    "ขออภัยค่ะ ระบบขัดข้องชั่วคราว ยังตอบคำถามนี้ไม่ได้ในตอนนี้ "
    "กรุณาลองใหม่อีกครั้งในอีกสักครู่ หรือติดต่อสายด่วน 1111 "
    "หรือ DGA Contact Center โทร 02-612-6060 ค่ะ"
)
# Channel notices (bot/channels).
EMPTY_MESSAGE = "ขออภัยค่ะ ระบบยังไม่ได้รับข้อความ กรุณาพิมพ์คำถามเป็นตัวอักษรค่ะ"
NOT_TEXT = (
    "ขออภัยค่ะ ระบบอ่านได้เฉพาะข้อความที่เป็นตัวอักษร กรุณาพิมพ์คำถามเป็นตัวอักษร หรือเลือกหัวข้อด้านล่างค่ะ"
)
TOO_LONG = "ข้อความยาวเกินไป ระบบอ่านเฉพาะ {limit:,} ตัวอักษรแรกค่ะ"
LINE_WELCOME = (
    "สวัสดีค่ะ ขอบคุณที่เพิ่มเป็นเพื่อนนะคะ "
    "ระบบช่วยตอบคำถามเรื่องรางวัลรัฐบาลดิจิทัล การยกเลิกสำเนาเอกสารราชการ "
    "และ Biz Portal ค่ะ พิมพ์คำถามหรือเลือกหัวข้อด้านล่างได้เลยค่ะ"
)
# LINE: buttons of a turn that had no text to hang them on.
LINE_PICK_TOPIC = "เลือกหัวข้อได้เลยค่ะ"
# LINE rich menu (bot/channels/line/richmenu.py): the chat bar's label and,
# per area, (label on the image, the Thai text a tap sends). The texts are
# questions the NLU knows, never intents.
RICH_MENU = {
    "chat_bar": "เมนู",
    "areas": [
        ("รางวัลรัฐบาลดิจิทัล", HELP_BUTTONS[0]["payload"]),
        ("ยกเลิกสำเนาเอกสาร", HELP_BUTTONS[1]["payload"]),
        ("Biz Portal", HELP_BUTTONS[2]["payload"]),
        ("ติดต่อเจ้าหน้าที่", "ขอคุยกับเจ้าหน้าที่หน่อย"),
        ("วิธีใช้", "วิธีใช้บอท"),
    ],
}
# Limits (bot/channels/limits.py): one conversation sent too many messages in
# a minute; the whole process has too many turns in flight.
RATE_LIMITED = "ขออภัยค่ะ ส่งข้อความเร็วเกินไป กรุณารอสักครู่ประมาณ 1 นาที แล้วส่งคำถามใหม่อีกครั้งนะคะ"
# The 429 body of the nginx template's per-address limit (deploy/nginx; a
# copy there, checked by tests/reliability/test_cluster.py).
RATE_LIMITED_ADDRESS = "ขออภัยค่ะ ส่งข้อความเร็วเกินไป กรุณารอสักครู่แล้วส่งใหม่อีกครั้งนะคะ"
OVERLOADED = "ขออภัยค่ะ ขณะนี้ระบบมีผู้ใช้งานมาก กรุณาลองส่งข้อความใหม่อีกครั้งในอีกสักครู่ค่ะ"


def apology() -> Reply:
    return Reply(SYSTEM_ERROR)


def no_answer() -> Reply:
    return Reply(
        "ขออภัยค่ะ ตอนนี้ยังไม่มีข้อมูลเรื่องนี้ในระบบค่ะ ลองถามเรื่องรางวัลรัฐบาลดิจิทัล "
        "การยกเลิกสำเนาเอกสาร หรือ Biz Portal ได้นะคะ",
        HELP_BUTTONS,
    )


def out_of_scope(service: Optional[str] = None, english: bool = False) -> Reply:
    """Another government service: say so first, then where to get help."""
    what = f"เรื่อง{service}" if service else "เรื่องนี้"
    lines = []
    if english:
        lines.append("Sorry, this is outside what this service answers.")
    lines += [
        f"ขออภัยค่ะ {what}อยู่นอกขอบเขตที่ระบบนี้ตอบได้ค่ะ",
        "ระบบนี้ตอบเรื่องรางวัลรัฐบาลดิจิทัล ปี 2562 การยกเลิกสำเนาเอกสารราชการ (No Copy) "
        "และ Biz Portal ค่ะ",
        "สอบถามบริการอื่นของรัฐได้ที่ ศูนย์บริการประชาชน สายด่วน 1111 (www.1111.go.th) "
        "หรือแอป “ทางรัฐ” ของสำนักงานพัฒนารัฐบาลดิจิทัล (สพร.) ค่ะ",
        f"ที่มา: {HOTLINE_URL}",
        f"ที่มา: {DGA_URL}",
    ]
    return Reply(
        "\n".join(lines),
        [button("ถามอะไรได้บ้าง", "ถามอะไรได้บ้าง")],
        [HOTLINE_URL, DGA_URL],
    )


def no_sources() -> Reply:
    return Reply(
        "ยังไม่มีคำตอบก่อนหน้าที่อ้างอิงแหล่งข้อมูลค่ะ ลองถามคำถามก่อน แล้วถามว่า "
        "“อ้างอิงจากไหน” ได้เลยค่ะ",
        HELP_BUTTONS,
    )


def sources_of_last_answer(urls: Sequence[str]) -> Reply:
    lines = ["คำตอบก่อนหน้านี้อ้างอิงจากแหล่งข้อมูลต่อไปนี้ค่ะ"]
    lines += [f"• {u}" for u in urls]
    return Reply("\n".join(lines), [], list(urls))


def ask_what_they_mean(
    entity_text: Optional[str] = None, options: Sequence[dict] = ()
) -> Reply:
    what = f"“{entity_text[:60]}”" if entity_text else "เรื่องนี้"
    return Reply(
        f"ขออภัยค่ะ ยังไม่แน่ใจว่าอยากทราบอะไรเกี่ยวกับ{what} ช่วยบอกเพิ่มอีกนิดได้ไหมคะ",
        list(options) or HELP_BUTTONS,
    )


def nothing_to_confirm(affirmed: bool) -> Reply:
    if affirmed:
        return Reply("รับทราบค่ะ มีอะไรให้ช่วยอีกไหมคะ", HELP_BUTTONS)
    return Reply("ได้ค่ะ ถ้าอยากถามเรื่องอื่น พิมพ์มาได้เลยนะคะ", HELP_BUTTONS)
