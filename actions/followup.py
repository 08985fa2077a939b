"""action_followup (intent inform): a short follow-up such as "แล้วระดับจังหวัดล่ะ",
"แล้ว กฟน. ล่ะ", "แล้วถ้ามอบอำนาจล่ะ" or "ร้านกาแฟ", read in the light of the
``topic`` slot (see :mod:`bot.followups`)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from actions.awards import award_filters, check_winners, count_winners, list_winners
from actions.bizportal import licences
from actions.common import (
    TOPIC_AWARD_CHECK,
    TOPIC_AWARD_COUNT,
    TOPIC_AWARD_LIST,
    TOPIC_LICENCES,
    SafeAction,
    call_repo,
    entity_spans,
    entity_values,
    first_entity,
    message_text,
    send,
)
from actions.facts import answer_fact
from bot import followups, question
from bot.content import checks
from bot.replies import ask_what_they_mean, button

AWARD_TOPICS = (TOPIC_AWARD_LIST, TOPIC_AWARD_CHECK, TOPIC_AWARD_COUNT)
AWARD_WORDS = re.compile(r"รางวัล|ได้โล่|award|win|won", re.I)


class ActionFollowup(SafeAction):
    def name(self) -> Text:
        return "action_followup"

    async def handle(self, dispatcher, tracker, domain) -> List[Dict[Text, Any]]:
        topic = tracker.get_slot("topic")
        text = message_text(tracker)
        spans = entity_spans(tracker, "body", "province")
        if topic in AWARD_TOPICS and question.other_year(text):
            return await list_winners(dispatcher, tracker)  # "แล้วปี 63 ล่ะ"
        if topic not in AWARD_TOPICS and AWARD_WORDS.search(text):
            # "การไฟฟ้าส่วนภูมิภาคได้รางวัลไหม" read as a follow-up: a check
            named = await call_repo(checks.check_message, text, spans)
            if named:
                return await check_winners(dispatcher, tracker)
        if topic in AWARD_TOPICS:
            named = await call_repo(checks.check_message, text, spans)
            # a ministry after a list or a count is a filter ("แล้วกระทรวงการคลังล่ะ")
            ministries = [r for r in named if r.body and r.body.kind == "ministry"]
            if named and len(ministries) == len(named) and topic != TOPIC_AWARD_CHECK:
                if topic == TOPIC_AWARD_COUNT:
                    return await count_winners(dispatcher, tracker)
                return await list_winners(dispatcher, tracker)
            # a name in the text wins over a filter: in "แล้วจังหวัดตากล่ะ"
            # the model may tag "จังหวัด" (a kind) and miss "ตาก"
            if named:
                return await check_winners(dispatcher, tracker)
            f = award_filters(tracker)
            has_filter = bool(f["category"] or f["ministry"] or f["kind"])
            if topic == TOPIC_AWARD_COUNT:
                return await count_winners(dispatcher, tracker)
            if has_filter:
                return await list_winners(dispatcher, tracker)
        elif topic == TOPIC_LICENCES:
            if first_entity(tracker, "business_type") or text:
                return await licences(dispatcher, tracker)
        elif topic in followups.TOPIC_RULES:
            return await answer_fact(
                dispatcher, tracker, followups.answer_for(topic, text)
            )
        # no topic (or nothing usable for it): ask what they mean
        names = entity_values(tracker, "body") + entity_values(tracker, "province")
        business = first_entity(tracker, "business_type")
        subject = names[0] if names else business or text or None
        options = []
        if names:
            options.append(button("ได้รางวัลไหม", f"{names[0]}ได้รางวัลไหม"))
        if business:
            options.append(button("ใบอนุญาตที่ต้องขอ", f"เปิด{business}ต้องขอใบอนุญาตอะไรบ้าง"))
        send(dispatcher, ask_what_they_mean(subject, options))
        return []
