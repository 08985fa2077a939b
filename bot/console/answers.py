"""Answers in the console: search, preview, save and revert, all through
:func:`bot.admin.content.edit_answer` (the code of ``python -m bot.admin edit
answer``), with an optimistic version check so that two editors never
overwrite each other silently."""

from __future__ import annotations

import hashlib
import json
import threading
from types import SimpleNamespace
from typing import Any, Dict, List, Optional, Tuple

from bot.admin import content
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import forms, history
from bot.replies import Reply, format_answer

# one console process serialises its own edits; the version check and
# ContentEdit's "changed while this command ran" catch everyone else
_write_lock = threading.Lock()


class Conflict(AdminError):
    """Someone changed the item after the editor opened it."""


def version_of(answer: Dict[str, Any]) -> str:
    """A short fingerprint of what an editor sees of an answer."""
    seen = {k: answer.get(k) for k in ("text_th", "confidence", "sources")}
    raw = json.dumps(seen, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:16]


def all_answers(paths: Paths) -> Dict[str, Dict[str, Any]]:
    return forms.bundle(paths).answers


def search(paths: Paths, query: str = "") -> List[Dict[str, Any]]:
    """Answers whose key, text or source titles contain every word of `query`."""
    words = [w.casefold() for w in (query or "").split()]
    out = []
    for key, a in all_answers(paths).items():
        hay = " ".join(
            [key, a["text_th"], *(s.get("title", "") for s in a["sources"])]
        ).casefold()
        if all(w in hay for w in words):
            out.append({**a, "first_line": a["text_th"].splitlines()[0][:120]})
    return out


def get(paths: Paths, key: str) -> Dict[str, Any]:
    answers = all_answers(paths)
    if key not in answers:
        raise content.unknown("คำตอบ", "answer", key, list(answers))
    return {**answers[key], "version": version_of(answers[key])}


def pairs(sources: List[Dict[str, Any]]) -> List[Tuple[str, str]]:
    """(url, title) of each source, as the edit form and ``edit_answer`` use."""
    return [(s.get("url", ""), s.get("title", "")) for s in sources]


def preview(
    answer: Dict[str, Any], text: str, sources: Optional[List[Tuple[str, str]]] = None
) -> Reply:
    """The reply the bot would send for this answer with `text` (what
    action_answer_fact sends for a plain question)."""
    known = {s["url"]: s for s in answer["sources"]}
    shown_sources = answer["sources"]
    if sources is not None:  # keep the citizen links of the sources kept
        shown_sources = [known.get(u) or {"url": u, "title": t} for u, t in sources]
    shown = SimpleNamespace(
        text_th=text,
        buttons=answer["buttons"],
        sources=shown_sources,
        summary_en=answer.get("summary_en"),
        yes_no=answer.get("yes_no") or [],
    )
    return format_answer(shown, "")


def save(
    paths: Paths,
    user_name: str,
    key: str,
    text: str,
    confidence: Optional[str],
    version: str,
    reverts_id: Optional[int] = None,
    sources: Optional[List[Tuple[str, str]]] = None,
) -> content.Result:
    """Validate and save through ``edit_answer``; record the change. Raises
    :class:`Conflict` when the answer changed since `version` was read."""
    with _write_lock:
        current = get(paths, key)
        if version != current["version"]:
            raise Conflict(
                f"มีผู้อื่นแก้คำตอบ {key} ไปแล้วหลังจากที่คุณเปิดหน้านี้ จึงยังไม่ได้บันทึก "
                "กรุณาเปิดคำตอบใหม่ ดูข้อความล่าสุด แล้วแก้อีกครั้งค่ะ",
                f"answer {key} changed after you opened it; nothing was saved",
            )
        if sources is not None:
            sources = [
                (u.strip(), t.strip()) for u, t in sources if u.strip() or t.strip()
            ]
            if len(sources) < forms.MIN_SOURCES:
                raise AdminError(
                    "คำตอบต้องมีที่มาอย่างน้อยหนึ่งแหล่ง", "an answer needs a source"
                )
            if sources == pairs(current["sources"]):
                sources = None
        conf = confidence if confidence != current["confidence"] else None
        result = content.edit_answer(
            paths, key, text=text, confidence=conf, sources=sources
        )
        if result.counts:
            after = get(paths, key)
            history.record(
                paths.url,
                user_name,
                "answer",
                key,
                ("ย้อนกลับ: " if reverts_id else "แก้คำตอบ: ")
                + after["text_th"].splitlines()[0][:80],
                _seen(current),
                _seen(after),
                reverts_id=reverts_id,
            )
    return result


def revert(paths: Paths, user_name: str, change: history.Change) -> content.Result:
    """Put back the answer as it was before `change` (recorded as a change)."""
    if change.reverted_by_id:
        raise AdminError("การแก้ไขนี้ถูกย้อนกลับไปแล้วค่ะ", "this change was already reverted")
    current = get(paths, change.target)
    after = change.after or {}
    if any(v != after[k] for k, v in _seen(current).items() if k in after):
        raise Conflict(
            f"คำตอบ {change.target} ถูกแก้อีกหลังจากการแก้ไขนี้ จึงย้อนกลับอัตโนมัติไม่ได้ "
            "กรุณาแก้จากหน้าคำตอบโดยตรงค่ะ",
            f"answer {change.target} changed again since; revert it by hand",
        )
    before = change.before or {}
    return save(
        paths,
        user_name,
        change.target,
        before.get("text", ""),
        before.get("confidence"),
        current["version"],
        reverts_id=change.id,
        sources=[tuple(s) for s in before["sources"]] if "sources" in before else None,
    )


def _seen(answer: Dict[str, Any]) -> Dict[str, Any]:
    """What the history keeps of an answer (what the editor can change)."""
    return {
        "text": answer["text_th"],
        "confidence": answer["confidence"],
        "sources": [list(p) for p in pairs(answer["sources"])],
    }
