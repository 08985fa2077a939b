"""Daily counts of the limits that fired, for ``python -m bot.admin report``.

No text and no conversation id: one row per Thai day, limit and channel in
the service database's ``retention_daily_counts`` table (migration 0003),
``metric = "limit"``, ``intent`` = the limit (``rate`` / ``overload``),
``kind`` = ``fired`` (a conversation hit the rate limit in a window; for
overload, the once-a-minute log line) or ``refused`` (messages refused).

The Rasa process adds to a small in-memory tally and writes it in a worker
thread at most once a minute (`FLUSH_EVERY_S`), so a limit never waits for
the database; a failed write is logged and kept for the next one. The
report may therefore be up to a minute behind.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional, Tuple

logger = logging.getLogger(__name__)

METRIC = "limit"
FLUSH_EVERY_S = 60.0

_tally: Counter = Counter()
_lock = threading.Lock()
_timer_set = False


def _today():
    from bot.admin.daily_counts import thai_day

    return thai_day(datetime.now(timezone.utc))


def add(limit: str, channel: str, fired: bool) -> None:
    """Counts one refused message (and a firing, when `fired`); the tally is
    written `FLUSH_EVERY_S` later in a worker thread."""
    global _timer_set
    day = _today()
    with _lock:
        _tally[(day, limit, channel or "", "refused")] += 1
        if fired:
            _tally[(day, limit, channel or "", "fired")] += 1
        if _timer_set:
            return
        _timer_set = True
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not in the server: write now
        _flush_later()
        return
    loop.call_later(FLUSH_EVERY_S, lambda: loop.run_in_executor(None, _flush_later))


def _flush_later() -> None:
    global _timer_set
    with _lock:
        _timer_set = False
    flush()


def clear() -> None:
    """Forgets what was not written yet (tests)."""
    global _timer_set
    with _lock:
        _tally.clear()
        _timer_set = False


def flush(url: Optional[str] = None) -> int:
    """Writes the tally to the service DB; returns the rows written."""
    from bot.admin.daily_counts import add_counts, count_key
    from bot.content.db import get_engine

    with _lock:
        pending = Counter(_tally)
        _tally.clear()
    if not pending:
        return 0
    counts: Counter = Counter()
    for (day, limit, channel, kind), n in pending.items():
        counts[count_key(day, METRIC, channel, limit, kind)] += n
    try:
        with get_engine(url).begin() as connection:
            add_counts(connection, counts)
    except Exception as error:  # noqa: BLE001 - counted again next time
        logger.warning(
            "Limit counts not written to the service DB (%s); kept for the next try.",
            type(error).__name__,
        )
        with _lock:
            _tally.update(pending)
        return 0
    return len(counts)


def totals(url: Optional[str] = None, days: Optional[int] = None) -> Dict:
    """{(limit, channel): {"fired": n, "refused": n}} from the service DB."""
    import sqlalchemy as sa

    from bot.admin.daily_counts import daily_counts, has_table, thai_day
    from bot.content.db import get_engine

    c = daily_counts.c
    stmt = (
        sa.select(c.intent, c.channel, c.kind, sa.func.sum(c.count))
        .where(c.metric == METRIC)
        .group_by(c.intent, c.channel, c.kind)
    )
    if days:
        since = datetime.now(timezone.utc) - timedelta(days=days)
        stmt = stmt.where(c.day >= thai_day(since))
    out: Dict[Tuple[str, str], Dict[str, int]] = {}
    with get_engine(url).connect() as connection:
        if not has_table(connection, daily_counts.name):
            return out
        for limit, channel, kind, n in connection.execute(stmt).all():
            bucket = out.setdefault((limit, channel), {"fired": 0, "refused": 0})
            bucket[kind] = bucket.get(kind, 0) + int(n or 0)
    return out


def report_lines(url: Optional[str] = None, days: Optional[int] = None) -> List[str]:
    """The limits part of ``python -m bot.admin report``."""
    rows = totals(url, days)
    out = ["", "ข้อจำกัดที่ทำงาน / limits fired"]
    if not rows:
        out.append("  ไม่มี / none")
        return out
    out.append(f"  {'limit':<10}{'channel':<12}{'fired':>8}{'refused':>9}")
    for (limit, channel), n in sorted(rows.items()):
        out.append(f"  {limit:<10}{channel or '-':<12}{n['fired']:>8}{n['refused']:>9}")
    out.append(
        "  fired = ครั้งที่บทสนทนาส่งเกินกำหนดในหนึ่งนาที (overload: นาทีที่ระบบแน่น) / "
        "windows in which the limit fired; refused = ข้อความที่ไม่ได้ส่งต่อ / "
        "messages refused"
    )
    return out
