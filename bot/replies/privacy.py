"""Wording of the privacy features (PDPA): the notice, erasure, the page.

The notice is sent once per conversation and per `NOTICE_VERSION`, as the last
message after the first answer (bot/privacy/turn_hook.py), and inside the LINE
welcome. Change `NOTICE_VERSION` whenever the notice says something new, so
every citizen sees it once more.
"""

from __future__ import annotations

from bot.replies.base import Reply, button

NOTICE_VERSION = "2026-12-01"

# Typed by citizens, also shown in the notice: a training example of
# request_erasure (tests/privacy/test_wording.py).
ERASE_COMMAND = "ลบข้อมูลของฉัน"

# Yes/no buttons: Thai text (never /intent), the affirm/deny examples "ใช่" and
# "ไม่ใช่" (the same payloads as the "หมายถึง … หรือไม่คะ" buttons).
ERASE_BUTTONS = [
    button("ใช่ ลบข้อมูล", "ใช่"),
    button("ไม่ลบ", "ไม่ใช่"),
]


def notice(retention_days: int, reference: str, page_url: str) -> str:
    """The privacy notice: what is kept, how long, how to erase, the code."""
    return "\n".join(
        [
            "🔒 ระบบเก็บข้อความในการสนทนานี้ไว้เพื่อตอบคำถามและปรับปรุงบริการ "
            "โดยปิดบังเลขบัตรประชาชน เบอร์โทร อีเมล และเลขบัญชีก่อนเก็บค่ะ",
            f"ข้อมูลจะถูกลบเมื่อครบ {retention_days} วันหลังการสนทนาครั้งล่าสุดค่ะ",
            f"พิมพ์ “{ERASE_COMMAND}” เพื่อลบประวัติการสนทนานี้ได้ทุกเมื่อค่ะ",
            f"รหัสอ้างอิงการสนทนานี้คือ {reference} ใช้อ้างถึงเมื่อยื่นคำขอเป็นหนังสือได้ค่ะ",
            f"อ่านรายละเอียดได้ที่ {page_url} ค่ะ",
        ]
    )


def ask_erasure() -> Reply:
    """Asks the citizen to confirm the erasure."""
    return Reply(
        "ต้องการลบประวัติการสนทนานี้ทั้งหมดใช่ไหมคะ\n"
        "เมื่อลบแล้ว ข้อความที่เคยพิมพ์ คำถามที่ระบบตอบไม่ได้ และคะแนนที่ให้ไว้ "
        "จะถูกลบและกู้คืนไม่ได้ค่ะ",
        list(ERASE_BUTTONS),
    )


def erasure_done() -> Reply:
    """Said in the turn that erases (the turn runner deletes right after it)."""
    return Reply(
        "รับทราบค่ะ ระบบลบประวัติการสนทนานี้ทั้งหมดทันทีหลังข้อความนี้ ข้อความถัดไปจะเริ่มการสนทนาใหม่ค่ะ"
    )


def erasure_cancelled() -> Reply:
    """The citizen said no."""
    return Reply("ได้ค่ะ ระบบยังไม่ลบข้อมูลใดๆ ค่ะ มีอะไรให้ช่วยอีกไหมคะ")


# Said when the deletion itself failed (the turn runner apologises).
ERASURE_FAILED = (
    "ขออภัยค่ะ ระบบลบข้อมูลไม่สำเร็จในตอนนี้ กรุณาพิมพ์ “ลบข้อมูลของฉัน” "
    "อีกครั้งในอีกสักครู่ หรือติดต่อ DGA Contact Center โทร 02-612-6060 ค่ะ"
)

# The staff command's audit actor when $USER is unset.
UNKNOWN_STAFF = "unknown"
