"""``unanswered`` and ``report``: what citizens asked that the bot could not
answer well, and how they rated the answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional

from bot import insights
from bot.admin.errors import AdminError
from bot.content import records
from bot.content.models import utcnow
from bot.privacy import TOKENS, mask_pii


def _since(days: Optional[int]) -> Optional[datetime]:
    return utcnow() - timedelta(days=days) if days else None


def _db_error(exc: Exception) -> AdminError:
    return AdminError(
        "อ่านฐานข้อมูลไม่ได้ ตรวจ DATABASE_URL หรือสั่ง python -m bot.content.importer "
        "เพื่อสร้างตาราง",
        f"cannot read the DB ({exc.__class__.__name__}); check DATABASE_URL or run "
        "`python -m bot.content.importer` to create the tables",
    )


def _when(dt: Optional[datetime]) -> str:
    """A stored UTC time in the server's local time."""
    if dt is None:
        return "-"
    return dt.replace(tzinfo=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def _teach_text(group: insights.QuestionGroup) -> str:
    """The text to suggest for ``teach``: one without masked personal data."""
    texts = group.texts(limit=20)
    clean = [t for t in texts if not any(tok in t for tok in TOKENS)]
    return (clean or texts)[0]


def unanswered_lines(
    url: Optional[str] = None,
    include_taught: bool = False,
    days: Optional[int] = None,
    limit: int = 30,
    threshold: float = insights.GROUP_THRESHOLD,
) -> List[str]:
    """Groups of similar questions, newest group first, ready to print."""
    try:
        rows = records.unanswered_questions(include_taught, _since(days), url)
    except Exception as exc:
        raise _db_error(exc) from None
    if not rows:
        return ["ไม่มีคำถามที่ตอบไม่ได้ค้างอยู่ค่ะ / no unanswered questions."]
    groups = insights.group_similar(rows, threshold)
    out = [
        f"คำถามที่บอตตอบไม่ได้หรือไม่มั่นใจ {len(rows)} ข้อความ ใน {len(groups)} กลุ่ม "
        f"(ล่าสุดก่อน) / {len(rows)} questions in {len(groups)} groups, newest first",
    ]
    for n, g in enumerate(groups[:limit], 1):
        reasons = sorted({r.reason for r in g.rows})
        taught = sorted({r.taught_intent for r in g.rows if r.taught_intent})
        out.append("")
        out.append(
            f"#{n}  ×{g.count}  ล่าสุด/newest {_when(g.newest)}  "
            f"ช่องทาง/channels: {', '.join(g.channels())}  ({', '.join(reasons)})"
            + (f"  สอนแล้ว/taught: {', '.join(taught)}" if taught else "")
        )
        for text in g.texts():
            out.append(f"    “{mask_pii(text)}”")
        guesses = ", ".join(f"{name} {conf:.2f}" for name, conf in g.guesses())
        out.append(f"    บอตเดา/guesses: {guesses or '-'}")
        out.append(
            f'    สอน/teach: python -m bot.admin teach "{mask_pii(_teach_text(g))}" '
            "<intent>"
        )
    if len(groups) > limit:
        out.append("")
        out.append(
            f"… อีก {len(groups) - limit} กลุ่ม (ใช้ --limit) / "
            f"{len(groups) - limit} more groups (use --limit)"
        )
    return out


def report_lines(url: Optional[str] = None, days: Optional[int] = None) -> List[str]:
    """Ratings per intent with the unanswered questions guessed as that intent."""
    try:
        ratings = records.rating_counts(_since(days), url)
        rows = records.unanswered_questions(True, _since(days), url)
    except Exception as exc:
        raise _db_error(exc) from None
    open_rows = [r for r in rows if r.taught_at is None]
    per_intent: Dict[str, Dict[str, int]] = {}
    for r in open_rows:
        key = r.intent or "-"
        bucket = per_intent.setdefault(key, {"fallback": 0, "low_confidence": 0})
        # both kinds of fallback: the citizen got "please rephrase"
        reason = "fallback" if r.reason in ("fallback", "core_fallback") else r.reason
        bucket[reason] = bucket.get(reason, 0) + 1
    intents = sorted(
        set(ratings) | set(per_intent),
        key=lambda k: (
            -(ratings.get(k, {}).get("bad", 0)),
            -sum(per_intent.get(k, {}).values()),
            k,
        ),
    )
    period = f"{days} วันล่าสุด / last {days} days" if days else "ทั้งหมด / all time"
    out = [
        f"รายงาน ({period})",
        f"{'intent':<26}{'👍':>5}{'👎':>5}{'%👍':>6}{'fallback':>10}{'low-conf':>10}",
    ]
    for k in intents:
        good = ratings.get(k, {}).get("good", 0)
        bad = ratings.get(k, {}).get("bad", 0)
        share = f"{100 * good // (good + bad)}%" if good + bad else "-"
        un = per_intent.get(k, {})
        out.append(
            f"{k:<26}{good:>5}{bad:>5}{share:>6}"
            f"{un.get('fallback', 0):>10}{un.get('low_confidence', 0):>10}"
        )
    total_good = sum(v.get("good", 0) for v in ratings.values())
    total_bad = sum(v.get("bad", 0) for v in ratings.values())
    out.append("")
    out.append(
        f"รวม/total: 👍 {total_good}  👎 {total_bad}  "
        f"คำถามค้าง/open unanswered {len(open_rows)}  "
        f"สอนแล้ว/taught {len(rows) - len(open_rows)}"
    )
    out.append(
        "fallback = บอตไม่เข้าใจเลย (intent คือสิ่งที่เดาใกล้สุด) / the bot did not "
        "understand (intent = its best guess); low-conf = ตอบแต่ไม่มั่นใจ / answered "
        "with low confidence"
    )
    return out
