"""Staff edits of answers, aliases and awards. Each goes through the edit
transaction of `bot.admin.edit` (`ContentEdit`): bad input leaves the files
and the DB unchanged, a good edit shows in the bot's next reply.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, List, Optional, Tuple

from bot.admin import yamlio
from bot.admin.edit import BODY_FILES, ContentEdit, Result, unknown
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content.loader import ContentBundle
from bot.content.matcher import normalise
from bot.content.schema import CONFIDENCE

MAX_ANSWER_CHARS = 2000  # LINE allows 5000; answers over ~900 read badly
LONG_ANSWER_CHARS = 900
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_URL = re.compile(r"https?://")


# ---------------------------------------------------------------- answers
def answer_warnings(text: str) -> List[str]:
    out = []
    if "ค่ะ" not in text and "คะ" not in text:
        out.append(
            "คำเตือน: ข้อความไม่มี ค่ะ/คะ (บอตพูดสุภาพ ลงท้ายด้วยค่ะ) / "
            "warning: no polite ค่ะ/คะ in the text"
        )
    if len(text) > LONG_ANSWER_CHARS:
        out.append(
            f"คำเตือน: ยาว {len(text)} ตัวอักษร (ควรไม่เกิน {LONG_ANSWER_CHARS}) / "
            f"warning: {len(text)} characters, keep under {LONG_ANSWER_CHARS}"
        )
    if _URL.search(text):
        out.append(
            "คำเตือน: มีลิงก์ในข้อความ ลิงก์ที่มาให้ใส่ใน sources (บอตแสดง 'ที่มา:' เอง) / "
            "warning: a URL in the text; source links belong in 'sources'"
        )
    return out


def edit_answer(
    paths: Paths,
    key: str,
    text: Optional[str] = None,
    replace: Optional[Tuple[str, str]] = None,
    confidence: Optional[str] = None,
    sources: Optional[List[Tuple[str, str]]] = None,
) -> Result:
    """Change an answer's text (whole, or one part replaced), confidence
    and/or its sources ((url, title) pairs that replace the old ones)."""
    if text is None and replace is None and confidence is None and sources is None:
        raise AdminError(
            "บอกสิ่งที่จะแก้: --text, --from-file, --replace, --confidence หรือ --source",
            "say what to change: --text, --from-file, --replace, --confidence or "
            "--source",
        )
    edit = ContentEdit(paths)
    answers = edit.doc("answers.yml").get("answers")
    if not isinstance(answers, dict) or key not in answers:
        raise unknown("คำตอบ", "answer", key, list(answers or {}))
    item = answers[key]
    old = str(item.get("text") or "")
    new = old
    if replace is not None:
        before, after = replace
        if not before or before not in old:
            raise AdminError(
                f"ไม่พบข้อความ '{before}' ในคำตอบ {key}",
                f"'{before}' does not occur in answer {key}",
            )
        new = old.replace(before, after)
    if text is not None:
        new = text
    new = new.replace("\r\n", "\n").strip()
    if not new:
        raise AdminError("ข้อความคำตอบว่างไม่ได้", "the answer text must not be empty")
    if not _THAI.search(new):
        raise AdminError("คำตอบต้องเป็นภาษาไทย", "the answer must be written in Thai")
    if len(new) > MAX_ANSWER_CHARS:
        raise AdminError(
            f"คำตอบยาวเกิน {MAX_ANSWER_CHARS} ตัวอักษร ({len(new)})",
            f"the answer is longer than {MAX_ANSWER_CHARS} characters ({len(new)})",
        )
    if new != old:
        block = isinstance(item.get("text"), yamlio.LiteralScalarString)
        item["text"] = (
            yamlio.LiteralScalarString(new) if block else yamlio.yaml_str(new)
        )
    if confidence is not None:
        if confidence not in CONFIDENCE:
            raise AdminError(
                f"ระดับความเชื่อมั่นต้องเป็นหนึ่งใน {sorted(CONFIDENCE)}",
                f"confidence must be one of {sorted(CONFIDENCE)}",
            )
        item["confidence"] = confidence
    urls: List[str] = []
    if sources is not None:
        clean = [(str(u).strip(), str(t).strip()) for u, t in sources if u or t]
        if not clean:
            raise AdminError(
                "คำตอบต้องมีที่มาอย่างน้อยหนึ่งแหล่ง", "an answer needs at least one source"
            )
        for url, title in clean:
            if not url.startswith("https://") or " " in url:
                raise AdminError(
                    f"ลิงก์ที่มาต้องขึ้นต้นด้วย https:// ('{url}')",
                    f"a source URL must start with https:// ('{url}')",
                )
            if not title:
                raise AdminError(f"ที่มา {url} ต้องมีชื่อเรื่อง", f"source {url} needs a title")
        urls = [u for u, _t in clean]
        old_sources = [
            (s.get("url"), s.get("title")) for s in item.get("sources") or []
        ]
        if clean != old_sources:
            item["sources"] = [
                yamlio.flow_map({"url": u, "title": t}) for u, t in clean
            ]

    def check(bundle: ContentBundle, _stage: Path) -> None:
        got = bundle.answers[key]
        if urls and [s["url"] for s in got["sources"]] != urls:
            raise AdminError(
                "ตรวจแล้วที่มาที่บันทึกไม่ตรงกับที่สั่ง จึงไม่ได้แก้อะไร",
                "the saved sources would differ from the ones given; nothing written",
            )
        if got["text_th"] != new or (confidence and got["confidence"] != confidence):
            raise AdminError(
                "ตรวจแล้วค่าที่บันทึกไม่ตรงกับที่สั่ง จึงไม่ได้แก้อะไร",
                "the saved value would differ from the one given; nothing written",
            )

    counts = edit.commit(check)
    if not counts:
        return Result("ไม่มีอะไรเปลี่ยน", "nothing changed")
    return Result(
        f"แก้คำตอบ {key} แล้ว บอตใช้ข้อความใหม่ตั้งแต่ข้อความถัดไปค่ะ",
        f"answer {key} updated; the bot uses it from the next message",
        answer_warnings(new),
        ["answers.yml"],
        counts,
    )


# ---------------------------------------------------------------- bodies and aliases
def _bodies(edit: ContentEdit) -> List[Tuple[str, Any]]:
    """(file name, item) for every body and province."""
    out = []
    for fname, list_name in BODY_FILES:
        for item in edit.doc(fname).get(list_name) or []:
            out.append((fname, item))
    return out


def _names(item: Any) -> List[str]:
    names = [item.get("name_th"), item.get("name_en")]
    names += list(item.get("abbreviations") or []) + list(item.get("aliases") or [])
    return [str(n) for n in names if n]


def find_body(edit: ContentEdit, key_or_name: str) -> Tuple[str, Any]:
    """A body/province by key, else by an exact (normalised) name or alias."""
    items = _bodies(edit)
    for fname, item in items:
        if item.get("key") == key_or_name:
            return fname, item
    norm = normalise(key_or_name)
    for fname, item in items:
        if norm and any(normalise(n) == norm for n in _names(item)):
            return fname, item
    raise unknown(
        "หน่วยงาน/จังหวัด", "body/province", key_or_name, [str(i["key"]) for _, i in items]
    )


def alias_add(paths: Paths, body: str, alias: str) -> Result:
    edit = ContentEdit(paths)
    fname, item = find_body(edit, body)
    key = str(item["key"])
    alias = " ".join(str(alias).split())
    norm = normalise(alias)
    if not norm:
        raise AdminError("ชื่อเรียกว่างไม่ได้", "the alias must not be empty")
    for _f, other in _bodies(edit):
        if any(normalise(n) == norm for n in _names(other)):
            if other is item:
                raise AdminError(
                    f"'{alias}' เป็นชื่อของ {key} อยู่แล้ว",
                    f"'{alias}' is already a name of {key}",
                )
            raise AdminError(
                f"'{alias}' ซ้ำกับชื่อของ {other['key']} ({other.get('name_th')}) "
                "ชื่อเรียกหนึ่งชื่อใช้ได้กับหน่วยงานเดียว",
                f"'{alias}' is already used by {other['key']} "
                f"({other.get('name_th')}); an alias can name one body only",
            )
    for fname_other, list_name, what, what_th in (
        ("business_types.yml", "business_types", "business type", "ประเภทธุรกิจ"),
        ("document_types.yml", "document_types", "document type", "เอกสาร"),
    ):
        for other in edit.doc(fname_other).get(list_name) or []:
            names = [other.get("name_th"), *(other.get("aliases") or [])]
            if any(n and normalise(str(n)) == norm for n in names):
                raise AdminError(
                    f"'{alias}' เป็นชื่อของ{what_th} {other['key']} อยู่แล้ว "
                    "ใช้เป็นชื่อหน่วยงานไม่ได้",
                    f"'{alias}' already names the {what} {other['key']}; it cannot "
                    "also name a body",
                )
    aliases = item.get("aliases")
    if aliases is None or (not aliases and aliases.fa.flow_style() is None):
        item["aliases"] = yamlio.flow_seq([alias])  # "[]" -> "[alias]"
    else:
        aliases.append(yamlio.yaml_str(alias))

    def check(bundle: ContentBundle, _stage: Path) -> None:
        body_row = next(b for b in bundle.bodies if b["key"] == key)
        if alias not in [a for a, _k in body_row["_aliases"]]:
            raise AdminError("บันทึกชื่อเรียกไม่สำเร็จ", "the alias was not saved")

    counts = edit.commit(check)
    return Result(
        f"เพิ่มชื่อเรียก '{alias}' ให้ {key} แล้ว ตัวค้นหาชื่อในบอตรู้จักทันที "
        "ส่วนการเข้าใจประโยค ให้สั่ง make train แล้ว make reload",
        f"alias '{alias}' added to {key}; the name matcher knows it now, NLU after "
        "`make train` and `make reload`",
        changed_files=[fname],
        counts=counts,
    )


def alias_remove(paths: Paths, body: str, alias: str) -> Result:
    edit = ContentEdit(paths)
    fname, item = find_body(edit, body)
    key = str(item["key"])
    norm = normalise(alias)
    for field_name in ("name_th", "name_en"):
        if item.get(field_name) and normalise(str(item[field_name])) == norm:
            raise AdminError(
                f"'{alias}' เป็นชื่อหลักของ {key} ไม่ใช่ชื่อเรียก "
                f"(แก้ด้วย set-fact body.{key}.{field_name})",
                f"'{alias}' is the {field_name} of {key}, not an alias "
                f"(change it with set-fact body.{key}.{field_name})",
            )
    for list_name in ("aliases", "abbreviations"):
        values = item.get(list_name) or []
        for i, value in enumerate(values):
            if normalise(str(value)) == norm:
                del values[i]
                counts = edit.commit()
                return Result(
                    f"ลบชื่อเรียก '{value}' ของ {key} แล้ว",
                    f"alias '{value}' removed from {key}",
                    changed_files=[fname],
                    counts=counts,
                )
    current = ", ".join(_names(item)[2:]) or "-"
    raise AdminError(
        f"{key} ไม่มีชื่อเรียก '{alias}' (ที่มี: {current})",
        f"{key} has no alias '{alias}' (it has: {current})",
    )


# ---------------------------------------------------------------- awards
def award_add(
    paths: Paths,
    category: str,
    recipient: str,
    source: str,
    confidence: Optional[str] = None,
) -> Result:
    edit = ContentEdit(paths)
    doc = edit.doc("awards.yml")
    cats = {str(c.get("key")): c for c in doc.get("categories") or []}
    if category not in cats:
        raise unknown("ประเภทรางวัล", "award category", category, list(cats))
    _f, body = find_body(edit, recipient)
    key = str(body["key"])
    if not isinstance(source, str) or not source.startswith("https://"):
        raise AdminError(
            "ต้องมีแหล่งที่มาเป็นลิงก์ https:// (--source)",
            "a source https:// URL is required (--source)",
        )
    if confidence is not None and confidence not in CONFIDENCE:
        raise AdminError(
            f"ระดับความเชื่อมั่นต้องเป็นหนึ่งใน {sorted(CONFIDENCE)}",
            f"confidence must be one of {sorted(CONFIDENCE)}",
        )
    awards = doc.get("awards")
    same = [i for i, a in enumerate(awards) if a.get("category") == category]
    if any(awards[i].get("recipient") == key for i in same):
        raise AdminError(
            f"{key} มีรางวัล {category} อยู่แล้ว", f"{key} already has award {category}"
        )
    count = cats[category].get("count")
    if isinstance(count, int) and len(same) >= count:
        raise AdminError(
            f"รางวัล {category} มีครบ {count} รายแล้ว (แก้จำนวนด้วย "
            f"set-fact category.{category}.count ถ้ามีแหล่งยืนยัน)",
            f"category {category} already lists its {count} recipients (change the "
            f"count with set-fact category.{category}.count if a source says so)",
        )
    row = {"category": category, "recipient": key}
    if confidence:
        row["confidence"] = confidence
    row["source"] = source
    awards.insert(same[-1] + 1 if same else len(awards), yamlio.flow_map(row))

    def check(bundle: ContentBundle, _stage: Path) -> None:
        if not any(
            a["category"] == category and a["recipient"] == key for a in bundle.awards
        ):
            raise AdminError("บันทึกรางวัลไม่สำเร็จ", "the award was not saved")

    counts = edit.commit(check)
    return Result(
        f"เพิ่มรางวัล {category} ให้ {key} ({body.get('name_th')}) แล้ว",
        f"award {category} added for {key}",
        changed_files=["awards.yml"],
        counts=counts,
    )


def award_remove(paths: Paths, category: str, recipient: str) -> Result:
    edit = ContentEdit(paths)
    _f, body = find_body(edit, recipient)
    key = str(body["key"])
    awards = edit.doc("awards.yml").get("awards")
    for i, a in enumerate(awards):
        if a.get("category") == category and a.get("recipient") == key:
            del awards[i]
            counts = edit.commit()
            return Result(
                f"ลบรางวัล {category} ของ {key} แล้ว",
                f"award {category} of {key} removed",
                changed_files=["awards.yml"],
                counts=counts,
            )
    raise AdminError(f"{key} ไม่มีรางวัล {category}", f"{key} has no award {category}")
