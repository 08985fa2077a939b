"""Rich cards built from the same reply data as the text.

A card answer travels next to the text as a channel-neutral ``custom``
payload (``json_message`` of ``utter_message``)::

    {"cards": {"version": 1, "alt": "<Thai short answer>", "items": [card, ...]}}

    card = {"title": str, "subtitle": str | None, "lines": [str],
            "numbered": bool, "note": str | None,
            "links": [{"label": str, "url": "https://…"}],
            "actions": [{"label": str, "text": str}]}

The LINE channel turns it into a Flex Message (bot/channels/line/flex.py),
the web chat renders it with DOM methods; REST clients keep the whole answer
in ``text`` and get the cards as an extra ``custom`` key. ``alt`` reads as a
complete short answer (LINE shows only it in notifications and old versions).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence

from bot.replies.base import citizen_link, display_name
from bot.replies.feedback import FEEDBACK_BAD, FEEDBACK_GOOD

CARDS_VERSION = 1
MAX_ALT = 400  # LINE: altText (the strictest published limit)
MAX_ACTIONS = 2
SOURCE_LABEL = "ดูที่มา"
_POLITE = ("ค่ะ", "คะ", "นะคะ")
_ITEM = re.compile(r"^(?:•|-|\d+\.)\s*")
_NUMBERED = re.compile(r"^\d+\.\s*")

# answers.yml keys shown as a card, with the card's title.
ANSWER_CARDS = {
    "bizportal_steps": "ขั้นตอนขอใบอนุญาตผ่าน Biz Portal",
    "nocopy_what_to_bring": "ติดต่อราชการ ต้องเตรียมอะไรไปบ้าง",
}


def polite(text: str) -> str:
    """`text` ending with ค่ะ/คะ (English and empty text unchanged)."""
    text = text.strip()
    if not text or not re.search(r"[\u0e01-\u0e4f]", text):
        return text
    return text if text.endswith(_POLITE) else f"{text} ค่ะ"


def alt_text(lead: str, details: Iterable[str] = (), limit: int = MAX_ALT) -> str:
    """`lead` and as many whole `details` as fit in `limit`, ending politely.

    Never cut inside a name: a detail that does not fit is left out (the card
    itself shows everything).
    """
    lead = lead.strip()
    out = lead
    for detail in details:
        candidate = f"{out} {detail.strip()}"
        if len(polite(candidate)) > limit:
            break
        out = candidate
    out = polite(out)
    return out if len(out) <= limit else lead[: limit - 1] + "…"


def links(sources: Iterable[Any]) -> List[Dict[str, str]]:
    """Source buttons: https links only, no repeats."""
    out: List[Dict[str, str]] = []
    for source in sources:
        label, url = citizen_link(source)
        if isinstance(url, str) and url.startswith("https://"):
            if all(link["url"] != url for link in out):
                out.append({"label": SOURCE_LABEL, "url": url})
    return out


def actions(buttons: Sequence[dict]) -> List[Dict[str, str]]:
    """The reply's own buttons (not 👍/👎) as card actions sending Thai text."""
    out: List[Dict[str, str]] = []
    for b in buttons:
        payload = str(b.get("payload") or "").strip()
        title = str(b.get("title") or "").strip()
        if not payload or payload in (FEEDBACK_GOOD, FEEDBACK_BAD):
            continue
        if payload.startswith("/"):
            continue
        out.append({"label": title or payload, "text": payload})
    return out[:MAX_ACTIONS]


def card(
    title: str,
    lines: Sequence[str] = (),
    subtitle: Optional[str] = None,
    numbered: bool = False,
    note: Optional[str] = None,
    sources: Iterable[Any] = (),
    buttons: Sequence[dict] = (),
) -> Dict[str, Any]:
    """One card."""
    return {
        "title": title,
        "subtitle": subtitle,
        "lines": [line for line in lines if line],
        "numbered": numbered,
        "note": note,
        "links": links(sources),
        "actions": actions(buttons),
    }


