"""The one input guard every public channel runs before Rasa sees a message.

`clean_incoming` turns whatever a citizen (or an attacker) sent into either a
clean text for Rasa, or a polite Thai reply to send back instead:

1. Unicode NFC; line breaks and tabs become spaces; other control characters,
   zero-width spaces/joiners, BOM, bidi marks and lone surrogates are removed;
   runs of whitespace collapse to one space. Thai letters are left alone.
2. Leading ``/`` are stripped: ``/greet``, ``/restart``,
   ``/award_check{"body":"x"}`` reach NLU as plain text and can never trigger
   an intent, slot or ``/restart`` directly (bot buttons carry Thai text, so no
   legitimate message starts with ``/``).
3. Nothing left, or nothing readable (only emoji/punctuation) -> rejected with
   a polite reply.
4. Personal data is masked (`bot.privacy.mask_pii`) so trackers and logs
   never store it.
5. Longer than ``MAX_MESSAGE_CHARS`` (env, default 1000 characters) ->
   truncated, with a notice for the citizen.

Two more guards for what a client sends besides the text, because Rasa stores
both in the tracker: `sender_id_problem` refuses malformed conversation ids
(empty, too long, invisible characters), `conversation_id` replaces an id that
carries personal data (a phone number or e-mail used as the id would be stored
in clear) with a keyed hash of it, and `clean_metadata` keeps a small, masked
copy of the client's metadata.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.privacy import TOKENS, mask_keyed_text, mask_number, mask_pii
from bot.question import question_clause
from bot.replies import phrases
from bot.settings import max_message_chars

MAX_SENDER_CHARS = 256
MAX_METADATA_DEPTH = 4
MAX_METADATA_ITEMS = 50
MAX_METADATA_STRING = 1000
PSEUDONYM_PREFIX = "anon-"
SENDER_ID_KEY_ENV = "SENDER_ID_KEY"

logger = logging.getLogger(__name__)
_warned_no_key = False

REPLY_EMPTY = phrases.EMPTY_MESSAGE
REPLY_NOT_TEXT = phrases.NOT_TEXT
NOTICE_TOO_LONG = phrases.TOO_LONG

# Characters that end a line; they become a space, not nothing.
_LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_WHITESPACE_RE = re.compile(r"\s+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SLASHES = "/\uff0f\u2215\u2044"  # ASCII, full-width, division and fraction slash


@dataclass(frozen=True)
class CleanResult:
    """Outcome of `clean_incoming`.

    Exactly one of `text` and `rejected_reason` is set. `rejected_reason` is
    the polite Thai reply to send back instead of calling Rasa; `notice` is an
    extra message to show before the bot's answer (e.g. "truncated").
    """

    text: str | None
    notice: str | None = None
    rejected_reason: str | None = None
    # a long message's whole (masked) text when ``text`` is only its question
    full_text: str | None = None

    def metadata(self, metadata: dict | None) -> dict | None:
        """The message's metadata, with the whole text of a focused message
        (so the tracker store keeps everything the citizen wrote)."""
        if self.full_text is None:
            return metadata
        return {**(metadata or {}), "full_text": self.full_text}

    @property
    def rejected(self) -> bool:
        """True if the message must not be passed to Rasa."""
        return self.rejected_reason is not None


def max_chars() -> int:
    """Current length cap (``MAX_MESSAGE_CHARS``, see bot/settings.py)."""
    return max_message_chars()


def _strip_invisible(text: str) -> str:
    """Line breaks -> space; drop control, format (zero-width, bidi) and surrogates."""
    out = []
    for ch in text:
        if ch in _LINE_BREAKS:
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs"):
            continue
        out.append(ch)
    return "".join(out)


def normalise(text: str) -> str:
    """NFC, invisible characters removed, whitespace collapsed and trimmed;
    Thai digits as Arabic digits, and sara am typed as nikhahit + sara aa
    (ํา) as the one character (ำ), as every Thai keyboard user means them."""
    text = unicodedata.normalize("NFC", text)
    text = _strip_invisible(text)
    text = text.replace("\u0e4d\u0e32", "\u0e33").translate(_THAI_DIGITS)
    return _WHITESPACE_RE.sub(" ", text).strip()


def _strip_leading_slashes(text: str) -> str:
    """Remove every leading slash (and spaces between them)."""
    while text and text[0] in _SLASHES:
        text = text.lstrip(_SLASHES).lstrip()
    return text


def _has_readable_char(text: str) -> bool:
    """True if the text has at least one letter or digit (Thai or other)."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def _truncate(text: str, limit: int) -> str:
    """Cut to `limit` characters without leaving half a mask token."""
    cut = text[:limit]
    bracket = cut.rfind("[")
    if bracket != -1:
        tail = cut[bracket:]
        if any(tok.startswith(tail) and tok != tail for tok in TOKENS):
            cut = cut[:bracket]
    return cut.rstrip()


