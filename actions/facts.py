"""action_answer_fact: the answers.yml entry for the latest intent."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk.events import SlotSet

from actions.common import TOPIC_AWARD_LIST, SafeAction, call_repo, intent_name, send
from bot.content import repository
from bot.replies import format_answer, no_answer


class ActionAnswerFact(SafeAction):
    def name(self) -> Text:
        return "action_answer_fact"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        key = intent_name(tracker)
        ans = await call_repo(repository.answer, key) if key else None
        if ans is None:
            send(dispatcher, no_answer())
            return []
        send(dispatcher, format_answer(ans))
        if key == "award_overview":  # "แล้วระดับจังหวัดล่ะ" should list that category next
            return [SlotSet("topic", TOPIC_AWARD_LIST)]
        return []
