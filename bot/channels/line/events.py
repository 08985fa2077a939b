"""Webhook request checks and event fields: signature, body, sender."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Dict

MAX_BODY_BYTES = 1024 * 1024
MAX_POSTBACK_DATA = 300  # LINE's limit for postback data
# Reply tokens of the console's "Verify" request (old and new style).
DUMMY_REPLY_TOKENS = frozenset({"0" * 32, "f" * 32})
NON_TEXT_MESSAGE_TYPES = frozenset(
    {"sticker", "image", "video", "audio", "location", "file"}
)


def verify_signature(channel_secret: str, body: bytes, signature: str | None) -> bool:
    """``X-Line-Signature`` == base64(HMAC-SHA256(raw body, channel secret))."""
    if not signature or not channel_secret:
        return False
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256)
    expected = base64.b64encode(digest.digest())
    try:
        given = signature.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


def sender_id(source: Dict[str, Any]) -> str | None:
    """Conversation id: the LINE user id (group/room id if the user is unknown)."""
    for key in ("userId", "groupId", "roomId"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def push_target(source: Dict[str, Any]) -> str | None:
    """Where a push goes: the group or room it came from, else the user."""
    kind = source.get("type")
    key = {"group": "groupId", "room": "roomId"}.get(str(kind), "userId")
    value = source.get(key) or source.get("userId")
    return value if isinstance(value, str) and value else None


def event_source(event: Dict[str, Any]) -> Dict[str, Any]:
    """The event's ``source`` object ({} when absent or malformed)."""
    source = event.get("source")
    return source if isinstance(source, dict) else {}


def postback_text(event: Dict[str, Any]) -> str | None:
    """The Thai text a postback button carries (``postback.data``), or None.

    Only the text is used, never ``params``; it then goes through the hygiene
    module like typed text, so a postback can never name an intent or set a
    slot.
    """
    postback = event.get("postback")
    data = postback.get("data") if isinstance(postback, dict) else None
    if not isinstance(data, str) or not data.strip() or len(data) > MAX_POSTBACK_DATA:
        return None
    return data


def loading_chat_id(source: Dict[str, Any]) -> str | None:
    """The chat the loading animation can be shown in: one-on-one chats only."""
    user = source.get("userId")
    if source.get("type") == "user" and isinstance(user, str) and user:
        return user
    return None
