"""The console's form fields, in one place, derived from the content schema
(bot/content/schema.py): which fields an answer has, their kind, whether
they are required and the values they may take. Only the Thai labels and
help texts are written here. The limits are those of the staff command line
(bot/admin/content.py), whose functions do the saving and the checking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Tuple

from bot.admin import content
from bot.admin.nlu import MIN_EXAMPLES
from bot.admin.paths import Paths
from bot.content import schema

# what ``bot.admin edit answer`` changes (its text and confidence)
ANSWER_EDITABLE = ("text", "confidence")
_LABELS = {
    "text": "ข้อความคำตอบ",
    "confidence": "ระดับความเชื่อมั่นของข้อมูล",
}
_HELP = {
    "text": (
        f"ภาษาไทย สุภาพ ลงท้ายด้วยค่ะ ไม่เกิน {content.LONG_ANSWER_CHARS} ตัวอักษร "
        "ไม่ต้องใส่ลิงก์ที่มา บอตแสดง “ที่มา:” ให้เอง"
    ),
    "confidence": "ระดับต่ำสุดของข้อเท็จจริงที่ข้อความใช้",
}
_WIDGETS = {"longtext": "textarea"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # Thai label shown next to the field
    kind: str  # "textarea", "select", "text"
    required: bool = True
    max_chars: int = 0
    choices: Tuple[str, ...] = ()
    help: str = ""


def _schema_field(model: Any, name: str) -> Field:
    kind = schema.kind_of(model, name)
    choices = tuple(schema.allowed_values(kind) or ())
    return Field(
        name,
        _LABELS[name],
        "select" if choices else _WIDGETS.get(kind, "text"),
        required=model.__fields__[name].required,
        max_chars=content.MAX_ANSWER_CHARS if kind == "longtext" else 0,
        choices=choices,
        help=_HELP.get(name, ""),
    )


ANSWER_FIELDS: List[Field] = [_schema_field(schema.Answer, n) for n in ANSWER_EDITABLE]
MIN_SOURCES = schema.Answer.__fields__["sources"].field_info.min_items or 1


def bundle(paths: Paths) -> Any:
    """The validated content (the loader behind ``bot.admin``)."""
    load = getattr(content, "load_bundle", None)
    if load is None:  # bot/admin split: the loading lives next to ContentEdit
        from bot.admin.edit import load_bundle as load
    return load(paths)


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
