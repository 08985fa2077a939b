"""Dashboard figures for the last 7 or 30 days (Asia/Bangkok days): questions
per day by channel from the tracker store, the share answered / fallback /
core fallback, 👍/👎 per topic, and the most frequent unanswered questions,
shown only when at least 3 different conversations asked them (messages are
not masked in the tracker store; what is shown is masked)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import sqlalchemy as sa

from bot.console.dates import BANGKOK, bangkok_today, thai_date
from bot.content import records
from bot.privacy import mask_pii
from bot.rasa_ext.store_common import EVENTS as events
from bot.rasa_ext.store_common import tracker_store_url

MIN_CONVERSATIONS = 3  # an unanswered question is shown from this many asking
TOPICS = {
    "award": "รางวัลรัฐบาลดิจิทัล",
    "nocopy": "ยกเลิกสำเนาเอกสาร",
    "bizportal": "Biz Portal",
}

@dataclass
class Figures:
    days: List[dt.date]
    per_channel: Dict[str, List[int]] = field(default_factory=dict)
    total: int = 0
    fallback: int = 0
    core_fallback: int = 0
    ratings: Dict[str, Dict[str, int]] = field(default_factory=dict)
    top_unanswered: List[Tuple[str, int]] = field(default_factory=list)
    note: str = ""

    @property
    def answered(self) -> int:
        return max(self.total - self.fallback - self.core_fallback, 0)

    def share(self, n: int) -> str:
        return f"{100 * n / self.total:.0f}%" if self.total else "-"

    def chart_json(self) -> str:
        """The data the charts draw (read by static/console.js)."""
        return json.dumps(
            {
                "labels": [thai_date(d) for d in self.days],
                "channels": self.per_channel,
                "shares": {
                    "ตอบได้": self.answered,
                    "ไม่เข้าใจ (fallback)": self.fallback,
                    "ไม่รู้จะตอบต่ออย่างไร (core fallback)": self.core_fallback,
                },
                "ratings": self.ratings,
            },
            ensure_ascii=False,
        ).replace("<", "\\u003c")  # inside <script>: no "</script>" can close it


def topic_of(intent: str) -> str:
    return TOPICS.get((intent or "").split("_")[0], "อื่น ๆ")


def _start(days: int) -> Tuple[List[dt.date], float, dt.datetime]:
    today = bangkok_today()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), BANGKOK)
    start_utc = start.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return (
        [first + dt.timedelta(days=i) for i in range(days)],
        start.timestamp(),
        start_utc,
    )


def _normal(text: str) -> str:
    return "".join((text or "").split()).casefold()


def figures(
    days: int, service_url: Optional[str], tracker_url: Optional[str] = None
) -> Figures:
    day_list, start_ts, start_utc = _start(days)
    out = Figures(day_list)
    index = {d: i for i, d in enumerate(day_list)}
    asked: Dict[str, Set[str]] = defaultdict(set)
    sample: Dict[str, str] = {}
    engine = sa.create_engine(
        tracker_url or tracker_store_url(None), poolclass=sa.pool.NullPool
    )
    try:
        with engine.connect() as conn:
            if sa.inspect(conn).has_table("events"):
                rows = conn.execute(
                    sa.select(
                        events.c.sender_id,
                        events.c.timestamp,
                        events.c.intent_name,
                        events.c.data,
                    )  # fmt: skip
                    .where(events.c.type_name == "user")
                    .where(events.c.timestamp >= start_ts)
                )
                for sender, ts, intent, raw in rows:
                    try:
                        data = json.loads(raw or "{}")
                    except ValueError:
                        data = {}
                    day = dt.datetime.fromtimestamp(float(ts), BANGKOK).date()
                    channel = data.get("input_channel") or "อื่น ๆ"
                    series = out.per_channel.setdefault(channel, [0] * len(day_list))
                    if day in index:
                        series[index[day]] += 1
                    out.total += 1
                    if intent == "nlu_fallback":
                        out.fallback += 1
                        key = _normal(data.get("text", ""))
                        if key:
                            asked[key].add(sender)
                            sample.setdefault(key, data.get("text", ""))
    except sa.exc.SQLAlchemyError:
        out.note = "อ่านที่เก็บบทสนทนาไม่ได้ ตรวจ TRACKER_STORE_URL ค่ะ"
    finally:
        engine.dispose()
    rows = records.unanswered_questions(True, start_utc, service_url)
    out.core_fallback = sum(1 for r in rows if r.reason == "core_fallback")
    for intent, counts in records.rating_counts(start_utc, service_url).items():
        topic = out.ratings.setdefault(topic_of(intent), {"good": 0, "bad": 0})
        topic["good"] += counts.get("good", 0)
        topic["bad"] += counts.get("bad", 0)
    frequent = Counter({k: len(v) for k, v in asked.items()})
    out.top_unanswered = [
        (mask_pii(sample[k]), n)
        for k, n in frequent.most_common(20)
        if n >= MIN_CONVERSATIONS
    ][:10]
    return out
