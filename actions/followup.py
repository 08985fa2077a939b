"""action_followup (intent inform): a short follow-up such as "แล้วระดับจังหวัดล่ะ",
"แล้ว กฟน. ล่ะ" or "ร้านกาแฟ", read in the light of the ``topic`` slot."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from actions.awards import (
    SafeAction,
    _filters,
    check_winners,
    count_winners,
    list_winners,
    named_bodies,
)
from actions.bizportal import licences
from actions.common import (
    TOPIC_AWARD_CHECK,
    TOPIC_AWARD_COUNT,
    TOPIC_AWARD_LIST,
    TOPIC_LICENCES,
    entity_values,
    first_entity,
    message_text,
    send,
)
from bot.replies import ask_what_they_mean, button

AWARD_TOPICS = (TOPIC_AWARD_LIST, TOPIC_AWARD_CHECK, TOPIC_AWARD_COUNT)


class ActionFollowup(SafeAction):
    def name(self) -> Text:
        return "action_followup"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        topic = tracker.get_slot("topic")
        text = message_text(tracker)
        names = entity_values(tracker, "body") + entity_values(tracker, "province")
        if topic in AWARD_TOPICS:
            f = _filters(tracker)
            has_filter = bool(f["category"] or f["ministry"] or f["kind"])
            if not has_filter or not names:
                # a name in the text wins over a filter: in "แล้วจังหวัดตากล่ะ"
                # the model may tag "จังหวัด" (a kind) and miss "ตาก"
                names = await named_bodies(tracker)
            if names:
                return await check_winners(dispatcher, tracker, names)
            if topic == TOPIC_AWARD_COUNT:
                return await count_winners(dispatcher, tracker)
            if has_filter:
                return await list_winners(dispatcher, tracker)
        elif topic == TOPIC_LICENCES:
            if first_entity(tracker, "business_type") or text:
                return await licences(dispatcher, tracker)
        # no topic (or nothing usable for it): ask what they mean
        subject = (
            names[0]
            if names
            else first_entity(tracker, "business_type") or text or None
        )
        options = []
        if names:
            options.append(button("ได้รางวัลไหม", f"{names[0]}ได้รางวัลไหม"))
        if first_entity(tracker, "business_type"):
            bt = first_entity(tracker, "business_type")
            options.append(button("ใบอนุญาตที่ต้องขอ", f"เปิด{bt}ต้องขอใบอนุญาตอะไรบ้าง"))
        send(dispatcher, ask_what_they_mean(subject, options))
        return []
