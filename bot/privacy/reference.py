"""The conversation's reference code ("รหัสอ้างอิง") and the id logs may hold.

`reference_code` turns a conversation id (a LINE user id, a REST sender, a
web-chat session, or its pseudonym) into a short code such as ``K7QM-2XRT``:
an HMAC-SHA256 of the id keyed by ``SENDER_ID_KEY`` (the secret that already
keys the pseudonyms in bot/channels/hygiene.py), written in Crockford base32
(no I, L, O, U: nothing to misread on a phone or a letter). It is shown to the
citizen in the privacy notice, quoted in a written request, and found again by
staff (`bot.admin conversation export <code>`), which computes the code of
every stored conversation and picks the one that matches. The code does not
reveal the id: without the key it cannot even be checked against a guess.

Logs carry the same code (`log_ref`) instead of the raw id, so a log line can
be matched to a conversation by staff but never names a citizen.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_CODE_RE = re.compile(r"^[0-9A-Z]{4}-?[0-9A-Z]{4}$")
# Keyed with SENDER_ID_KEY; this label keeps the code apart from the pseudonym
_LABEL = b"reference-code\x1f"


def _key() -> bytes:
    # read here like bot.channels.hygiene.pseudonym; documented in bot/settings.py
    return os.environ.get("SENDER_ID_KEY", "").encode()


def reference_code(conversation_id: str) -> str:
    """``XXXX-XXXX``: 40 bits of the keyed hash of `conversation_id`."""
    digest = hmac.new(_key(), _LABEL + conversation_id.encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest()[:5], "big")
    chars = [_ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5)]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def normalise_code(text: str) -> str | None:
    """A code as a citizen or officer may write it (lower case, no dash, O for
    0, I/L for 1) in its canonical form, or None if `text` is not one."""
    raw = re.sub(r"[\s\-]", "", text or "").upper()
    raw = raw.translate(str.maketrans("OIL", "011"))
    if not _CODE_RE.match(raw) or any(ch not in _ALPHABET for ch in raw):
        return None
    return raw[:4] + "-" + raw[4:]


def log_ref(conversation_id: str | None) -> str:
    """What a log line says instead of the conversation id."""
    if not conversation_id:
        return "conv:-"
    return "conv:" + reference_code(conversation_id)
