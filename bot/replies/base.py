"""The shape of a reply and the small pieces every reply is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence

SOURCE_PREFIX = "ที่มา: "
MAX_BUTTONS = 13  # LINE shows at most 13 quick replies
BE_OFFSET = 543  # Buddhist era = common era + 543


@dataclass
class Reply:
    """A text with its buttons. ``text``'s first line is the direct answer."""

    text: str
    buttons: List[dict] = field(default_factory=list)
    # the links the text cites, for "อ้างอิงจากไหน" on the next turn
    sources: List[str] = field(default_factory=list)
    # rich cards from the same data (bot/replies/cards.py), sent as json_message
    custom: Optional[dict] = None

    def as_kwargs(self) -> dict:
        """Arguments for ``dispatcher.utter_message``."""
        kwargs = {"text": self.text}
        if self.buttons:
            kwargs["buttons"] = self.buttons
        if self.custom:
            kwargs["json_message"] = self.custom
        return kwargs


def button(title: str, payload: str) -> dict:
    return {"title": title[:20], "payload": payload}


def join_lines(*parts: Optional[str]) -> str:
    return "\n".join(p for p in parts if p)


def citizen_link(source) -> tuple:
    """(label, url) to show for a source: a URL, or a dict ``{url,
    citizen_url?, citizen_label?}``. Where the real provenance is not a page a
    citizen can trust, the official page to check or act on is shown with its
    label; the provenance stays in data/content for staff."""
    if isinstance(source, dict):
        if source.get("citizen_url"):
            return source.get("citizen_label") or SOURCE_PREFIX.strip(), source[
                "citizen_url"
            ]
        return SOURCE_PREFIX.strip(), source.get("url")
    return SOURCE_PREFIX.strip(), source


def sources_block(sources: Iterable) -> str:
    """One "ที่มา: <url>" (or "<label> <url>") line per source, no repeats."""
    lines: List[str] = []
    for s in sources:
        label, url = citizen_link(s)
        line = f"{label} {url}"
        if url and line not in lines:
            lines.append(line)
    return "\n".join(lines)


def cited(sources: Iterable) -> List[str]:
    """The URLs :func:`sources_block` shows, in order."""
    out: List[str] = []
    for s in sources:
        url = citizen_link(s)[1]
        if url and url not in out:
            out.append(url)
    return out


def sourced(text: str, buttons: Sequence[dict], sources: Iterable) -> Reply:
    """A reply whose text ends with its sources."""
    sources = list(sources)
    return Reply(
        join_lines(text, sources_block(sources)), list(buttons), cited(sources)
    )


def display_name(body) -> str:
    """'จังหวัดร้อยเอ็ด' for provinces, the Thai name otherwise."""
    return f"จังหวัด{body.name_th}" if body.kind == "province" else body.name_th


def year_be(year: int) -> int:
    """2019 -> 2562."""
    return year + BE_OFFSET if year < 2400 else year


def limited(buttons: Sequence[dict], room: int = MAX_BUTTONS) -> List[dict]:
    return list(buttons)[:room]
