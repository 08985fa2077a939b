"""Dates as Thai staff read them: Buddhist era, Asia/Bangkok time."""

from __future__ import annotations

import datetime as dt
from typing import Optional
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
MONTHS = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


def local(at: dt.datetime) -> dt.datetime:
    """A naive UTC time (as stored) in Bangkok time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.astimezone(BANGKOK)


def thai_date(day: dt.date) -> str:
    """``1 ธ.ค. 2569``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year + BE_OFFSET}"


def thai_datetime(at: Optional[dt.datetime]) -> str:
    """``1 ธ.ค. 2569 21:05 น.`` in Bangkok time ('-' when missing)."""
    if at is None:
        return "-"
    t = local(at)
    return f"{thai_date(t.date())} {t:%H:%M} น."


def bangkok_today() -> dt.date:
    return dt.datetime.now(BANGKOK).date()
