"""The Rasa training data as staff see it: intents, their examples with file and
line, and safe additions (``teach`` one example, ``intent add`` a new intent).

Files are changed by inserting lines (never by re-dumping them), so other
people's formatting and comments stay exactly as they were; each write is
atomic and re-parsed before it replaces the file.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bot import insights
from bot.admin import yamlio
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content import records
from bot.privacy import mask_pii

GENERATED = "generated_lookups.yml"
MIN_EXAMPLES = 25
INTENT_NAME = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_THAI = re.compile(r"[\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Example:
    text: str  # plain text (annotations removed)
    intent: str
    file: Path
    line: int


@dataclass
class IntentBlock:
    name: str
    file: Path
    line: int  # the "- intent:" line
    last_line: int  # the last example line (1-based)
    indent: str  # indentation of the example lines
    examples: List[Example] = field(default_factory=list)


@dataclass
class NluData:
    blocks: List[IntentBlock] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)

    def intents(self) -> Dict[str, List[IntentBlock]]:
        out: Dict[str, List[IntentBlock]] = {}
        for b in self.blocks:
            out.setdefault(b.name, []).append(b)
        return out

    def examples(self) -> List[Example]:
        return [e for b in self.blocks for e in b.examples]


def plain(text: str) -> str:
    """An example without entity annotations: ``[กฟน.](body)`` -> ``กฟน.``."""
    return _ANNOTATION.sub(r"\1", text).strip()


def example_key(text: str) -> str:
    """Comparison form: annotations removed, NFC, no whitespace (Thai writes no
    spaces between words, so "สวัสดี ครับ" is "สวัสดีครับ"), casefold."""
    text = unicodedata.normalize("NFC", plain(text))
    return "".join(text.split()).casefold()


def nlu_files(nlu_dir: Path) -> List[Path]:
    return sorted(p for p in Path(nlu_dir).rglob("*.yml") if p.name != GENERATED)


def parse_file(path: Path, data: NluData, text: Optional[str] = None) -> None:
    """Add the intent blocks of one NLU file (or of ``text`` as that file)."""
    text = path.read_text(encoding="utf-8") if text is None else text
    try:
        doc = yamlio.load_text(text)
    except Exception as exc:  # ruamel raises several error types
        data.problems.append(f"{path}:1: not valid YAML: {exc}")
        return
    items = (doc or {}).get("nlu") if hasattr(doc, "get") else None
    if not items:
        return
    lines = text.splitlines()
    for i, item in enumerate(items):
        if not hasattr(item, "get") or "intent" not in item:
            continue
        name = str(item["intent"])
        start = yamlio.line_of_item(items, i)
        block_text = item.get("examples")
        if not isinstance(block_text, str):
            data.problems.append(
                f"{path}:{start}: intent {name}: examples must be a | block"
            )
            continue
        key_line = yamlio.line_of_key(item, "examples")
        block = IntentBlock(name, path, start, key_line, "    ")
        for j, raw in enumerate(block_text.split("\n")):
            line_no = key_line + 1 + j
            stripped = raw.strip()
            if not stripped.startswith("- "):
                continue
            block.examples.append(Example(plain(stripped[2:]), name, path, line_no))
            block.last_line = line_no
            src = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
            block.indent = src[: len(src) - len(src.lstrip())] or block.indent
        data.blocks.append(block)


def load_nlu(nlu_dir: Path) -> NluData:
    data = NluData()
    for path in nlu_files(nlu_dir):
        parse_file(path, data)
    return data


def domain_intents(domain: Path) -> Dict[str, int]:
    """intent -> line in domain.yml."""
    doc = yamlio.load_path(domain)
    out: Dict[str, int] = {}
    intents = doc.get("intents") or []
    for i, item in enumerate(intents):
        name = next(iter(item)) if hasattr(item, "keys") else str(item)
        out[str(name)] = yamlio.line_of_item(intents, i)
    return out


def _close(name: str, names: Sequence[str]) -> str:
    near = difflib.get_close_matches(name, list(names), n=3, cutoff=0.4)
    return ", ".join(near) if near else ", ".join(sorted(names)[:10])


def _insert_lines(path: Path, after_line: int, new_lines: List[str]) -> str:
    """The file's text with ``new_lines`` inserted after line ``after_line``."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[after_line:after_line] = new_lines
    return "\n".join(lines)


def clean_example(text: str) -> str:
    """A taught example: one line, PII masked, no annotation syntax."""
    text = mask_pii(" ".join(str(text or "").split()))
    if not text:
        raise AdminError("ตัวอย่างว่างไม่ได้", "the example must not be empty")
    if _ANNOTATION.search(text) or text.startswith(("/", "#")):
        raise AdminError(
            "ตัวอย่างมีเครื่องหมายพิเศษ ([..](..), / หรือ # นำหน้า) ที่ใช้ไม่ได้",
            "the example contains annotation syntax or starts with / or #",
        )
    return text


