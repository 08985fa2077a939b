"""``python -m bot.admin report``: 👍/👎 per intent with the unanswered
questions guessed as that intent, from the stored rows plus the daily counts
the retention run keeps after it deleted them (bot/admin/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional

from sqlalchemy import func, select

from bot.admin.daily_counts import daily_counts, has_table, thai_day
from bot.admin.review import _db_error, _since
from bot.content import records
from bot.content.db import get_engine


@dataclass
class Archived:
    """Counts kept by the retention run (rows already deleted)."""

    ratings: Dict[str, Dict[str, int]] = field(default_factory=dict)
    unanswered: Dict[str, Dict[str, int]] = field(default_factory=dict)  # open
    open_unanswered: int = 0
    taught: int = 0
    questions: Dict[str, int] = field(default_factory=dict)  # per channel
    conversations: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.ratings
            or self.open_unanswered
            or self.taught
            or self.questions
            or self.conversations
        )


def archived_counts(
    url: Optional[str] = None, since: Optional[datetime] = None
) -> Archived:
    """What ``retention_daily_counts`` holds (from the Thai day of `since`,
    a naive UTC time, when given)."""
    out = Archived()
    engine = get_engine(url)
    with engine.connect() as connection:
        if not has_table(connection, daily_counts.name):
            return out
        c = daily_counts.c
        stmt = select(
            c.metric, c.channel, c.intent, c.kind, c.taught, func.sum(c.count)
        ).group_by(c.metric, c.channel, c.intent, c.kind, c.taught)
        if since is not None:
            stmt = stmt.where(c.day >= thai_day(since))
        rows = connection.execute(stmt).all()
    for metric, channel, intent, kind, taught, n in rows:
        n = int(n or 0)
        if metric == "rating":
            bucket = out.ratings.setdefault(intent or "-", {"good": 0, "bad": 0})
            bucket[kind] = bucket.get(kind, 0) + n
        elif metric == "unanswered":
            if taught:
                out.taught += n
                continue
            out.open_unanswered += n
            reason = "fallback" if kind in ("fallback", "core_fallback") else kind
            bucket = out.unanswered.setdefault(
                intent or "-", {"fallback": 0, "low_confidence": 0}
            )
            bucket[reason] = bucket.get(reason, 0) + n
        elif metric == "question":
            key = channel or "-"
            out.questions[key] = out.questions.get(key, 0) + n
        elif metric == "conversation":
            out.conversations += n
    return out


def _merge(a: Dict[str, Dict[str, int]], b: Dict[str, Dict[str, int]]) -> Dict:
    out = {k: dict(v) for k, v in a.items()}
    for key, counts in b.items():
        bucket = out.setdefault(key, {})
        for name, n in counts.items():
            bucket[name] = bucket.get(name, 0) + n
    return out


def report_lines(url: Optional[str] = None, days: Optional[int] = None) -> List[str]:
    """``python -m bot.admin report``: ratings per intent with the unanswered
    questions guessed as that intent, the stored rows plus the counts kept by
    the retention run."""
    since = _since(days)
    try:
        ratings = records.rating_counts(since, url)
        rows = records.unanswered_questions(True, since, url)
        archived = archived_counts(url, since)
    except Exception as exc:
        raise _db_error(exc) from None
    open_rows = [r for r in rows if r.taught_at is None]
    live: Dict[str, Dict[str, int]] = {}
    for r in open_rows:
        bucket = live.setdefault(r.intent or "-", {"fallback": 0, "low_confidence": 0})
        # both kinds of fallback: the citizen got "please rephrase"
        reason = "fallback" if r.reason in ("fallback", "core_fallback") else r.reason
        bucket[reason] = bucket.get(reason, 0) + 1
    ratings = _merge(ratings, archived.ratings)
    per_intent = _merge(live, archived.unanswered)
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
    taught = len(rows) - len(open_rows) + archived.taught
    out.append("")
    out.append(
        f"รวม/total: 👍 {total_good}  👎 {total_bad}  "
        f"คำถามค้าง/open unanswered {len(open_rows) + archived.open_unanswered}  "
        f"สอนแล้ว/taught {taught}"
    )
    if not archived.empty:
        by_channel = ", ".join(
            f"{name} {n}" for name, n in sorted(archived.questions.items())
        )
        out.append(
            f"รวมยอดที่เก็บไว้หลังลบตามระยะเก็บข้อมูล (RETENTION_DAYS, ไม่มีข้อความ): "
            f"คำถามค้าง {archived.open_unanswered}  บทสนทนา {archived.conversations}  "
            f"ข้อความ {sum(archived.questions.values())}"
            + (f" ({by_channel})" if by_channel else "")
        )
        out.append(
            "includes the counts kept by the retention run (text deleted): "
            f"{archived.open_unanswered} open unanswered, {archived.conversations} "
            f"conversations, {sum(archived.questions.values())} questions"
            + (f" ({by_channel})" if by_channel else "")
        )
    out.append(
        "fallback = บอตไม่เข้าใจเลย (intent คือสิ่งที่เดาใกล้สุด) / the bot did not "
        "understand (intent = its best guess); low-conf = ตอบแต่ไม่มั่นใจ / answered "
        "with low confidence"
    )
    return out


def count_rows(url: Optional[str] = None) -> Dict[str, int]:
    """metric -> summed count in ``retention_daily_counts`` (tests, staff)."""
    engine = get_engine(url)
    with engine.connect() as connection:
        if not has_table(connection, daily_counts.name):
            return {}
        rows = connection.execute(
            select(daily_counts.c.metric, func.sum(daily_counts.c.count)).group_by(
                daily_counts.c.metric
            )
        ).all()
    return {metric: int(n) for metric, n in rows}
