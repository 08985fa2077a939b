"""Erasure in the chat ("ลบข้อมูลของฉัน"): ask, then yes or no.

These actions only talk. The deletion itself runs in the turn runner after
the turn is saved, under the conversation's lock (bot/privacy/turn_hook.py):
the ActionExecuted event of `ActionEraseConversation` is its marker. Deleting
here would not last, since Rasa writes the session back when it saves the turn.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from actions.common import SafeAction, send
from bot.privacy.erasure import ERASE_ACTION
from bot.replies import privacy as wording


class ActionAskErasure(SafeAction):
    def name(self) -> Text:
        return "action_ask_erasure"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        send(dispatcher, wording.ask_erasure())
        return []


class ActionEraseConversation(SafeAction):
    def name(self) -> Text:
        return ERASE_ACTION

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        send(dispatcher, wording.erasure_done())
        return []


class ActionCancelErasure(SafeAction):
    def name(self) -> Text:
        return "action_cancel_erasure"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        send(dispatcher, wording.erasure_cancelled())
        return []
