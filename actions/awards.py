"""Award actions: list, check and count winners; confirm a suggested body.

Which body the citizen named is decided in :mod:`bot.content.resolution`
(through :mod:`bot.content.checks`); the wording is in :mod:`bot.replies`.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import (
    TOPIC_AWARD_CHECK,
    TOPIC_AWARD_COUNT,
    TOPIC_AWARD_LIST,
    SafeAction,
    call_repo,
    entity_spans,
    first_entity,
    intent_name,
    message_text,
    send,
    whole_text,
)
from bot import question
from bot.content import checks, repository, vocabulary
from bot.replies import (
    ask_body,
    format_checks,
    format_count,
    format_winners,
    nothing_to_confirm,
    other_year,
    suggestion_denied,
)


def award_filters(tracker: Tracker) -> Dict[str, Optional[str]]:
    """category / ministry / kind from entities, else from the message text."""
    text = message_text(tracker)
    raw_cat = first_entity(tracker, "award_category")
    category = vocabulary.normalise_category(raw_cat) if raw_cat else None
    if category is None:
        category = vocabulary.find_category_in_text(text)
    raw_kind = first_entity(tracker, "body_kind")
    kind = vocabulary.normalise_kind(raw_kind) if raw_kind else None
    if kind is None:
        kind = vocabulary.find_kind_in_text(text)
    if kind == "province" and category is None:
        category, kind = "province", None
    ministry = first_entity(tracker, "ministry")
    return {"category": category, "ministry": ministry, "kind": kind, "_text": text}


async def _other_year(dispatcher, tracker) -> bool:
    """Answers a question about another year's awards; True when it did."""
    asked = question.other_year(message_text(tracker))
    if asked is None:
        return False
    categories = await call_repo(repository.award_categories)
    english = question.is_english(message_text(tracker))
    send(dispatcher, other_year(asked, categories, english))
    return True


async def list_winners(dispatcher, tracker) -> List[Dict[Text, Any]]:
    if await _other_year(dispatcher, tracker):
        return [SlotSet("topic", TOPIC_AWARD_LIST)]
    f = award_filters(tracker)
    category = f["category"]
    if (
        category is None
        and tracker.get_slot("topic") == TOPIC_AWARD_COUNT
        and "ทั้งหมด" not in f["_text"]
    ):  # "ขอรายชื่อ" after "ระดับกรมมีกี่รางวัล": the names of what was counted
        category = tracker.get_slot("last_award_category")
    ministry = f["ministry"] or await call_repo(
        repository.find_ministry_in_text, f["_text"]
    )
    awards = await call_repo(repository.winners, category, ministry, f["kind"])
    categories = await call_repo(repository.award_categories)
    english = question.is_english(f["_text"])
    send(
        dispatcher,
        format_winners(awards, categories, category, ministry, f["kind"], english),
    )
    return [
        SlotSet("topic", TOPIC_AWARD_LIST),
        SlotSet("last_award_category", category),
    ]


async def count_winners(dispatcher, tracker) -> List[Dict[Text, Any]]:
    if await _other_year(dispatcher, tracker):
        return [SlotSet("topic", TOPIC_AWARD_COUNT)]
    f = award_filters(tracker)
    category = f["category"]
    if category is None and tracker.get_slot("topic") in (
        TOPIC_AWARD_LIST,
        TOPIC_AWARD_COUNT,
    ):  # "มีกี่หน่วยงาน" after a list: the count of what was just listed
        category = tracker.get_slot("last_award_category")
    ministry = f["ministry"] or await call_repo(
        repository.find_ministry_in_text, f["_text"]
    )
    result = await call_repo(repository.count_winners, category, ministry, f["kind"])
    asked = None
    if question.form(f["_text"]) == question.YES_NO:
        no_years = re.sub(r"(ปี|พ\.?ศ\.?|ค\.?ศ\.?)\s*\d+|\d{4}", " ", f["_text"])
        numbers = re.findall(r"(?<![\d.])\d{1,3}(?![\d.])", no_years)
        asked = int(numbers[0]) if numbers else None
    send(dispatcher, format_count(result, asked, question.is_english(f["_text"])))
    return [
        SlotSet("topic", TOPIC_AWARD_COUNT),
        SlotSet("last_award_category", category),
    ]


async def check_winners(
    dispatcher, tracker, keys: Optional[List[str]] = None
) -> List[Dict[Text, Any]]:
    """ "Did X win?" for every name in the message (or for ``keys``)."""
    events: List[Dict[Text, Any]] = [SlotSet("topic", TOPIC_AWARD_CHECK)]
    if await _other_year(dispatcher, tracker):
        return events
    text = message_text(tracker)
    if keys is not None:
        results = [await call_repo(checks.check_winner, k) for k in keys]
    else:
        spans = entity_spans(tracker, "body", "province")
        results = await call_repo(checks.check_message, text, spans)
        if not results and whole_text(tracker) != text:
            # a long message: the body may be named before the question
            results = await call_repo(checks.check_message, whole_text(tracker))
    if not results and tracker.get_slot("last_bodies"):
        # "ได้รางวัลประเภทไหน" after a check: the bodies just checked
        results = [
            await call_repo(checks.check_winner, k)
            for k in tracker.get_slot("last_bodies")
        ]
    if not results and vocabulary.find_category_in_text(text):
        # no body named, but an award category is: the question is about the
        # category ("ระดับกรมได้รางวัล 10 หน่วยงานใช่ไหม")
        if re.search(r"\d", text):
            return await count_winners(dispatcher, tracker)
        return await list_winners(dispatcher, tracker)
    if not results:
        send(dispatcher, ask_body())
        return events
    categories = await call_repo(repository.award_categories)
    yes_no = question.form(text) != question.WHAT
    if intent_name(tracker) in ("affirm", "deny"):
        yes_no = True
    send(
        dispatcher,
        format_checks(
            results,
            categories,
            yes_no,
            question.is_english(text),
            vocabulary.find_category_in_text(text),
        ),
    )
    suggested = next(
        (r.suggestion.key for r in results if r.status != "winner" and r.suggestion),
        None,
    )
    events.append(SlotSet("suggested_body", suggested))
    known = [r.body.key for r in results if r.body is not None]
    events.append(SlotSet("last_bodies", known or None))
    return events


class ActionListWinners(SafeAction):
    def name(self) -> Text:
        return "action_list_winners"

    async def handle(self, dispatcher, tracker, domain):
        return await list_winners(dispatcher, tracker)


class ActionCountWinners(SafeAction):
    def name(self) -> Text:
        return "action_count_winners"

    async def handle(self, dispatcher, tracker, domain):
        return await count_winners(dispatcher, tracker)


class ActionCheckWinner(SafeAction):
    def name(self) -> Text:
        return "action_check_winner"

    async def handle(self, dispatcher, tracker, domain):
        return await check_winners(dispatcher, tracker)


class ActionConfirmSuggestion(SafeAction):
    """affirm / deny after "หมายถึง … หรือไม่คะ" (slot ``suggested_body``)."""

    def name(self) -> Text:
        return "action_confirm_suggestion"

    async def handle(self, dispatcher, tracker, domain):
        suggested = tracker.get_slot("suggested_body")
        affirmed = intent_name(tracker) == "affirm"
        if not suggested:
            send(dispatcher, nothing_to_confirm(affirmed))
            return []
        if not affirmed:
            send(dispatcher, suggestion_denied())
            return [
                SlotSet("suggested_body", None),
                SlotSet("topic", TOPIC_AWARD_CHECK),
            ]
        events = await check_winners(dispatcher, tracker, [suggested])
        return [*events, SlotSet("suggested_body", None)]
