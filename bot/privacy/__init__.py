"""Masking of personal data in citizens' messages.

`mask_pii` runs on every incoming message (through
`bot.channels.hygiene.clean_incoming`) before Rasa, the tracker store or any
log sees the text.

What is masked, and what is deliberately kept:

* **Thai national ID numbers** -> ``[เลขบัตรประชาชน]``, in Arabic or Thai
  digits (``๑-๑๐๑๗-...``), in three cases:

  - grouped exactly as on the card, 1-4-5-2-1 digits with a dash, space or dot
    between every group (``1-1017-00230-71-6``, ``1 1017 00230 71 6``,
    ``3.1005.01234.56.3``), *whatever the checksum*: a mistyped ID still
    identifies a person;
  - within ~20 characters after a word that announces an ID ("บัตรประชาชน",
    "เลขบัตร", "เลขประจำตัวประชาชน", "บัตร ปชช", "ID card", ...; see
    ``_ID_CONTEXT``): any 13 digits, plain or with single separators anywhere,
    *whatever the checksum*;
  - anywhere else: 13 digits (plain, or card groups with some separators left
    out) only when the last digit is the valid checksum.

  A plain 13-digit number with a wrong checksum and no ID word before it
  (``เลขพัสดุ 1101700230719``) is kept: such numbers are far more often
  parcel-tracking or reference numbers than IDs.
* **Passport numbers** -> ``[เลขหนังสือเดินทาง]``, when announced as such
  ("พาสปอร์ต", "หนังสือเดินทาง", "passport", ... within ~20 characters before):
  up to 3 letters and 6-9 digits (``AA1234567``, ``AB 123456``).
* **Bank account numbers** -> ``[เลขบัญชี]``, when announced as such
  ("เลขบัญชี", "บัญชีธนาคาร", "ธนาคาร", "บช.", "bank account", ... within ~20
  characters before): 10-15 digits, plain or with dashes, spaces or dots
  (``123-4-56789-0``, ``123-456789-0``).
* **Personal phone numbers** -> ``[เบอร์โทร]``: Thai mobile numbers (10 digits
  starting 06, 08 or 09, with or without dashes/spaces) and every number in
  international form (``+66 ...``, ``0066 ...``, also ``66 8x...`` mobiles).
* **E-mail addresses** -> ``[อีเมล]``.

Kept on purpose: 4-digit hotlines (1111, 1567, ...) and Thai landline numbers
in domestic form (``02-612-6060``, ``053-xxx-xxx``). Landlines in this service
are overwhelmingly published office numbers that citizens quote when asking
about an agency; masking them would break those questions. This is the rule to
change if a deployment receives private landline numbers.

Masking is idempotent: no token contains a digit or ``@``, and `mask_pii`
repeats until nothing changes.
"""

from __future__ import annotations

import re

ID_TOKEN = "[เลขบัตรประชาชน]"
PHONE_TOKEN = "[เบอร์โทร]"
EMAIL_TOKEN = "[อีเมล]"
PASSPORT_TOKEN = "[เลขหนังสือเดินทาง]"
BANK_TOKEN = "[เลขบัญชี]"
TOKENS = (ID_TOKEN, PHONE_TOKEN, EMAIL_TOKEN, PASSPORT_TOKEN, BANK_TOKEN)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_D = "[0-9๐-๙]"  # one digit, Arabic or Thai
_SEP = r"[ \-\u2010-\u2015\u00a0]"  # one optional separator between digits
_ID_SEP = r"[ .\-\u2010-\u2015\u00a0]"  # IDs and accounts: dots too
_CONTEXT_GAP = 20  # characters allowed between a context word and the number

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
# A number must not continue a longer one (digits, or a digit + separator).
_NO_DIGIT_BEFORE = rf"(?<!{_D})(?<!{_D}[.\-])"
_NO_DIGIT_AFTER = rf"(?!{_D})(?![.\-]{_D})"
# 13 digits grouped exactly as printed on the card, every separator present:
# 1-2345-67890-12-3 (dash, space or dot). Masked whatever the checksum.
_CARD_ID_RE = re.compile(
    rf"{_NO_DIGIT_BEFORE}{_D}{_ID_SEP}{_D}{{4}}{_ID_SEP}{_D}{{5}}"
    rf"{_ID_SEP}{_D}{{2}}{_ID_SEP}{_D}{_NO_DIGIT_AFTER}"
)
# 13 digits, plain or in card groups with separators left out. Masked only
# with a valid checksum (without it: tracking numbers).
_ID_RE = re.compile(
    rf"(?<!{_D}){_D}{_ID_SEP}?{_D}{{4}}{_ID_SEP}?{_D}{{5}}{_ID_SEP}?{_D}{{2}}"
    rf"{_ID_SEP}?{_D}(?!{_D})"
)


