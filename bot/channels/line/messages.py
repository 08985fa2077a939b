"""Rasa bot messages -> LINE message objects (pure functions, unit-tested).

LINE counts text in UTF-16 code units; a text over 5,000 units is split, a
turn of more than 5 message objects is merged into the 5th, and every button
of the turn becomes a quick-reply item on the last message.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, List

from bot.channels.cards import cards_of
from bot.channels.line.flex import flex_message
from bot.channels.line.text import (
    MAX_TEXT_LENGTH,
    shorten,
    split_text,
    utf16_len,
)
from bot.replies import phrases

logger = logging.getLogger(__name__)

MAX_MESSAGES_PER_CALL = 5
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL_LENGTH = 20
MAX_ACTION_TEXT_LENGTH = 300


def text_message(text: str) -> Dict[str, Any]:
    """A LINE text message object."""
    return {"type": "text", "text": text}


def quick_reply_item(button: Dict[str, Any]) -> Dict[str, Any] | None:
    """One Rasa button as a LINE quick-reply item, or None if unusable.

    Buttons carry Thai text payloads; the item is a postback whose ``data`` is
    that text and whose ``displayText`` is the button's title, so the chat
    shows a clean label while the bot gets the whole question (the webhook
    passes ``data`` through the hygiene module like typed text). A payload
    starting with "/" (an intent) is never sent: the title is sent instead. A
    button with an https ``url`` opens the page.
    """
    if not isinstance(button, dict):
        return None
    title = str(button.get("title") or "").strip()
    url = button.get("url")
    if isinstance(url, str) and url.startswith("https://") and title:
        label = shorten(title, MAX_LABEL_LENGTH)
        return {"type": "action", "action": {"type": "uri", "label": label, "uri": url}}
    payload = button.get("payload")
    payload = payload.strip() if isinstance(payload, str) else ""
    text = payload if payload and not payload.startswith("/") else title
    if not text:
        return None
    return {
        "type": "action",
        "action": {
            "type": "postback",
            "label": shorten(title or text, MAX_LABEL_LENGTH),
            "data": shorten(text, MAX_ACTION_TEXT_LENGTH),
            "displayText": shorten(title or text, MAX_ACTION_TEXT_LENGTH),
        },
    }


def quick_reply(buttons: Iterable[Dict[str, Any]]) -> Dict[str, Any] | None:
    """LINE ``quickReply`` object for the buttons (max 13, duplicates dropped)."""
    items: List[Dict[str, Any]] = []
    seen = set()
    for button in buttons:
        item = quick_reply_item(button)
        if item is None:
            continue
        action = item["action"]
        key = (action["type"], action.get("data") or action.get("uri"))
        if key in seen:
            continue
        seen.add(key)
        items.append(item)
        if len(items) == MAX_QUICK_REPLY_ITEMS:
            break
    return {"items": items} if items else None


def _message_objects(bot_message: Dict[str, Any]) -> List[Dict[str, Any]]:
    """LINE message objects for one collected Rasa bot message (no buttons)."""
    out: List[Dict[str, Any]] = []
    text = bot_message.get("text")
    cards = cards_of(bot_message.get("custom"))
    flex = flex_message(cards) if cards is not None else None
    if flex is not None:
        out.append(flex)  # the card stands for the text it was built from
    elif isinstance(text, str) and text.strip():
        out.extend(text_message(part) for part in split_text(text))
    image = bot_message.get("image")
    if isinstance(image, str) and image:
        if image.startswith("https://"):
            out.append(
                {"type": "image", "originalContentUrl": image, "previewImageUrl": image}
            )
        else:
            out.append(text_message(image))
    attachment = bot_message.get("attachment")
    if isinstance(attachment, str) and attachment.strip():
        out.extend(text_message(part) for part in split_text(attachment))
    custom = bot_message.get("custom")
    if isinstance(custom, dict) and "line" in custom:
        line_objects = custom["line"]
        if isinstance(line_objects, dict):
            line_objects = [line_objects]
        if isinstance(line_objects, list):
            out.extend(obj for obj in line_objects if isinstance(obj, dict))
    return out


def _as_text(message: Dict[str, Any]) -> str:
    """Best text rendering of a LINE message object, for merging."""
    if message.get("type") == "text":
        return str(message.get("text", ""))
    if message.get("type") == "image":
        return str(message.get("originalContentUrl", ""))
    return str(message.get("altText", ""))


def fit_to_limit(
    messages: List[Dict[str, Any]], max_messages: int = MAX_MESSAGES_PER_CALL
) -> List[Dict[str, Any]]:
    """At most `max_messages`: the rest are merged as text into the last one.

    The merged text is cut (with "…") at LINE's 5,000-unit limit; that only
    happens for answers of more than ~20,000 characters.
    """
    if len(messages) <= max_messages:
        return list(messages)
    head = list(messages[: max_messages - 1])
    tail_texts = [_as_text(m).strip() for m in messages[max_messages - 1 :]]
    merged = "\n\n".join(t for t in tail_texts if t)
    if utf16_len(merged) > MAX_TEXT_LENGTH:
        logger.warning("LINE reply too long; the last message was shortened.")
        merged = shorten(merged, MAX_TEXT_LENGTH)
    return head + [text_message(merged or "…")]


def build_line_messages(bot_messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """All bot messages of one turn -> at most 5 LINE message objects.

    Texts over 5,000 units are split, messages beyond the 5th are merged into
    the 5th, and every button of the turn becomes a quick-reply item on the
    last message (LINE shows quick replies of the last message only).
    """
    objects: List[Dict[str, Any]] = []
    buttons: List[Dict[str, Any]] = []
    for bot_message in bot_messages:
        objects.extend(_message_objects(bot_message))
        buttons.extend(bot_message.get("buttons") or [])
        buttons.extend(bot_message.get("quick_replies") or [])
    objects = fit_to_limit(objects)
    quick = quick_reply(buttons)
    if quick:
        if not objects:
            objects = [text_message(phrases.LINE_PICK_TOPIC)]
        objects[-1] = {**objects[-1], "quickReply": quick}
    return objects
