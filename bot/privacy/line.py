"""LINE and privacy: the welcome carries the notice, an ``unfollow`` erases,
and the de-duplication keys of a user can be found (and deleted) again.

* `dedup_key`: the channel remembers each webhook event under
  ``<user ref>:<webhookEventId>`` (the user ref is a keyed hash, never the
  LINE user id), so the keys of one user can be deleted with the rest of
  their data: `forget_dedup_keys` (in this process's memory, or in Redis by
  ``SCAN <prefix><user ref>:*``).
* `welcome_text`: the follow event's welcome with the privacy notice; the
  notice then counts as shown (bot/privacy/records.py).
* `on_unfollow`: the user blocked the account: the same erasure as
  "ลบข้อมูลของฉัน" (bot/privacy/turn_hook.py), under the conversation's lock.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from typing import Any

from bot.privacy import turn_hook
from bot.privacy.reference import log_ref

logger = logging.getLogger(__name__)


def user_ref(user_id: str) -> str:
    """16 hex characters of a keyed hash (``SENDER_ID_KEY``) of the user id."""
    key = os.environ.get("SENDER_ID_KEY", "").encode()
    raw = b"line-dedup\x1f" + user_id.encode()
    return hmac.new(key, raw, hashlib.sha256).hexdigest()[:16]


def dedup_key(event: dict, event_id: str) -> str:
    """The key an event is remembered under: per user when it has one."""
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    user = source.get("userId")
    if isinstance(user, str) and user:
        return f"{user_ref(user)}:{event_id}"
    return event_id


async def forget_dedup_keys(deduplicator: Any, user_id: str) -> int:
    """Deletes the de-duplication keys of `user_id`; returns how many."""
    prefix = user_ref(user_id) + ":"
    count = 0
    seen = getattr(deduplicator, "_seen", None)
    fallback = getattr(getattr(deduplicator, "fallback", None), "_seen", None)
    for memory in (seen, fallback):
        if memory is None:
            continue
        for key in [k for k in memory if k.startswith(prefix)]:
            del memory[key]
            count += memory is seen
    redis = getattr(deduplicator, "redis", None)
    if redis is not None:
        pattern = getattr(deduplicator, "key_prefix", "") + prefix + "*"
        keys = [key async for key in redis.scan_iter(match=pattern, count=500)]
        if keys:
            count += await redis.delete(*keys)
    return count


def register(deduplicator: Any) -> None:
    """Makes erasures of LINE conversations delete this channel's keys."""

    async def forget(user_id: str) -> int:
        return await forget_dedup_keys(deduplicator, user_id)

    turn_hook.register_forgetter("line", forget)


async def welcome_text(user_id: str, welcome: str, on_new_message: Any) -> str:
    """The follow welcome, with the privacy notice when it is due (only when a
    Rasa agent runs the channel: channel tests with a bare handler get none)."""
    agent = turn_hook.find_agent(on_new_message)
    if getattr(agent, "tracker_store", None) is None:
        return welcome
    if await turn_hook.claim(user_id):
        return welcome + "\n\n" + turn_hook.notice_text(user_id)
    return welcome


async def on_unfollow(user_id: str, on_new_message: Any) -> None:
    """The user blocked the account: erase their conversation."""
    agent = turn_hook.find_agent(on_new_message)
    if getattr(agent, "tracker_store", None) is None:
        return
    try:
        await turn_hook.erase_now(agent, user_id, "line", "line", "line_unfollow")
    except Exception:
        logger.exception(
            "privacy: erasing %s after a LINE unfollow failed; erase it with "
            "`python -m bot.admin conversation delete %s`.",
            log_ref(user_id),
            log_ref(user_id)[5:],
        )
