"""Masking of personal data in citizens' messages.

`mask_pii` runs on every incoming message (through
`bot.channels.hygiene.clean_incoming`) before Rasa, the tracker store or any
log sees the text.

What is masked, and what is deliberately kept:

* **Thai national ID numbers** -> ``[เลขบัตรประชาชน]``: 13 digits whose last
  digit is the valid checksum, written plain (``1101700230716``) or grouped as
  on the card with dashes or spaces (``1-1017-00230-71-6``,
  ``1 1017 00230 71 6``), in Arabic or Thai digits (``๑-๑๐๑๗-...``).
  A 13-digit number with a wrong checksum (e.g. ``1-1017-00230-71-9``) is
  kept: it is far more often a reference/tracking number than an ID.
* **Personal phone numbers** -> ``[เบอร์โทร]``: Thai mobile numbers (10 digits
  starting 06, 08 or 09, with or without dashes/spaces) and every number in
  international form (``+66 ...``, ``0066 ...``, also ``66 8x...`` mobiles).
* **E-mail addresses** -> ``[อีเมล]``.

Kept on purpose: 4-digit hotlines (1111, 1567, ...) and Thai landline numbers
in domestic form (``02-612-6060``, ``053-xxx-xxx``). Landlines in this service
are overwhelmingly published office numbers that citizens quote when asking
about an agency; masking them would break those questions. This is the rule to
change if a deployment receives private landline numbers.
"""

from __future__ import annotations

import re

ID_TOKEN = "[เลขบัตรประชาชน]"
PHONE_TOKEN = "[เบอร์โทร]"
EMAIL_TOKEN = "[อีเมล]"
TOKENS = (ID_TOKEN, PHONE_TOKEN, EMAIL_TOKEN)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_D = "[0-9๐-๙]"  # one digit, Arabic or Thai
_SEP = r"[ \-\u2010-\u2015\u00a0]"  # one optional separator between digits

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
# 13 digits, plain or grouped as printed on the card: 1-2345-67890-12-3
# (each group separator optional, dash or space).
_ID_RE = re.compile(
    rf"(?<!{_D}){_D}{_SEP}?{_D}{{4}}{_SEP}?{_D}{{5}}{_SEP}?{_D}{{2}}{_SEP}?{_D}(?!{_D})"
)
# Mobile: 0 + [689] + 8 digits.
_MOBILE_RE = re.compile(
    rf"(?<![0-9๐-๙+])[0๐]{_SEP}?[689๖๘๙](?:{_SEP}?{_D}){{8}}(?!{_D})"
)
# International: +66 / 0066 followed by 8-9 digits (leading 0 tolerated);
# bare 66 only for mobiles (66 8x xxx xxxx) to avoid eating other numbers.
_INTL_RE = re.compile(
    rf"(?<![0-9๐-๙])(?:\+|00){_SEP}?\(?66\)?"
    rf"(?:{_SEP}?\(?[0๐]\)?)?(?:{_SEP}?{_D}){{8,9}}(?!{_D})"
)
_BARE66_MOBILE_RE = re.compile(
    rf"(?<![0-9๐-๙+])66{_SEP}?[689๖๘๙](?:{_SEP}?{_D}){{8}}(?!{_D})"
)


def _digits(text: str) -> str:
    """Return only the digits of `text`, Thai digits converted to Arabic."""
    converted = text.translate(_THAI_DIGITS)
    return "".join(ch for ch in converted if ch.isascii() and ch.isdigit())


def thai_id_checksum(first12: str) -> int:
    """Check digit for the first 12 digits of a Thai national ID number."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def is_valid_thai_id(text: str) -> bool:
    """True if `text` holds exactly 13 digits with a valid checksum."""
    digits = _digits(text)
    return len(digits) == 13 and thai_id_checksum(digits[:12]) == int(digits[12])


def _mask_id(match: re.Match) -> str:
    return ID_TOKEN if is_valid_thai_id(match.group(0)) else match.group(0)


def _mask_once(text: str) -> str:
    text = _EMAIL_RE.sub(EMAIL_TOKEN, text)
    text = _ID_RE.sub(_mask_id, text)
    text = _INTL_RE.sub(PHONE_TOKEN, text)
    text = _BARE66_MOBILE_RE.sub(PHONE_TOKEN, text)
    return _MOBILE_RE.sub(PHONE_TOKEN, text)


def mask_pii(text: str) -> str:
    """Replace national IDs, personal phone numbers and e-mails with tokens.

    Repeats until nothing changes: a match can hide the next one (two e-mails
    written back to back), which a second pass then finds."""
    if not text:
        return text
    for _ in range(5):
        masked = _mask_once(text)
        if masked == text:
            break
        text = masked
    return text
