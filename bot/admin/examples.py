"""Removing and moving one training example (the staff console's Intents
page; the counterpart of ``teach``). Lines are deleted in place, so other
people's formatting and comments stay; each write is re-parsed first."""

from __future__ import annotations

from pathlib import Path

from bot.admin import yamlio
from bot.admin.errors import AdminError
from bot.admin.nlu import NluData, example_key, load_nlu, parse_file, teach
from bot.admin.paths import Paths


def remove_example(paths: Paths, intent: str, text: str) -> Path:
    """Delete the example `text` of `intent`; returns the file changed."""
    key = example_key(text)
    data = load_nlu(paths.nlu_dir)
    for block in data.intents().get(intent, []):
        for ex in block.examples:
            if example_key(ex.text) != key:
                continue
            lines = ex.file.read_text(encoding="utf-8").split("\n")
            del lines[ex.line - 1]
            new_text = "\n".join(lines)
            check = NluData()
            parse_file(ex.file, check, new_text)
            left = [e for b in check.blocks if b.name == intent for e in b.examples]
            before = [b for b in data.blocks if b.name == intent and b.file == ex.file]
            if check.problems or len(left) != sum(len(b.examples) for b in before) - 1:
                raise AdminError(
                    "ลบตัวอย่างแล้วไฟล์อ่านไม่ถูกต้อง จึงไม่ได้แก้ไฟล์",
                    f"the file would not read back correctly; {ex.file} unchanged",
                )
            yamlio.atomic_write(ex.file, new_text)
            return ex.file
    raise AdminError(
        f"ไม่พบตัวอย่าง '{text}' ใน intent {intent}",
        f"'{text}' is not an example of {intent}",
    )


def move_example(paths: Paths, text: str, from_intent: str, to_intent: str) -> Path:
    """Move an example to another intent (remove, then ``teach``)."""
    if from_intent == to_intent:
        raise AdminError("intent ต้นทางและปลายทางเป็นอันเดียวกัน", "same intent")
    blocks = load_nlu(paths.nlu_dir).intents().get(from_intent, [])
    originals = {b.file: b.file.read_text(encoding="utf-8") for b in blocks}
    source = remove_example(paths, from_intent, text)
    try:
        result = teach(paths, text, to_intent)
    except AdminError:
        yamlio.atomic_write(source, originals[source])  # nothing lost
        raise
    return result.file or source
