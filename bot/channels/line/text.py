"""LINE's text lengths: UTF-16 units, cutting without splitting a Thai cluster."""

from __future__ import annotations

import unicodedata
from typing import List

MAX_TEXT_LENGTH = 5000


def utf16_len(text: str) -> int:
    """Length as LINE counts it (UTF-16 code units; emoji outside BMP = 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _fitting_prefix(text: str, limit: int) -> int:
    """Number of characters of `text` whose UTF-16 length is <= `limit`."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _back_off_combining(text: str, cut: int) -> int:
    """Move `cut` left so a Thai vowel/tone mark stays with its letter."""
    while 1 < cut < len(text) and unicodedata.category(text[cut]).startswith("M"):
        cut -= 1
    return cut


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 units, ending with "…" if it was cut."""
    if utf16_len(text) <= limit:
        return text
    cut = _back_off_combining(text, _fitting_prefix(text, max(limit - 1, 0)))
    return text[:cut].rstrip() + "…"


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> List[str]:
    """Split `text` into parts of at most `limit` UTF-16 units.

    Prefers paragraph, line and word breaks in the second half of a part;
    otherwise cuts hard (Thai has no spaces between words), never between a
    letter and its vowel or tone mark.
    """
    rest = text.strip()
    parts: List[str] = []
    while utf16_len(rest) > limit:
        cut = _fitting_prefix(rest, limit)
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            index = window.rfind(separator)
            if index > cut // 2:
                cut = index
                break
        else:
            cut = _back_off_combining(rest, cut)
        cut = max(cut, 1)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts
