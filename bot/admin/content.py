"""Content edits for staff: change ``data/content/*.yml`` and the DB together.

Every edit goes through :class:`ContentEdit`:

1. the YAML files are loaded round-trip (comments, order and quoting kept) and
   changed in memory;
2. the changed files are written to a staging copy of the content folder, which
   must pass the importer's full validation (:func:`load_content`), the NLU
   export (no synonym clashes) and the edit's own check;
3. the staging copy is imported into the DB (one transaction);
4. only then are the real files replaced, each atomically. If that fails, the
   files written so far are restored and the DB is re-imported from them.

So bad input leaves both the files and the DB unchanged, and a good edit shows
in the bot's next reply (actions read the DB on every message) and survives the
next ``scripts/run.sh`` (which re-imports the YAML).
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from sqlalchemy.exc import SQLAlchemyError

from bot.admin import yamlio
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content import nlu_export
from bot.content.importer import import_content
from bot.content.loader import ContentBundle, ContentError, load_content
from bot.content.matcher import normalise
from bot.content.schema import CONFIDENCE

BODY_FILES = (("bodies.yml", "bodies"), ("provinces.yml", "provinces"))
MAX_ANSWER_CHARS = 2000  # LINE allows 5000; answers over ~900 read badly
LONG_ANSWER_CHARS = 900
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_URL = re.compile(r"https?://")

Check = Callable[[ContentBundle, Path], None]


def _close(word: str, choices: List[str]) -> str:
    near = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    return (
        ", ".join(near)
        if near
        else ", ".join(choices[:8]) + (" …" if len(choices) > 8 else "")
    )


def unknown(what_th: str, what_en: str, key: str, choices: List[str]) -> AdminError:
    hint = _close(key, choices)
    return AdminError(
        f"ไม่พบ{what_th} '{key}' (ที่มี เช่น {hint})",
        f"unknown {what_en} '{key}' (known, e.g. {hint})",
    )


@dataclass
class Result:
    """What an edit did, for the command line to print."""

    message_th: str
    message_en: str
    warnings: List[str] = field(default_factory=list)
    changed_files: List[str] = field(default_factory=list)
    counts: Dict[str, int] = field(default_factory=dict)


class ContentEdit:
    """A set of changes to the content files, applied all or nothing."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._orig: Dict[str, str] = {}
        self._docs: Dict[str, Any] = {}
        self._texts: Dict[str, str] = {}

    def _read(self, fname: str) -> str:
        path = self.paths.content_dir / fname
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AdminError(f"ไม่พบไฟล์ {path}", f"file not found: {path}") from None

    def doc(self, fname: str) -> Any:
        """The round-trip document of a content file (loaded once)."""
        if fname not in self._docs:
            text = self._orig.get(fname) or self._read(fname)
            self._orig[fname] = text
            try:
                self._docs[fname] = yamlio.load_text(text)
            except Exception as exc:  # ruamel raises several error types
                raise AdminError(
                    f"{fname} อ่านไม่ได้ (YAML ผิดรูปแบบ)",
                    f"{fname} is not valid YAML: {exc}",
                ) from None
        return self._docs[fname]

    def replace_text(self, fname: str, text: str) -> None:
        """Replace a whole file (used by ``import``)."""
        if fname not in self._orig:
            path = self.paths.content_dir / fname
            self._orig[fname] = (
                path.read_text(encoding="utf-8") if path.exists() else ""
            )
        self._docs.pop(fname, None)
        self._texts[fname] = text

    def changed(self) -> Dict[str, str]:
        out = dict(self._texts)
        for fname, doc in self._docs.items():
            out[fname] = yamlio.dump(doc)
        return {f: t for f, t in out.items() if t != self._orig.get(f)}

    def commit(self, check: Optional[Check] = None) -> Dict[str, int]:
        """Validate, import into the DB, then write the files (see module doc).
        Returns the importer's counts ({} when nothing changed)."""
        changed = self.changed()
        if not changed:
            return {}
        content_dir = self.paths.content_dir
        with tempfile.TemporaryDirectory(prefix="admin-content-") as tmp:
            stage = Path(tmp) / "content"
            shutil.copytree(content_dir, stage)
            for fname, text in changed.items():
                (stage / fname).write_text(text, encoding="utf-8")
            try:
                bundle = load_content(stage)
                nlu_export.render_lookups(bundle)  # synonym clashes
            except ContentError as exc:
                raise AdminError(
                    "การแก้ไขนี้ไม่ผ่านการตรวจข้อมูล จึงไม่ได้แก้ไฟล์หรือฐานข้อมูลเลย",
                    f"the change fails the content checks; nothing was written: {exc}",
                ) from None
            if check is not None:
                check(bundle, stage)
            for fname in changed:
                if self._read(fname) != self._orig.get(fname, ""):
                    raise AdminError(
                        f"มีคนแก้ {fname} ไประหว่างนี้ กรุณาสั่งใหม่อีกครั้ง",
                        f"{fname} changed while this command ran; run it again",
                    )
            try:
                counts = import_content(stage, self.paths.url)
            except SQLAlchemyError as exc:
                raise AdminError(
                    "นำเข้าฐานข้อมูลไม่สำเร็จ จึงไม่ได้แก้ไฟล์ ตรวจ DATABASE_URL แล้วลองใหม่",
                    "importing into the DB failed, so no file was changed; check "
                    f"DATABASE_URL and try again ({exc.__class__.__name__}: {exc})",
                ) from None
        written: List[str] = []
        try:
            for fname, text in changed.items():
                yamlio.atomic_write(content_dir / fname, text)
                written.append(fname)
        except OSError as exc:
            for fname in written:
                yamlio.atomic_write(content_dir / fname, self._orig[fname])
            try:
                import_content(content_dir, self.paths.url)
            except (ContentError, SQLAlchemyError):
                pass
            raise AdminError(
                "เขียนไฟล์ไม่สำเร็จ คืนค่าไฟล์และฐานข้อมูลเดิมแล้ว",
                f"writing the files failed; files and DB were restored ({exc})",
            ) from None
        return counts