def clean_incoming(text: str | None, limit: int | None = None) -> CleanResult:
    """Sanitise one incoming message; see the module docstring for the rules."""
    if not isinstance(text, str):
        return CleanResult(None, rejected_reason=REPLY_EMPTY)
    limit = limit if limit and limit > 0 else max_chars()

    cleaned = _strip_leading_slashes(normalise(text))
    if not cleaned:
        return CleanResult(None, rejected_reason=REPLY_EMPTY)
    if not _has_readable_char(cleaned):
        return CleanResult(None, rejected_reason=REPLY_NOT_TEXT)

    cleaned = mask_pii(cleaned)

    notice = None
    if len(cleaned) > limit:
        cleaned = _truncate(cleaned, limit)
        notice = NOTICE_TOO_LONG.format(limit=limit)
        if not _has_readable_char(cleaned):
            return CleanResult(None, rejected_reason=REPLY_NOT_TEXT)
    # a long message is read for its question; line breaks still mark where
    # a sentence ends, so the question is found in the text as written
    focus = question_clause(unicodedata.normalize("NFC", text)[: limit * 2])
    if focus is not None:
        focus = mask_pii(normalise(_strip_leading_slashes(focus)))
        if focus and focus != cleaned and _has_readable_char(focus):
            return CleanResult(focus, notice=notice, full_text=cleaned)
    return CleanResult(cleaned, notice=notice)


def sender_id_problem(sender: Any) -> str | None:
    """Why `sender` cannot be a conversation id, or None if it can.

    Refused: non-strings, empty or longer than 256 characters, control or
    invisible characters and surrogates. An id that carries personal data is
    not refused: `conversation_id` pseudonymises it.
    """
    if not isinstance(sender, str):
        return '"sender" must be a string'
    if not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return f'"sender" must be 1-{MAX_SENDER_CHARS} characters'
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in sender):
        return '"sender" must not contain control or invisible characters'
    return None


def carries_personal_data(sender: str) -> bool:
    """True when `sender` holds a national ID, phone number or e-mail."""
    return mask_pii(sender) != sender


def pseudonym(sender: str) -> str:
    """A stable id for `sender` that does not reveal it: HMAC-SHA256 keyed by
    ``SENDER_ID_KEY`` (plain SHA-256 when the key is unset, with a warning:
    a phone number's hash can then be found by trying every number)."""
    global _warned_no_key
    key = os.environ.get(SENDER_ID_KEY_ENV, "")
    if not key and not _warned_no_key:
        _warned_no_key = True
        logger.warning(
            "%s is not set: conversation ids that contain personal data are "
            "hashed without a key. Set %s to a long random secret (the same on "
            "every Rasa instance) so the hashes cannot be reversed.",
            SENDER_ID_KEY_ENV,
            SENDER_ID_KEY_ENV,
        )
    digest = hmac.new(key.encode(), sender.encode(), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]


# LINE's user, group and room ids: the LINE channel stores conversations
# under them, so a REST or web-chat client must never be able to use one.
LINE_SOURCE_ID = re.compile(r"^[UCR][0-9a-f]{32}$")


def conversation_id(sender: str) -> str:
    """The id to store a REST or web-chat conversation under: `sender` itself,
    or its `pseudonym` when it carries personal data or is shaped like a LINE
    id (else a client that knows a citizen's LINE user id could read on, or
    erase, that citizen's LINE conversation). Stable for the same sender, so
    the conversation continues across turns, restarts and instances."""
    if carries_personal_data(sender) or LINE_SOURCE_ID.match(sender):
        return pseudonym(sender)
    return sender


def _clean_metadata_value(value: Any, depth: int, key: str = "") -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        # a phone number or ID sent as a JSON number is masked like text
        return mask_number(value, key) if abs(value) < 2**53 else None
    if isinstance(value, str):
        return mask_keyed_text(normalise(value)[:MAX_METADATA_STRING], key)
    if depth >= MAX_METADATA_DEPTH:
        return None
    if isinstance(value, list):
        return [
            _clean_metadata_value(item, depth + 1, key)
            for item in value[:MAX_METADATA_ITEMS]
        ]
    if isinstance(value, dict):
        out = {}
        for key, item in list(value.items())[:MAX_METADATA_ITEMS]:
            clean_key = mask_pii(normalise(str(key))[:64])
            if clean_key:
                out[clean_key] = _clean_metadata_value(item, depth + 1, clean_key)
        return out
    return None


def clean_metadata(metadata: Any) -> dict | None:
    """A bounded copy of a client's metadata, safe to store in the tracker.

    Only a JSON object is kept (else None); strings are normalised, cut to
    1,000 characters and PII-masked; nesting is cut at 4 levels and 50 items
    per list/object; numbers outside the JSON-safe range become null.
    """
    if not isinstance(metadata, dict):
        return None
    return _clean_metadata_value(metadata, 0)