def _context_re(words: str, number: str) -> re.Pattern:
    """A context word (or the token already put there), a short gap without
    digits, then the number (group ``num``)."""
    return re.compile(
        rf"(?:{words})[^0-9๐-๙]{{0,{_CONTEXT_GAP}}}?(?P<num>{number})",
        re.IGNORECASE,
    )


# Words that announce a national ID. The ID token itself contains
# "เลขบัตร", so a second ID in a list ("เลขบัตร X และ Y") is masked too.
_ID_CONTEXT = (
    r"บัตร\s*ประจำตัว\s*ประชาชน|บัตร\s*ประชาชน|เลข\s*ประจำตัว\s*ประชาชน"
    r"|เลข\s*ประจำตัว|เลข\s*บัตร|บัตร\s*ปชช|ปชช\.?|บัตร"
    r"|national\s*id|citizen\s*id|id\s*card|id\s*no\.?|id\s*number|thai\s*id"
)
_ID_ANY = rf"{_NO_DIGIT_BEFORE}{_D}(?:{_ID_SEP}?{_D}){{12}}{_NO_DIGIT_AFTER}"
_CONTEXT_ID_RE = _context_re(_ID_CONTEXT, _ID_ANY)

_PASSPORT_CONTEXT = (
    r"หนังสือ\s*เดินทาง|พาสปอร์ต|พาสปอร์ท|พาสปอต|พาสปอท|passport|pass\s*no\.?"
)
_PASSPORT_NUMBER = (
    rf"(?<![A-Za-z0-9๐-๙])(?:[A-Za-z]{{1,3}}[ \-]?)?{_D}{{6,9}}(?![A-Za-z0-9๐-๙])"
)
_PASSPORT_RE = _context_re(_PASSPORT_CONTEXT, _PASSPORT_NUMBER)

_BANK_CONTEXT = r"บัญชี|ธนาคาร|บ\s*/\s*ช|บช\.|bank|account|acct\.?|a/c"
_BANK_NUMBER = rf"{_NO_DIGIT_BEFORE}{_D}(?:{_ID_SEP}?{_D}){{9,14}}{_NO_DIGIT_AFTER}"
_BANK_RE = _context_re(_BANK_CONTEXT, _BANK_NUMBER)

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


def _sub_in_context(pattern: re.Pattern, token: str, text: str) -> str:
    """Replace group ``num`` of every match with `token`, keeping the context."""

    def repl(match: re.Match) -> str:
        start = match.start("num") - match.start()
        return match.group(0)[:start] + token

    return pattern.sub(repl, text)


def _mask_once(text: str) -> str:
    text = _EMAIL_RE.sub(EMAIL_TOKEN, text)
    text = _sub_in_context(_CONTEXT_ID_RE, ID_TOKEN, text)
    text = _CARD_ID_RE.sub(ID_TOKEN, text)
    text = _ID_RE.sub(_mask_id, text)
    text = _sub_in_context(_PASSPORT_RE, PASSPORT_TOKEN, text)
    text = _sub_in_context(_BANK_RE, BANK_TOKEN, text)
    text = _INTL_RE.sub(PHONE_TOKEN, text)
    text = _BARE66_MOBILE_RE.sub(PHONE_TOKEN, text)
    return _MOBILE_RE.sub(PHONE_TOKEN, text)


def mask_pii(text: str) -> str:
    """Replace national IDs, passport and bank account numbers, personal phone
    numbers and e-mails with tokens.

    Repeats until nothing changes: a match can hide the next one (two e-mails
    written back to back, a second ID after the first one's token). Every
    change removes a digit or an ``@`` and no token holds one, so this ends."""
    if not text:
        return text
    while True:
        masked = _mask_once(text)
        if masked == text:
            return text
        text = masked


def mask_number(value: int | float, key: str = "") -> int | float | str:
    """A JSON number from a client's metadata, or its mask token as a string.

    A number holds personal data when its digits would be masked as text: a
    valid 13-digit ID, a mobile number whose leading 0 a JSON number cannot
    keep (``812345678``), or digits after a key that announces them
    (``{"passport": 12345678}``, ``{"เลขบัญชี": 1234567890}``). Other numbers
    (counts, timestamps, screen sizes) are kept as they are.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and not value.is_integer():
        return value
    digits = str(abs(int(value)))
    if len(digits) < 6:
        return value
    key = re.sub(r"[_\-]+", " ", key)  # national_id -> national id
    for text in (digits, "0" + digits, f"{key} {digits}".strip()):
        masked = mask_pii(text)
        if masked != text:
            for token in TOKENS:
                if token in masked:
                    return token
    return value


def mask_keyed_text(text: str, key: str = "") -> str:
    """`mask_pii` of a metadata string, with its key read as context:
    ``{"passport": "AA1234567"}`` is masked like "พาสปอร์ต AA1234567"."""
    key = re.sub(r"[_\-]+", " ", key or "").strip()
    if not key:
        return mask_pii(text)
    masked = mask_pii(f"{key}\x1f{text}")
    head, sep, tail = masked.partition("\x1f")
    return tail if sep else mask_pii(text)
