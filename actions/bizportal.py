"""action_bizportal_licences: licences for a business type."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk.events import SlotSet

from actions.common import (
    TOPIC_LICENCES,
    SafeAction,
    call_repo,
    first_entity,
    message_text,
    send,
    whole_text,
)
from bot.content import repository
from bot.replies import ask_business_type, format_licences, unknown_business_type


async def licences(
    dispatcher, tracker, text: Optional[str] = None
) -> List[Dict[Text, Any]]:
    entity = first_entity(tracker, "business_type")
    query = text or entity or message_text(tracker)
    result = await call_repo(repository.licences_for, query) if query else None
    if result is None and entity and query != message_text(tracker):
        result = await call_repo(repository.licences_for, message_text(tracker))
    if result is None and whole_text(tracker) != message_text(tracker):
        # a long message: the business may be named before the question
        result = await call_repo(repository.licences_for, whole_text(tracker))
    if result is None:
        if entity:
            known = await call_repo(repository.business_types)
            send(dispatcher, unknown_business_type(entity, known))
        else:
            send(dispatcher, ask_business_type())
        return [SlotSet("topic", TOPIC_LICENCES)]
    send(dispatcher, format_licences(result))
    return [SlotSet("topic", TOPIC_LICENCES)]


class ActionBizportalLicences(SafeAction):
    def name(self) -> Text:
        return "action_bizportal_licences"

    async def handle(self, dispatcher, tracker, domain):
        return await licences(dispatcher, tracker)
