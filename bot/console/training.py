"""Training data in the console: teach, add/remove/move examples and new
intents, through the functions of ``python -m bot.admin`` (bot/admin/nlu.py,
bot/admin/examples.py). Each change is first made on a staged copy of
data/nlu, data/rules and domain.yml and ``validate`` must pass there; only
then is it made for real and recorded in the history."""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

from bot import insights
from bot.admin import examples, nlu, review, yamlio
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.admin.validate import validate
from bot.console import forms, history
from bot.content import records
from bot.privacy import mask_pii

NOT_FOR_BOT = "not_for_bot"  # taught_intent of a question the bot should not answer
_lock = threading.Lock()


class Invalid(AdminError):
    """``validate`` found problems on the staged copy; nothing was written."""


def _stage(paths: Paths, tmp: Path) -> Paths:
    data = tmp / "data"
    shutil.copytree(paths.nlu_dir, data / "nlu")
    rules = paths.nlu_dir.parent / "rules"
    if rules.is_dir():
        shutil.copytree(rules, data / "rules")
    shutil.copy2(paths.domain, tmp / "domain.yml")
    return Paths(paths.root, paths.content_dir, data / "nlu", tmp / "domain.yml", None)


def checked(paths: Paths, change: Callable[[Paths], object]) -> object:
    """Run `change` on a staged copy, validate it, then run it for real."""
    with _lock:
        with tempfile.TemporaryDirectory(prefix="console-nlu-") as tmp:
            stage = _stage(paths, Path(tmp))
            stage = Paths(
                stage.root,
                stage.content_dir,
                stage.nlu_dir,
                stage.domain,
                f"sqlite:///{Path(tmp) / 'stage.db'}",  # teach's DB marks go nowhere
            )
            change(stage)
            report = validate(stage, with_rasa=False)
            if report.problems:
                cut = len(tmp) + 1
                raise Invalid(
                    "ตรวจข้อมูลฝึก (validate) แล้วพบปัญหา จึงยังไม่ได้บันทึกค่ะ",
                    "validate found problems; nothing was saved",
                    [p[cut:] if p.startswith(tmp) else p for p in report.problems],
                )
        return change(paths)


# ---------------------------------------------------------------- unanswered
@dataclass
class Group:
    ids: List[int]
    count: int
    newest: object
    channels: List[str]
    texts: List[str]
    suggestion: str
    guesses: List[tuple]
    reasons: List[str]


def unanswered(paths: Paths, limit: int = 50) -> List[Group]:
    """The open questions grouped like ``python -m bot.admin unanswered``."""
    rows = records.unanswered_questions(False, None, paths.url)
    out = []
    for g in insights.group_similar(rows, insights.GROUP_THRESHOLD)[:limit]:
        out.append(
            Group(
                ids=[r.id for r in g.rows],
                count=g.count,
                newest=g.newest,
                channels=g.channels(),
                texts=[mask_pii(t) for t in g.texts()],
                suggestion=mask_pii(review._teach_text(g)),
                guesses=g.guesses(),
                reasons=sorted({r.reason for r in g.rows}),
            )
        )
    return out


def answer_of(paths: Paths, intent: str) -> Dict[str, str]:
    """What the bot answers to `intent`: its answers.yml entry (a link to
    edit it) or its fixed ``utter_<intent>`` response in domain.yml."""
    found = forms.bundle(paths).answers.get(intent)
    if found:
        return {"text": found["text_th"], "link": f"/answers/{intent}"}
    responses = yamlio.load_path(paths.domain).get("responses") or {}
    for item in responses.get(f"utter_{intent}") or []:
        if hasattr(item, "get") and item.get("text"):
            return {"text": str(item["text"]), "link": ""}
    return {"text": "", "link": ""}


def intents(paths: Paths) -> List[str]:
    return sorted(nlu.domain_intents(paths.domain))


