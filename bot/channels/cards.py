"""Card payloads (bot/replies/cards.py) on their way out of Rasa.

Rasa's output channels send a bot message's ``custom`` payload as a message
of its own, after the text. For cards that is wrong: a card belongs to the
text it was built from. `CardCollectingOutput` keeps them together (the
cards become a ``custom`` key of the text's message, so REST clients keep the
whole answer in ``text``); `send_cards_socketio` emits them as one extra
``bot_uttered`` event ``{"custom": {"cards": …}}`` that the web chat attaches
to the text before it (Rasa's own socket.io output would pass the payload's
keys to ``emit`` and fail).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel


def cards_of(custom: Any) -> Optional[Dict[str, Any]]:
    """The ``cards`` object of a custom payload, or None."""
    if not isinstance(custom, dict):
        return None
    cards = custom.get("cards")
    if not isinstance(cards, dict) or not isinstance(cards.get("items"), list):
        return None
    return cards


class CardCollectingOutput(CollectingOutputChannel):
    """Collects a turn's messages; a text's cards stay on the text's message."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Rasa's dispatch, with a card payload attached to its text."""
        custom = message.get("custom")
        if cards_of(custom) is None or not message.get("text"):
            await super().send_response(recipient_id, message)
            return
        rest = {k: v for k, v in message.items() if k != "custom"}
        before = len(self.messages)
        await super().send_response(recipient_id, rest)
        if len(self.messages) > before:
            self.messages[-1] = {**self.messages[-1], "custom": custom}
        else:
            await self.send_custom_json(recipient_id, custom)