def payload(alt: str, items: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The ``custom`` payload carrying the cards."""
    return {"cards": {"version": CARDS_VERSION, "alt": alt, "items": items}}


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


# ---------------------------------------------------------------- awards
def winners(reply_text: str, groups, categories, buttons: Sequence[dict]) -> Dict:
    """One card per category: its name, the winners, its source button."""
    items = []
    details = []
    for key, group in groups:
        cat = next((c for c in categories if c.key == key), None)
        names = [display_name(a.body) for a in group]
        title = cat.name_th if cat is not None else "ผู้ได้รับรางวัล"
        subtitle = f"{cat.count} รางวัล" if cat is not None else None
        note = None
        if cat is not None and key == "nocopy" and len(group) < cat.count:
            note = f"มีรายชื่อยืนยันได้ {len(group)} จาก {cat.count} หน่วยงาน"
        sources = [cat.source_url] if cat is not None else []
        sources += [a.source_url for a in group]
        items.append(card(title, names, subtitle, True, note, sources[:1] or sources))
        details.append((f"{title} {subtitle or ''}".strip(), names))
    if items:
        items[-1]["actions"] = actions(buttons)
    return payload(_list_alt(_first_line(reply_text), details), items)


def _list_alt(lead: str, groups: List[tuple]) -> str:
    """One category: its names (as many as fit). Several: every category with
    its count, then the names of the shortest lists, as many as fit whole."""
    if len(groups) == 1:
        return alt_text(lead, groups[0][1])
    parts = [summary for summary, _ in groups]
    for index in sorted(range(len(groups)), key=lambda i: len(groups[i][1])):
        summary, names = groups[index]
        trial = list(parts)
        trial[index] = f"{summary} ได้แก่ {' '.join(names)}"
        if len(polite(" ".join([lead, *trial]))) <= MAX_ALT:
            parts = trial
    return alt_text(lead, parts)


def check(reply_text: str, result, buttons: Sequence[dict], sources) -> Dict:
    """An award check: the body, its award(s) or why not, the source."""
    name = display_name(result.body) if result.body is not None else result.query
    if result.status == "winner":
        subtitle = "ได้รับรางวัล"
        lines = [a.category_name_th for a in result.awards]
    else:
        subtitle = "ไม่อยู่ในรายชื่อผู้ได้รับรางวัล"
        lines = []
    rest = [ln for ln in reply_text.strip().splitlines()[1:] if ln.strip()]
    note = next((ln for ln in rest if "https://" not in ln and ln not in lines), None)
    item = card(name, lines, subtitle, False, note, sources, buttons)
    return payload(alt_text(_first_line(reply_text)), [item])


# ---------------------------------------------------------------- services
def answer(key: str, reply_text: str, sources, buttons: Sequence[dict]):
    """A card for the answers listed in `ANSWER_CARDS`, else None.

    The text's first line leads; its "•" or "1." lines are the card's lines
    (numbered when the text numbers them); the last other line is the note.
    """
    title = ANSWER_CARDS.get(key)
    if title is None:
        return None
    lead, lines, notes, numbered = "", [], [], False
    for raw in reply_text.strip().splitlines():
        line = raw.strip()
        if not line or line.startswith(("ที่มา:", "ตรวจสอบ/", "ข้อมูลโครงการ")):
            continue
        if _ITEM.match(line) and lead:
            numbered = numbered or bool(_NUMBERED.match(line))
            lines.append(_ITEM.sub("", line))
        elif not lead:
            lead = line
        else:
            notes.append(line)
    if not lines:
        return None
    note = notes[-1] if notes else None
    item = card(title, lines, lead, numbered, note, sources, buttons)
    details = [f"{i}. {x}" if numbered else x for i, x in enumerate(lines, 1)]
    alt_lead = lead
    if numbered:  # "… Biz Portal มี 5 ขั้นตอนค่ะ": complete even if steps are cut
        alt_lead = f"{lead.removesuffix('ค่ะ').rstrip()} มี {len(lines)} ขั้นตอนค่ะ"
    return payload(alt_text(alt_lead, details), [item])


def licences(reply_text: str, result, buttons: Sequence[dict]) -> Optional[Dict]:
    """Licences for a business type: one line each, Biz Portal as source."""
    names = [
        f"{lic['name']} ({lic['note']})" if lic.get("note") else lic["name"]
        for lic in result.licences
    ]
    for rel in result.related:
        names += [f"ถ้า{rel['name_th']}: {lic['name']}" for lic in rel["licences"]]
    if not names:
        return None
    sources = [result.source_url] if result.source_url else []
    item = card(
        f"ใบอนุญาตธุรกิจ{result.name_th}",
        names,
        "ใบอนุญาตที่เกี่ยวข้องบน Biz Portal",
        False,
        result.note_th or None,
        sources,
        buttons,
    )
    return payload(alt_text(_first_line(reply_text), names), [item])
