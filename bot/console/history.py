"""The change history: every change made in the console (who, when, what,
before and after), and reverts, which are changes too."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional

from sqlalchemy import func, insert, select, update

from bot.console.accounts import now
from bot.console.models import staff_changes
from bot.content.db import get_engine

# the change being reverted: every change recorded meanwhile is its revert
_reverting: ContextVar[Optional[int]] = ContextVar("reverting", default=None)


@contextmanager
def reverting(change_id: int) -> Iterator[None]:
    token = _reverting.set(change_id)
    try:
        yield
    finally:
        _reverting.reset(token)


@dataclass(frozen=True)
class Change:
    id: int
    at: dt.datetime
    user_name: str
    kind: str
    target: str
    summary: str
    before: Any
    after: Any
    reverts_id: Optional[int]
    reverted_by_id: Optional[int]


def record(
    url: Optional[str],
    user_name: str,
    kind: str,
    target: str,
    summary: str,
    before: Any,
    after: Any,
    reverts_id: Optional[int] = None,
) -> int:
    """Store one change; returns its id. A revert marks the change it undid."""
    if reverts_id is None:
        reverts_id = _reverting.get()
    with get_engine(url).begin() as conn:
        result = conn.execute(
            insert(staff_changes).values(
                at=now(),
                user_name=user_name,
                kind=kind,
                target=target,
                summary=summary,
                before=before,
                after=after,
                reverts_id=reverts_id,
            )
        )
        new_id = int(result.inserted_primary_key[0])
        if reverts_id is not None:
            conn.execute(
                update(staff_changes)
                .where(staff_changes.c.id == reverts_id)
                .values(reverted_by_id=new_id)
            )
    return new_id


def _change(row) -> Change:
    return Change(**{k: getattr(row, k) for k in Change.__dataclass_fields__})


def get(url: Optional[str], change_id: int) -> Optional[Change]:
    with get_engine(url).connect() as conn:
        row = conn.execute(
            select(staff_changes).where(staff_changes.c.id == change_id)
        ).first()
    return _change(row) if row else None


def recent(
    url: Optional[str], limit: int = 100, offset: int = 0, target: str = ""
) -> List[Change]:
    query = select(staff_changes).order_by(staff_changes.c.id.desc())
    if target:
        query = query.where(staff_changes.c.target == target)
    with get_engine(url).connect() as conn:
        rows = conn.execute(query.limit(limit).offset(offset)).all()
    return [_change(r) for r in rows]


def count(url: Optional[str]) -> int:
    with get_engine(url).connect() as conn:
        return int(conn.execute(select(func.count(staff_changes.c.id))).scalar_one())
