"""action_answer_fact: the answers.yml entry for the latest intent, led by the
direct answer; action_sources: the links of the previous answer."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk.events import SlotSet

from actions.common import (
    TOPIC_AWARD_LIST,
    SafeAction,
    call_repo,
    intent_name,
    message_text,
    send,
)
from bot import followups, question
from bot.content import repository
from bot.replies import (
    format_answer,
    no_answer,
    no_sources,
    other_year,
    sources_of_last_answer,
)


async def answer_fact(dispatcher, tracker, key: Optional[str]) -> List[Dict]:
    """Sends answer ``key`` for the latest message; sets the follow-up topic."""
    text = message_text(tracker)
    if key and key.startswith("award_"):
        asked = question.other_year(text)
        if asked:  # "พิธีมอบรางวัลปี 2563 จัดที่ไหน": the data is 2562 only
            categories = await call_repo(repository.award_categories)
            send(dispatcher, other_year(asked, categories))
            return [SlotSet("topic", TOPIC_AWARD_LIST)]
    key = followups.refine(key, text) if key else key
    ans = await call_repo(repository.answer, key) if key else None
    if ans is None:
        send(dispatcher, no_answer())
        return []
    send(
        dispatcher,
        format_answer(
            ans,
            text,
            yes_no=question.form(text) == question.YES_NO,
            english=question.is_english(text),
        ),
    )
    if key == "award_overview":  # "แล้วระดับจังหวัดล่ะ" should list that category next
        return [SlotSet("topic", TOPIC_AWARD_LIST)]
    return [SlotSet("topic", followups.topic_of_answer(key))]


class ActionAnswerFact(SafeAction):
    def name(self) -> Text:
        return "action_answer_fact"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        return await answer_fact(dispatcher, tracker, intent_name(tracker))


class ActionSources(SafeAction):
    """ask_source: "อ้างอิงจากไหน" after an answer."""

    def name(self) -> Text:
        return "action_sources"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        urls = tracker.get_slot("last_sources") or []
        send(dispatcher, sources_of_last_answer(urls) if urls else no_sources())
        return []