@dataclass
class TeachResult:
    file: Optional[Path]
    line: int
    added: bool
    marked: int
    warning: Optional[str] = None


def teach(paths: Paths, text: str, intent: str) -> TeachResult:
    """Add ``text`` as an example of ``intent`` to the NLU file holding that
    intent, and mark matching unanswered questions as taught."""
    text = clean_example(text)
    known = domain_intents(paths.domain)
    data = load_nlu(paths.nlu_dir)
    blocks = data.intents()
    if intent not in known or intent not in blocks:
        raise AdminError(
            f"ไม่รู้จัก intent '{intent}' (ที่ใกล้เคียง: {_close(intent, known)})",
            f"unknown intent '{intent}' (close: {_close(intent, known)})",
        )
    key = example_key(text)
    for ex in data.examples():
        if example_key(ex.text) == key and ex.intent != intent:
            raise AdminError(
                f"'{text}' เป็นตัวอย่างของ intent {ex.intent} อยู่แล้ว "
                f"({ex.file.name}:{ex.line}) ตัวอย่างหนึ่งอยู่ได้ intent เดียว",
                f"'{text}' is already an example of {ex.intent} "
                f"({ex.file.name}:{ex.line}); an example belongs to one intent",
            )
    exists = any(
        example_key(ex.text) == key for b in blocks[intent] for ex in b.examples
    )
    block = blocks[intent][-1]
    added = False
    if not exists:
        before = len(block.examples)
        new_text = _insert_lines(
            block.file, block.last_line, [f"{block.indent}- {text}"]
        )
        check = NluData()
        parse_file(block.file, check, new_text)
        got = [b for b in check.blocks if b.name == intent and b.line == block.line]
        if (
            check.problems
            or not got
            or len(got[0].examples) != before + 1
            or example_key(got[0].examples[-1].text) != key
        ):
            raise AdminError(
                "เพิ่มตัวอย่างแล้วไฟล์อ่านไม่ถูกต้อง จึงไม่ได้แก้ไฟล์",
                f"the example would not read back correctly; {block.file} unchanged",
            )
        yamlio.atomic_write(block.file, new_text)
        added = True
    marked, warning = 0, None
    try:
        rows = records.unanswered_questions(url=paths.url)
        ids = [r.id for r in rows if insights.matches(r.text, text)]
        marked = records.mark_taught(ids, intent, url=paths.url)
    except Exception as exc:  # the NLU change stands; say what failed
        warning = (
            "บันทึกสถานะ 'สอนแล้ว' ในฐานข้อมูลไม่สำเร็จ / could not mark the "
            f"questions as taught ({exc.__class__.__name__}); check DATABASE_URL"
        )
    return TeachResult(block.file, block.last_line + 1, added, marked, warning)


# ---------------------------------------------------------------- new intents
@dataclass
class NewIntent:
    name: str
    examples: List[str]
    response: str
    nlu_file: Path
    rules_file: Path


def _thai_polite(text: str) -> bool:
    return bool(_THAI.search(text)) and ("ค่ะ" in text or "คะ" in text)


