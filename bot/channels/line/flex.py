"""Card payloads (bot/replies/cards.py) -> LINE Flex Messages.

One bubble per card (a carousel for several): a header with the title and
subtitle, the lines (numbered when the card says so), a note, and a footer
with the source link buttons and the card's actions. Actions are postbacks:
``data`` is the Thai text for the bot, ``displayText`` the clean label the
chat shows (bot/channels/line/webhook.py passes ``data`` through the hygiene
module like any typed text).

Limits from the Messaging API reference (the strictest published values):
altText 400 characters, 12 bubbles per carousel, 10 KB per bubble, 50 KB
per carousel, button labels 40, postback data / displayText 300, URIs 1000.
`flex_message` returns None when a message would exceed them: the caller
then sends the text.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional

from bot.channels.line.text import shorten

logger = logging.getLogger(__name__)

MAX_ALT_TEXT = 400
MAX_BUBBLES = 12
MAX_BUBBLE_BYTES = 10_000
MAX_CAROUSEL_BYTES = 50_000
MAX_BUTTON_LABEL = 40
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_URI = 1000

# WCAG AA on white: #1F2937 13:1, #4B5563 7.5:1, #0B5CAD 6.6:1 (white on it too).
COLOR_TEXT = "#1F2937"
COLOR_MUTED = "#4B5563"
COLOR_ACCENT = "#0B5CAD"


def json_size(obj: Any) -> int:
    """Bytes of `obj` as LINE receives it (compact UTF-8 JSON)."""
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())


def _text(text: str, **style: Any) -> Dict[str, Any]:
    return {"type": "text", "text": text, "wrap": True, **style}


def _line(index: int, text: str, numbered: bool) -> Dict[str, Any]:
    mark = f"{index}." if numbered else "•"
    return {
        "type": "box",
        "layout": "baseline",
        "spacing": "sm",
        "contents": [
            _text(mark, flex=0, color=COLOR_MUTED, size="sm"),
            _text(text, flex=1, color=COLOR_TEXT, size="sm"),
        ],
    }


def _uri_button(link: Dict[str, str]) -> Optional[Dict[str, Any]]:
    url = link.get("url")
    if not isinstance(url, str) or not url.startswith("https://") or len(url) > MAX_URI:
        return None
    return {
        "type": "button",
        "style": "link",
        "height": "sm",
        "color": COLOR_ACCENT,
        "action": {
            "type": "uri",
            "label": shorten(str(link.get("label") or url), MAX_BUTTON_LABEL),
            "uri": url,
        },
    }


def postback_action(label: str, text: str) -> Optional[Dict[str, Any]]:
    """A postback carrying Thai `text`; the chat shows `label`."""
    text = text.strip()
    label = label.strip() or text
    if not text or text.startswith("/") or len(text) > MAX_POSTBACK_DATA:
        return None
    return {
        "type": "postback",
        "label": shorten(label, MAX_BUTTON_LABEL),
        "data": text,
        "displayText": shorten(label, MAX_DISPLAY_TEXT),
    }


def bubble(card: Dict[str, Any]) -> Dict[str, Any]:
    """One card as a Flex bubble."""
    header: List[Dict[str, Any]] = [
        _text(str(card.get("title") or ""), weight="bold", size="md", color=COLOR_TEXT)
    ]
    if card.get("subtitle"):
        header.append(_text(str(card["subtitle"]), size="sm", color=COLOR_MUTED))
    numbered = bool(card.get("numbered"))
    body: List[Dict[str, Any]] = [
        _line(i, str(line), numbered)
        for i, line in enumerate(card.get("lines") or [], 1)
    ]
    if card.get("note"):
        body.append(_text(str(card["note"]), size="xs", color=COLOR_MUTED, margin="md"))
    footer: List[Dict[str, Any]] = []
    for link in card.get("links") or []:
        button = _uri_button(link) if isinstance(link, dict) else None
        if button:
            footer.append(button)
    for action in card.get("actions") or []:
        if not isinstance(action, dict):
            continue
        postback = postback_action(
            str(action.get("label") or ""), str(action.get("text") or "")
        )
        if postback:
            footer.append(
                {
                    "type": "button",
                    "style": "primary",
                    "height": "sm",
                    "color": COLOR_ACCENT,
                    "action": postback,
                }
            )
    out: Dict[str, Any] = {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical", "contents": header},
    }
    if body:
        out["body"] = {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": body,
        }
    if footer:
        out["footer"] = {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": footer,
        }
    return out


def flex_message(cards: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The Flex message for a cards payload, or None when it would not fit."""
    items = [c for c in cards.get("items") or [] if isinstance(c, dict)]
    alt = str(cards.get("alt") or "").strip()
    if not items or not alt:
        return None
    if len(alt) > MAX_ALT_TEXT:
        alt = shorten(alt, MAX_ALT_TEXT)
    if len(items) > MAX_BUBBLES:
        logger.info("LINE: %d cards (max %d); sent as text.", len(items), MAX_BUBBLES)
        return None
    bubbles = [bubble(c) for c in items]
    if any(json_size(b) > MAX_BUBBLE_BYTES for b in bubbles):
        logger.info("LINE: a card is over %d bytes; sent as text.", MAX_BUBBLE_BYTES)
        return None
    if len(bubbles) == 1:
        contents: Dict[str, Any] = bubbles[0]
    else:
        contents = {"type": "carousel", "contents": bubbles}
        if json_size(contents) > MAX_CAROUSEL_BYTES:
            logger.info("LINE: cards over %d bytes; sent as text.", MAX_CAROUSEL_BYTES)
            return None
    return {"type": "flex", "altText": alt, "contents": contents}
