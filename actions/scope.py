"""action_out_of_scope: another government service, or anything the bot does
not answer: say so first, then where to get help."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from actions.common import SafeAction, first_entity, message_text, send
from bot import question
from bot.replies import out_of_scope


class ActionOutOfScope(SafeAction):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        english = question.is_english(message_text(tracker))
        send(dispatcher, out_of_scope(first_entity(tracker, "other_service"), english))
        return []