def _yaml_scalar(text: str) -> str:
    """A one-line double-quoted YAML string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _domain_insertions(domain: Path, name: str, response: str) -> str:
    """domain.yml with the intent and its response added (by inserting lines)."""
    text = domain.read_text(encoding="utf-8")
    doc = yamlio.load_text(text)
    lines = text.split("\n")
    intents = doc.get("intents")
    responses = doc.get("responses")
    if intents is None or responses is None:
        raise AdminError(
            "domain.yml ไม่มี intents หรือ responses",
            "domain.yml has no intents or responses section",
        )
    last_intent = yamlio.line_of_item(intents, len(intents) - 1)
    intent_line = lines[last_intent - 1]
    indent = intent_line[: len(intent_line) - len(intent_line.lstrip())]
    # responses: after the last line that belongs to the last response
    last_key = list(responses)[-1]
    start = yamlio.line_of_key(responses, last_key)
    key_indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
    end = start
    for i in range(start, len(lines)):
        line = lines[i]
        if line.strip() and (len(line) - len(line.lstrip())) <= key_indent:
            break
        if line.strip():
            end = i + 1
    pad = " " * key_indent
    new_response = [
        f"{pad}utter_{name}:",
        f"{pad}  - text: {_yaml_scalar(response)}",
    ]
    lines[end:end] = new_response
    lines[last_intent:last_intent] = [f"{indent}- {name}"]
    return "\n".join(lines)


def add_intent(paths: Paths, new: NewIntent) -> List[Path]:
    """Add a new intent answered by a fixed Thai response: examples in an NLU
    file, the intent and ``utter_<name>`` in domain.yml, and a rule. Everything
    is checked before any file is written."""
    name = new.name
    if not INTENT_NAME.match(name):
        raise AdminError(
            "ชื่อ intent ต้องเป็นภาษาอังกฤษตัวเล็ก ตัวเลข หรือ _ (เช่น ask_tax_refund)",
            "an intent name is lower-case ASCII letters, digits and _ "
            "(e.g. ask_tax_refund)",
        )
    known = domain_intents(paths.domain)
    if name in known:
        raise AdminError(f"มี intent '{name}' อยู่แล้ว", f"intent '{name}' already exists")
    examples = []
    for raw in new.examples:
        if raw.strip():
            ex = clean_example(raw)
            if example_key(ex) not in {example_key(e) for e in examples}:
                examples.append(ex)
    if len(examples) < MIN_EXAMPLES:
        raise AdminError(
            f"ต้องมีตัวอย่างอย่างน้อย {MIN_EXAMPLES} ประโยคที่ไม่ซ้ำกัน (มี {len(examples)})",
            f"at least {MIN_EXAMPLES} different examples are needed "
            f"(got {len(examples)})",
        )
    data = load_nlu(paths.nlu_dir)
    taken = {example_key(e.text): e for e in data.examples()}
    clashes = [
        f"'{ex}' = {taken[example_key(ex)].intent} "
        f"({taken[example_key(ex)].file.name}:{taken[example_key(ex)].line})"
        for ex in examples
        if example_key(ex) in taken
    ]
    if clashes:
        raise AdminError(
            "ตัวอย่างเหล่านี้เป็นของ intent อื่นอยู่แล้ว",
            "these examples already belong to another intent",
            clashes,
        )
    if not _thai_polite(new.response):
        raise AdminError(
            "คำตอบต้องเป็นภาษาไทยและสุภาพ (มี ค่ะ หรือ คะ)",
            "the response must be polite Thai (with ค่ะ or คะ)",
        )
    writes: Dict[Path, str] = {}
    writes[paths.domain] = _domain_insertions(paths.domain, name, new.response)
    block = ["", f"- intent: {name}", "  examples: |"] + [
        f"    - {e}" for e in examples
    ]
    if new.nlu_file.exists():
        old = new.nlu_file.read_text(encoding="utf-8").rstrip("\n")
        writes[new.nlu_file] = old + "\n" + "\n".join(block) + "\n"
    else:
        header = [
            'version: "3.1"',
            "",
            "# Intents added by staff with `python -m bot.admin intent add`.",
            "",
            "nlu:",
        ]
        writes[new.nlu_file] = "\n".join(header + block[1:]) + "\n"
    rule = [
        f"  - rule: answer {name}",
        "    steps:",
        f"      - intent: {name}",
        f"      - action: utter_{name}",
    ]
    if new.rules_file.exists():
        old = new.rules_file.read_text(encoding="utf-8").rstrip("\n")
        writes[new.rules_file] = old + "\n" + "\n".join(rule) + "\n"
    else:
        writes[new.rules_file] = (
            'version: "3.1"\n# Rules for intents added by staff (`python -m bot.admin '
            "intent add`).\nrules:\n" + "\n".join(rule) + "\n"
        )
    # every new text must read back with the new intent in it
    for path, text in writes.items():
        try:
            doc = yamlio.load_text(text)
        except Exception as exc:
            raise AdminError(
                f"{path.name} จะอ่านไม่ได้หลังแก้ จึงไม่ได้แก้อะไร",
                f"{path.name} would not be valid YAML; nothing written ({exc})",
            ) from None
        if path == paths.domain and (
            name not in [str(i) for i in doc["intents"]]
            or f"utter_{name}" not in doc["responses"]
        ):
            raise AdminError(
                "แก้ domain.yml ไม่สำเร็จ จึงไม่ได้แก้อะไร",
                "domain.yml would not contain the intent; nothing written",
            )
    for path, text in writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        yamlio.atomic_write(path, text)
    return list(writes)


def intent_summary(paths: Paths) -> List[Tuple[str, int, str]]:
    """(intent, number of examples, file) for every intent in the NLU data."""
    out = []
    for name, blocks in sorted(load_nlu(paths.nlu_dir).intents().items()):
        n = sum(len(b.examples) for b in blocks)
        out.append((name, n, ", ".join(sorted({b.file.name for b in blocks}))))
    return out
