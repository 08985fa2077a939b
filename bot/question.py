"""What kind of question the citizen asked, read from the words themselves.

The replies lead with the answer: a yes/no question gets yes or no in its first
line, a "what / which / how many" question gets the answer itself. This module
tells which it is, whether the question was written in English, and which
award year it asks about. Plain functions on the (masked) message text.
"""

from __future__ import annotations

import re
from typing import Optional

YES_NO, WHAT, STATEMENT = "yes_no", "what", "statement"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_YES_NO = re.compile(
    r"(ไหม|มั้ย|มั๊ย|มั๋ย|ไม๊|หรือเปล่า|รึเปล่า|เปล่า|ป่าว|ปะ\b|ป่ะ|หรือไม่|ใช่ไหม|ใช่มั้ย"
    r"|หรอ|เหรอ|รึป่าว|หรือยัง|ได้ไหม|ได้มั้ย|มั๊ยคะ|ไหมคะ|ไหมครับ)"
)
_WHAT = re.compile(
    r"(อะไร|ไหนบ้าง|ที่ไหน|ไหน|ใคร|ยังไง|อย่างไร|เท่าไร|เท่าไหร่|กี่|เมื่อไหร่|เมื่อไร|บ้าง)"
)
_EN_YES_NO = re.compile(
    r"^\s*(did|does|do|is|are|was|were|can|could|has|have|had|should|must|will"
    r"|would)\b",
    re.I,
)
_EN_WHAT = re.compile(r"\b(what|which|who|how|when|where|why|list)\b", re.I)
_LATIN = re.compile(r"[A-Za-z]")
_THAI = re.compile(r"[\u0e01-\u0e4f]")

DATA_YEARS = frozenset({2019, 2562})
_YEAR4 = re.compile(r"(?<!\d)(25[4-9][0-9]|20[0-3][0-9])(?!\d)(?!\s*(บาท|baht|฿))")
_YEAR2 = re.compile(r"(?:ปี|พ\.?ศ\.?)\s*([0-9]{2})(?!\d)")
_RELATIVE_YEAR = re.compile(
    r"(ปีนี้|ปีล่าสุด|ปีปัจจุบัน|ปีที่แล้ว|ปีก่อน|ปีหน้า|ปีล่าสุด|ล่าสุด|this year|last year"
    r"|latest|next year|recent)",
    re.I,
)


def _plain(text: str) -> str:
    return (text or "").translate(_THAI_DIGITS)


def is_english(text: str) -> bool:
    """Mostly Latin letters and at least two words: the citizen wrote English."""
    t = text or ""
    latin, thai = len(_LATIN.findall(t)), len(_THAI.findall(t))
    return latin >= 6 and latin > 2 * thai and len(t.split()) >= 2


def form(text: str) -> str:
    """YES_NO, WHAT or STATEMENT. A yes/no particle wins over a question
    word ("ได้รางวัลอะไรไหม" is a yes/no question)."""
    t = _plain(text)
    if is_english(t):
        if _EN_YES_NO.search(t):
            return YES_NO
        if _EN_WHAT.search(t):
            return WHAT
        return YES_NO if t.strip().endswith("?") else STATEMENT
    if _YES_NO.search(t):
        return YES_NO
    if _WHAT.search(t):
        return WHAT
    return STATEMENT


def other_year(text: str) -> Optional[str]:
    """The award year asked about when it is not the one the data covers
    (2562 / 2019), as the citizen would read it ("ปี 2566", "ปีนี้"); else None."""
    t = _plain(text)
    for m in _YEAR4.finditer(t):
        year = int(m.group(1))
        if year not in DATA_YEARS:
            return f"ปี {year}"
    for m in _YEAR2.finditer(t):
        short = int(m.group(1))  # "ปี 62" is 2562; "ปี 19" is 2019
        year = 2000 + short if short <= 35 else 2500 + short
        if year not in DATA_YEARS:
            return f"ปี {year}"
    m = _RELATIVE_YEAR.search(t)
    if m and not _YEAR4.search(t) and not _YEAR2.search(t):
        return m.group(1)
    return None


FOCUS_FROM_CHARS = 150  # a message longer than this is read for its question
FOCUS_BUDGET_CHARS = 100
_POLITE_TAIL = re.compile(r"(ครับผม|ครับ|ค่ะ|คะ|นะคะ|นะ|จ้ะ|จ๊ะ|จ้า|ลูก|หลาน|ด้วย)+$")
_ASKING_END = re.compile(
    r"(ไหม|มั้ย|มั๊ย|ไม๊|หรือเปล่า|รึเปล่า|เปล่า|ป่าว|หรือไม่|ใช่ไหม|หรอ|เหรอ|ไหน"
    r"|อะไร|ยังไง|อย่างไร|ไง|บ้าง|เท่าไร|เท่าไหร่|เมื่อไหร่|เมื่อไร|กี่\S*|ใคร|\?)$"
)


def _full_stop(chunk: str) -> bool:
    """Ends a sentence: "!", "?" or a full stop that is not an abbreviation's
    dot (สปสช., ป.ป.ส.)."""
    if chunk.endswith(("!", "?", "。")):
        return True
    return chunk.endswith(".") and chunk.count(".") == 1 and len(chunk) > 8


def _ends_asking(chunk: str) -> bool:
    """The chunk ends like a question once polite particles are dropped."""
    core = _POLITE_TAIL.sub("", chunk.rstrip(" .!"))
    return bool(_ASKING_END.search(core) or chunk.rstrip().endswith("?"))


def _asks(chunk: str) -> bool:
    return bool(
        _YES_NO.search(chunk)
        or _WHAT.search(chunk)
        or "?" in chunk
        or _EN_YES_NO.search(chunk)
        or _EN_WHAT.search(chunk)
    )


def question_clause(text: str) -> Optional[str]:
    """The question inside a long message (an elderly citizen's story, a pasted
    news paragraph): the last chunk that ends like a question (else the last
    that asks anything), with the words just before it, within
    FOCUS_BUDGET_CHARS and not past a line break or a full stop. None when the
    message is short or asks nothing."""
    if not text or len(text) <= FOCUS_FROM_CHARS:
        return None
    chunks: list = []
    for line in re.split(r"[\n\r\u2028\u2029]+", text):
        parts = [c for c in re.split(r"\s+", line) if c]
        if parts:
            parts[0] = "\n" + parts[0]  # a line break ends the previous sentence
            chunks += parts
    if not chunks:
        return None
    found = [i for i, c in enumerate(chunks) if _ends_asking(c.strip())]
    found = found or [i for i, c in enumerate(chunks) if _asks(c)]
    if not found:
        return None
    last = found[-1]
    picked = [chunks[last].strip()]
    size = len(picked[0])
    if chunks[last].startswith("\n"):
        return picked[0]
    for c in reversed(chunks[:last]):
        word = c.strip()
        if _full_stop(word) or size + 1 + len(word) > FOCUS_BUDGET_CHARS:
            break
        picked.insert(0, word)
        size += 1 + len(word)
        if c.startswith("\n"):
            break
    return " ".join(picked)
