"""What the privacy features keep in the service database (migration 0006).

* ``privacy_notices``: that the privacy notice of a given version was shown
  in a conversation. The conversation is a keyed hash (`conversation_hash`),
  never its id; the day is kept, not the time. This is where "already shown"
  is remembered: in the service database, which only the bot writes. A slot
  would not do (citizens must never be able to set what the bot remembers,
  bot/channels/hygiene.py) and the tracker's events are gone after an
  erasure or retention, when the notice should indeed come again.
* ``privacy_requests``: the audit of every export and deletion (staff's
  ``bot.admin conversation export/delete``, a citizen's erasure in the chat, a
  LINE unfollow): when, who, what, which conversation (its reference code)
  and how many events; never any content or raw id.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import date, datetime, timezone
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table

from bot.content.db import get_engine

metadata = MetaData()
privacy_notices = Table(
    "privacy_notices",
    metadata,
    Column("conversation_hash", String(64), primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("shown_on", Date, nullable=False),
)
privacy_requests = Table(
    "privacy_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reference", String(16), nullable=False, index=True),
    Column("events", Integer, nullable=False),
)
ACTIONS = ("export", "delete", "chat_erase", "line_unfollow")


def conversation_hash(conversation_id: str) -> str:
    """Keyed hash (``SENDER_ID_KEY``) of a conversation id, as stored."""
    key = os.environ.get("SENDER_ID_KEY", "").encode()
    raw = b"privacy-notice\x1f" + conversation_id.encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()


def claim_notice(conversation_id: str, version: str, url: Optional[str] = None) -> bool:
    """Records that the notice `version` is shown in the conversation; True
    if it was not shown before (exactly one caller wins, also across Rasa
    instances: the primary key decides)."""
    row = {
        "conversation_hash": conversation_hash(conversation_id),
        "version": version,
        "shown_on": datetime.now(timezone.utc).date(),
    }
    try:
        with get_engine(url).begin() as connection:
            connection.execute(privacy_notices.insert(), row)
    except sa.exc.IntegrityError:
        return False
    return True


def forget_notices(connection: sa.engine.Connection, conversation_id: str) -> int:
    """Deletes the conversation's notice records; returns how many."""
    return connection.execute(
        privacy_notices.delete().where(
            privacy_notices.c.conversation_hash == conversation_hash(conversation_id)
        )
    ).rowcount


def record_request(
    actor: str,
    action: str,
    reference: str,
    events: int,
    url: Optional[str] = None,
) -> None:
    """One line of the audit: who did what to which conversation, and when."""
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}")
    with get_engine(url).begin() as connection:
        connection.execute(
            privacy_requests.insert(),
            {
                "at": datetime.now(timezone.utc).replace(tzinfo=None),
                "actor": (actor or "unknown")[:64],
                "action": action,
                "reference": reference[:16],
                "events": int(events),
            },
        )


def requests_log(url: Optional[str] = None, limit: int = 100) -> List[dict]:
    """The latest audit lines, newest first."""
    with get_engine(url).connect() as connection:
        rows = connection.execute(
            sa.select(privacy_requests)
            .order_by(privacy_requests.c.id.desc())
            .limit(limit)
        ).mappings()
        return [dict(row) for row in rows]


def forget_old_notices(cutoff: date, url: Optional[str] = None) -> int:
    """Deletes notice records shown before `cutoff` (retention: the record is
    kept no longer than the conversations; a citizen still chatting then
    simply gets the notice once more). Returns how many."""
    with get_engine(url).begin() as connection:
        if not sa.inspect(connection).has_table("privacy_notices"):
            return 0
        return connection.execute(
            privacy_notices.delete().where(privacy_notices.c.shown_on < cutoff)
        ).rowcount
