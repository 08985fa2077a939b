"""Output channels: the per-turn collector and the push-based output."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.core.channels.channel import OutputChannel

from bot.channels.cards import CardCollectingOutput, cards_of
from bot.channels.line.api import LineApi
from bot.channels.line.messages import build_line_messages


class LineCollectingOutput(CardCollectingOutput):
    """Collects a turn's bot messages; named "line" for channel-specific responses.

    Unlike the base collector, a text keeps its paragraphs in one message (one
    LINE bubble) instead of one message per paragraph, and keeps its cards
    (they become a Flex message in place of the text).
    """

    @classmethod
    def name(cls) -> str:
        """Output channel name used by Rasa's response selection."""
        return "line"

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Stores the whole text as one message."""
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class LineOutput(OutputChannel):
    """Pushes each bot message (for messages Rasa sends outside a webhook turn)."""

    @classmethod
    def name(cls) -> str:
        """Channel name."""
        return "line"

    def __init__(self, api: LineApi) -> None:
        """Uses the channel's API client."""
        self.api = api

    async def _push(self, recipient_id: str, bot_message: Dict[str, Any]) -> None:
        messages = build_line_messages([bot_message])
        if messages:
            await self.api.push(recipient_id, messages)

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """A text with cards is ONE push (the Flex message in place of the text)."""
        if cards_of(message.get("custom")) is not None and message.get("text"):
            keys = ("text", "buttons", "quick_replies", "custom")
            await self._push(recipient_id, {k: message.get(k) for k in keys})
            return
        await super().send_response(recipient_id, message)

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Pushes a text."""
        await self._push(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Pushes a text with quick replies."""
        await self._push(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(
        self, recipient_id: str, image: str, **kwargs: Any
    ) -> None:
        """Pushes an image."""
        await self._push(recipient_id, {"image": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Pushes ``{"line": <LINE message object(s)>}`` custom payloads."""
        await self._push(recipient_id, {"custom": json_message})