def teach(paths: Paths, user: str, text: str, intent: str, ids: List[int]) -> str:
    """``bot.admin teach`` (validated first), or "not for the bot"."""
    if intent == NOT_FOR_BOT:
        marked = records.mark_taught(ids, NOT_FOR_BOT, url=paths.url)
        history.record(
            paths.url, user, "unanswered", NOT_FOR_BOT,
            f"ไม่ใช่งานของบอต: {mask_pii(text)[:80]}", None,
            {"text": mask_pii(text), "ids": ids},
        )  # fmt: skip
        return f"บันทึกแล้วว่าไม่ใช่คำถามของบอต ({marked} ข้อความ) ค่ะ"
    result = checked(paths, lambda p: nlu.teach(p, text, intent))
    marked = records.mark_taught(ids, intent, url=paths.url)
    clean = nlu.clean_example(text)
    history.record(
        paths.url, user, "teach", intent, f"สอน: {clean[:80]} → {intent}", None,
        {"text": clean, "intent": intent, "file": str(result.file)},
    )  # fmt: skip
    done = "เพิ่มตัวอย่างแล้ว" if result.added else "ตัวอย่างนี้มีอยู่แล้ว"
    return (
        f"{done} ({intent}) ทำเครื่องหมายสอนแล้ว {result.marked + marked} ข้อความ "
        "บอตจะเข้าใจหลังฝึกและเผยแพร่โมเดลใหม่ค่ะ"
    )


# ---------------------------------------------------------------- intents
def intent_table(paths: Paths, query: str = "") -> Dict[str, List[nlu.Example]]:
    """intent -> its examples (those containing `query`, when given)."""
    data = nlu.load_nlu(paths.nlu_dir)
    out: Dict[str, List[nlu.Example]] = {name: [] for name in intents(paths)}
    q = query.casefold().strip()
    for ex in data.examples():
        if not q or q in ex.text.casefold() or q in ex.intent:
            out.setdefault(ex.intent, []).append(ex)
    if q:
        out = {k: v for k, v in out.items() if v or q in k}
    return out


def add_example(paths: Paths, user: str, intent: str, text: str) -> str:
    return teach(paths, user, text, intent, [])


def remove_example(paths: Paths, user: str, intent: str, text: str) -> str:
    checked(paths, lambda p: examples.remove_example(p, intent, text))
    history.record(
        paths.url, user, "example", intent, f"ลบตัวอย่าง: {text[:80]} ({intent})",
        {"text": text, "intent": intent}, None,
    )  # fmt: skip
    return f"ลบตัวอย่างออกจาก {intent} แล้วค่ะ"


def move_example(paths: Paths, user: str, text: str, src: str, dst: str) -> str:
    checked(paths, lambda p: examples.move_example(p, text, src, dst))
    history.record(
        paths.url, user, "example", dst, f"ย้ายตัวอย่าง: {text[:80]} ({src} → {dst})",
        {"text": text, "intent": src}, {"text": text, "intent": dst},
    )  # fmt: skip
    return f"ย้ายตัวอย่างจาก {src} ไป {dst} แล้วค่ะ"


def new_intent(
    paths: Paths, user: str, name: str, example_text: str, response: str
) -> str:
    """``bot.admin intent add`` (validated first)."""

    def make(p: Paths) -> List[Path]:
        return nlu.add_intent(
            p,
            nlu.NewIntent(
                name=name.strip(),
                examples=example_text.splitlines(),
                response=response.strip(),
                nlu_file=p.nlu_dir / "staff.yml",
                rules_file=p.nlu_dir.parent / "rules" / "staff.yml",
            ),
        )

    written = checked(paths, make)
    history.record(
        paths.url, user, "intent", name.strip(), f"intent ใหม่: {name.strip()}", None,
        {"examples": [e for e in example_text.splitlines() if e.strip()],
         "response": response.strip(), "files": [str(w) for w in written]},
    )  # fmt: skip
    return (
        f"เพิ่ม intent {name.strip()} พร้อมคำตอบและกฎแล้ว "
        "บอตจะเข้าใจหลังฝึกและเผยแพร่โมเดลใหม่ค่ะ"
    )