def load_bundle(paths: Paths) -> ContentBundle:
    """The validated content, or an AdminError naming the bad file."""
    try:
        return load_content(paths.content_dir)
    except ContentError as exc:
        raise AdminError(
            "ข้อมูลใน data/content ไม่ถูกต้อง แก้ไฟล์ที่ระบุก่อน",
            f"data/content is invalid; fix the file named: {exc}",
        ) from None


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
) -> Result:
    """Change an answer's text (whole, or one part replaced) and/or confidence."""
    if text is None and replace is None and confidence is None:
        raise AdminError(
            "บอกสิ่งที่จะแก้: --text, --from-file, --replace หรือ --confidence",
            "say what to change: --text, --from-file, --replace or --confidence",
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

    def check(bundle: ContentBundle, _stage: Path) -> None:
        got = bundle.answers[key]
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


# ---------------------------------------------------------------- listing
def list_answers(paths: Paths) -> List[str]:
    bundle = load_bundle(paths)
    out = []
    for key, a in bundle.answers.items():
        first = a["text_th"].splitlines()[0]
        out.append(f"{key}\t{a['confidence']}\t{first[:70]}")
    return out


def list_bodies(paths: Paths, provinces: bool = False) -> List[str]:
    bundle = load_bundle(paths)
    winners = {a["recipient"] for a in bundle.awards}
    out = []
    for b in bundle.bodies:
        if (b["kind"] == "province") != provinces:
            continue
        aliases = [a for a, k in b["_aliases"] if k in ("alias", "abbr")]
        mark = "🏆" if b["key"] in winners else "-"
        out.append(f"{b['key']}\t{mark}\t{b['name_th']}\t{', '.join(aliases)}")
    return out


def list_awards(paths: Paths) -> List[str]:
    bundle = load_bundle(paths)
    names = {b["key"]: b["name_th"] for b in bundle.bodies}
    out = []
    for c in bundle.categories:
        listed = [a for a in bundle.awards if a["category"] == c["key"]]
        out.append(
            f"[{c['key']}] {c['name_th']}: {c['count']} รางวัล "
            f"(มีรายชื่อ {len(listed)} / listed {len(listed)}) {c['source_url']}"
        )
        for a in listed:
            out.append(
                f"  {a['recipient']}\t{names.get(a['recipient'], '?')}\t"
                f"{a['confidence'] or '-'}\t{a['source_url']}"
            )
    return out


def show(paths: Paths, key: str) -> List[str]:
    """Everything known under ``key``: an answer, body/province, award
    category, business type or document type."""
    from bot.admin.facts import facts_of  # late: facts imports this module

    bundle = load_bundle(paths)
    out: List[str] = []
    if key in bundle.answers:
        a = bundle.answers[key]
        out += [f"คำตอบ / answer {key} (confidence {a['confidence']})", a["text_th"]]
        out += [f"ที่มา / source: {s['url']} — {s['title']}" for s in a["sources"]]
        out += [f"ปุ่ม / button: {b['title']} → {b['payload']}" for b in a["buttons"]]
    for b in bundle.bodies:
        if b["key"] != key:
            continue
        what = "จังหวัด / province" if b["kind"] == "province" else "หน่วยงาน / body"
        out.append(f"{what} {key}: {b['name_th']} ({b['name_en'] or '-'})")
        out.append("ชื่อเรียก / names: " + ", ".join(a for a, _k in b["_aliases"]))
        won = [a for a in bundle.awards if a["recipient"] == key]
        out += [f"รางวัล / award: {a['category']} ({a['source_url']})" for a in won]
    out += facts_of(paths, key)
    if not out:
        keys = (
            list(bundle.answers)
            + [b["key"] for b in bundle.bodies]
            + [c["key"] for c in bundle.categories]
            + [x["key"] for x in bundle.business_types + bundle.document_types]
        )
        raise unknown("รหัส", "key", key, keys)
    return out
