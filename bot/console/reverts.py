"""One-click revert of a recorded change: the inverse change, made through
the same functions (and checks) as the change itself, recorded as a change
that names the one it undid."""

from __future__ import annotations

from typing import Callable, Dict

from bot.admin import content
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import answers, history, training

Undo = Callable[[Paths, str, history.Change], str]


def _answer(paths: Paths, user: str, change: history.Change) -> str:
    answers.revert(paths, user, change)
    return "บอตใช้ข้อความเดิมตั้งแต่ข้อความถัดไปค่ะ"


def _alias(paths: Paths, user: str, change: history.Change) -> str:
    if change.after:  # it added an alias
        alias = change.after["alias"]
        result = content.alias_remove(paths, change.target, alias)
        before, after = {"alias": alias}, None
    else:
        alias = (change.before or {})["alias"]
        result = content.alias_add(paths, change.target, alias)
        before, after = None, {"alias": alias}
    history.record(
        paths.url, user, "alias", change.target, f"ย้อนกลับ: {result.message_th}",
        before, after,
    )  # fmt: skip
    return result.message_th


def _award(paths: Paths, user: str, change: history.Change) -> str:
    if change.after:  # it added a recipient
        a = change.after
        result = content.award_remove(paths, a["category"], a["recipient"])
        before, after = dict(a), None
    else:
        a = change.before or {}
        if not a.get("source"):
            raise AdminError("ไม่มีที่มาของรางวัลเดิม จึงย้อนกลับไม่ได้ค่ะ", "no source")
        result = content.award_add(
            paths, a["category"], a["recipient"], a["source"], a.get("confidence")
        )
        before, after = None, {"category": a["category"], "recipient": a["recipient"]}
    history.record(
        paths.url, user, "award", change.target, f"ย้อนกลับ: {result.message_th}",
        before, after,
    )  # fmt: skip
    return result.message_th


def _example(paths: Paths, user: str, change: history.Change) -> str:
    before, after = change.before or {}, change.after or {}
    text = after.get("text") or before.get("text")
    if before and after:  # a move: move it back
        return training.move_example(
            paths, user, text, after["intent"], before["intent"]
        )
    if after:  # taught or added: remove it
        return training.remove_example(paths, user, after["intent"], text)
    return training.add_example(paths, user, before["intent"], text)


def _fact(paths: Paths, user: str, change: history.Change) -> str:
    from bot.console.pages_content import set_fact

    value = (change.before or {}).get("value")
    return set_fact(paths, user, change.target, None if value is None else str(value))


UNDO: Dict[str, Undo] = {
    "fact": _fact,
    "answer": _answer,
    "alias": _alias,
    "award": _award,
    "teach": _example,
    "example": _example,
}


def revertible(change: history.Change) -> bool:
    return change.kind in UNDO and not change.reverted_by_id


def revert(paths: Paths, user: str, change: history.Change) -> str:
    if change.reverted_by_id:
        raise AdminError("การแก้ไขนี้ถูกย้อนกลับไปแล้วค่ะ", "this change was already reverted")
    undo = UNDO.get(change.kind)
    if undo is None:
        raise AdminError(
            "รายการประเภทนี้ย้อนกลับจากหน้านี้ไม่ได้ค่ะ (โมเดลใช้ปุ่มย้อนกลับในหน้าฝึกและเผยแพร่)",
            f"a {change.kind} change cannot be reverted here",
        )
    with history.reverting(change.id):
        return undo(paths, user, change)
