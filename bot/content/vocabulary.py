"""The words citizens use for award categories and kinds of body, and
finding them in a message. Text understanding only: no database here.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from bot.content.matcher import normalise

# Thai (and English) words a citizen uses for the award categories and body kinds.
CATEGORY_WORDS: Dict[str, List[str]] = {
    "department": [
        "ระดับกรม",
        "department",
        "รางวัลระดับกรม",
        "โล่รางวัล",
        "หน่วยงานระดับกรม",
    ],
    "province": ["ระดับจังหวัด", "province", "provincial", "รางวัลระดับจังหวัด", "จังหวัด"],
    "nocopy": [
        "nocopy",
        "no copy",
        "ยกเลิกสำเนา",
        "ยกเลิกสำเนาเอกสาร",
        "ยกเลิกสำเนาเอกสารราชการ",
        "ไม่เรียกสำเนา",
        "สนับสนุนนโยบายรัฐบาล",
    ],
}
KIND_WORDS: Dict[str, List[str]] = {
    "state_enterprise": ["รัฐวิสาหกิจ", "state enterprise", "state_enterprise"],
    "fund": ["กองทุน", "fund"],
    "public_organisation": [
        "องค์การมหาชน",
        "public organisation",
        "public_organisation",
    ],
    "ministry_office": ["สำนักงานปลัดกระทรวง", "ministry_office"],
    "province": ["จังหวัด", "province"],
    "department": ["กรม", "department", "หน่วยงานระดับกรม"],
}


def _lookup(words: Dict[str, List[str]], text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    norm = normalise(text)
    if norm in words:
        return norm
    for key, ws in words.items():
        if norm in {normalise(w) for w in ws}:
            return key
    return None


def normalise_category(text: Optional[str]) -> Optional[str]:
    """'ระดับจังหวัด' / 'province' / 'No Copy' ... -> 'province' / 'nocopy' ..."""
    return _lookup(CATEGORY_WORDS, text)


def normalise_kind(text: Optional[str]) -> Optional[str]:
    return _lookup(KIND_WORDS, text)


def find_category_in_text(text: str) -> Optional[str]:
    """Scan a message for an award-category word (longest words first)."""
    norm = normalise(text)
    pairs = sorted(
        (
            (normalise(w), k)
            for k, ws in CATEGORY_WORDS.items()
            for w in ws
            if w != "จังหวัด"
        ),
        key=lambda p: -len(p[0]),
    )
    for word, key in pairs:
        if word and word in norm:
            return key
    return None


def find_kind_in_text(text: str) -> Optional[str]:
    norm = normalise(text)
    for key in ("state_enterprise", "public_organisation", "fund"):
        if any(normalise(w) in norm for w in KIND_WORDS[key]):
            return key
    return None
