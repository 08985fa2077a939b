"""What citizens did, written at run time: unanswered questions and answer
ratings (👍/👎), and staff marking questions as taught. The content importer
never touches these tables; retention deletes old rows (bot/admin/retention.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, Iterable, List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.content.db import session_scope
from bot.content.models import (
    RATINGS,
    UNANSWERED_REASONS,
    AnswerRating,
    UnansweredQuestion,
    utcnow,
)


@dataclass(frozen=True)
class UnansweredRow:
    id: int
    created_at: datetime
    channel: Optional[str]
    text: str
    reason: str
    intent: Optional[str]
    confidence: Optional[float]
    top_intents: List[dict]
    taught_at: Optional[datetime]
    taught_intent: Optional[str]


def record_unanswered(
    text: str,
    reason: str,
    channel: Optional[str] = None,
    intent: Optional[str] = None,
    confidence: Optional[float] = None,
    top_intents: Optional[List[dict]] = None,
    message_ref: Optional[str] = None,
    url: Optional[str] = None,
) -> bool:
    """Store one unanswered question (``text`` must already be PII-masked).
    Returns False when the same message (``message_ref``) was stored before."""
    if reason not in UNANSWERED_REASONS:
        raise ValueError(f"reason must be one of {UNANSWERED_REASONS}")
    row = UnansweredQuestion(
        created_at=utcnow(),
        channel=(channel or None) and channel[:64],
        text=text,
        reason=reason,
        intent=intent,
        confidence=confidence,
        top_intents=list(top_intents or []),
        message_ref=message_ref,
    )
    try:
        with session_scope(url) as s:
            s.add(row)
    except IntegrityError:
        if message_ref is None:
            raise
        return False
    return True


def record_rating(
    intent: str,
    rating: str,
    channel: Optional[str] = None,
    action: Optional[str] = None,
    message_ref: Optional[str] = None,
    url: Optional[str] = None,
) -> bool:
    """Store a 👍 (``good``) / 👎 (``bad``) for the answer to ``intent``.
    Returns False when the same message was stored before."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}")
    try:
        with session_scope(url) as s:
            s.add(
                AnswerRating(
                    created_at=utcnow(),
                    channel=(channel or None) and channel[:64],
                    intent=intent,
                    action=action,
                    rating=rating,
                    message_ref=message_ref,
                )
            )
    except IntegrityError:
        if message_ref is None:
            raise
        return False
    return True


def unanswered_questions(
    include_taught: bool = False,
    since: Optional[datetime] = None,
    url: Optional[str] = None,
) -> List[UnansweredRow]:
    """Recorded questions, newest first (open ones only unless ``include_taught``)."""
    stmt = select(UnansweredQuestion).order_by(
        UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc()
    )
    if not include_taught:
        stmt = stmt.where(UnansweredQuestion.taught_at.is_(None))
    if since is not None:
        stmt = stmt.where(UnansweredQuestion.created_at >= since)
    with session_scope(url) as s:
        return [
            UnansweredRow(
                r.id,
                r.created_at,
                r.channel,
                r.text,
                r.reason,
                r.intent,
                r.confidence,
                list(r.top_intents or []),
                r.taught_at,
                r.taught_intent,
            )
            for r in s.execute(stmt).scalars()
        ]


def mark_taught(ids: Iterable[int], intent: str, url: Optional[str] = None) -> int:
    """Mark questions as taught to ``intent``; returns how many changed."""
    ids = list(ids)
    if not ids:
        return 0
    with session_scope(url) as s:
        result = s.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.id.in_(ids))
            .where(UnansweredQuestion.taught_at.is_(None))
            .values(taught_at=utcnow(), taught_intent=intent)
        )
        return result.rowcount or 0


def rating_counts(
    since: Optional[datetime] = None, url: Optional[str] = None
) -> Dict[str, Dict[str, int]]:
    """intent -> {"good": n, "bad": n}."""
    stmt = select(AnswerRating.intent, AnswerRating.rating, func.count()).group_by(
        AnswerRating.intent, AnswerRating.rating
    )
    if since is not None:
        stmt = stmt.where(AnswerRating.created_at >= since)
    out: Dict[str, Dict[str, int]] = {}
    with session_scope(url) as s:
        for intent, rating, n in s.execute(stmt).all():
            out.setdefault(intent, {"good": 0, "bad": 0})[rating] = n
    return out
