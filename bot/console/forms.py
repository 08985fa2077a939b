"""The console's form fields, in one place.

They derive from what the staff command line accepts (bot/admin/content.py:
``MAX_ANSWER_CHARS``, the importer's ``CONFIDENCE`` labels). When the typed
content schema (bot/content/schema.py) lands, only this module changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Tuple

from bot.admin import content
from bot.admin.nlu import MIN_EXAMPLES
from bot.content.schema import CONFIDENCE

CONFIDENCE_ORDER = ("HIGH", "MED-HIGH", "MED", "LOW-MED")


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # Thai label shown next to the field
    kind: str  # "textarea", "select", "text"
    required: bool = True
    max_chars: int = 0
    choices: Tuple[str, ...] = ()
    help: str = ""


def _confidence_choices() -> Tuple[str, ...]:
    known = [c for c in CONFIDENCE_ORDER if c in CONFIDENCE]
    return tuple(known + sorted(set(CONFIDENCE) - set(known)))


ANSWER_FIELDS: List[Field] = [
    Field(
        "text",
        "ข้อความคำตอบ",
        "textarea",
        max_chars=content.MAX_ANSWER_CHARS,
        help=(
            f"ภาษาไทย สุภาพ ลงท้ายด้วยค่ะ ไม่เกิน {content.LONG_ANSWER_CHARS} ตัวอักษร "
            "ไม่ต้องใส่ลิงก์ที่มา บอตแสดง “ที่มา:” ให้เอง"
        ),
    ),
    Field(
        "confidence",
        "ระดับความเชื่อมั่นของข้อมูล",
        "select",
        choices=_confidence_choices(),
        help="ระดับต่ำสุดของข้อเท็จจริงที่ข้อความใช้",
    ),
]

INTENT_FIELDS: List[Field] = [
    Field("name", "ชื่อ intent (a-z, 0-9, _)", "text", max_chars=64),
    Field(
        "examples",
        f"ประโยคตัวอย่าง บรรทัดละประโยค อย่างน้อย {MIN_EXAMPLES} ประโยค",
        "textarea",
    ),
    Field("response", "คำตอบภาษาไทย", "textarea", max_chars=content.MAX_ANSWER_CHARS),
]


@dataclass
class FormErrors:
    """Problems to show next to each field (Thai)."""

    by_field: dict = field(default_factory=dict)
    general: List[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)
