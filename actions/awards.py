"""Award actions: list, check and count winners; confirm a suggested body."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.common import (
    TOPIC_AWARD_CHECK,
    TOPIC_AWARD_COUNT,
    TOPIC_AWARD_LIST,
    SafeAction,
    call_repo,
    entity_values,
    first_entity,
    message_text,
    send,
)
from bot.content import repository
from bot.replies import (
    ask_body,
    format_check,
    format_count,
    format_winners,
    nothing_to_confirm,
    suggestion_denied,
)

MAX_CHECKS = 3


def _filters(tracker: Tracker) -> Dict[str, Optional[str]]:
    """category / ministry / kind from entities, else from the message text."""
    text = message_text(tracker)
    raw_cat = first_entity(tracker, "award_category")
    category = repository.normalise_category(raw_cat) if raw_cat else None
    if category is None:
        category = repository.find_category_in_text(text)
    raw_kind = first_entity(tracker, "body_kind")
    kind = repository.normalise_kind(raw_kind) if raw_kind else None
    if kind is None:
        kind = repository.find_kind_in_text(text)
    if kind == "province" and category is None:
        category, kind = "province", None
    ministry = first_entity(tracker, "ministry")
    return {"category": category, "ministry": ministry, "kind": kind, "_text": text}


async def list_winners(dispatcher, tracker) -> List[Dict[Text, Any]]:
    f = _filters(tracker)
    ministry = f["ministry"] or await call_repo(
        repository.find_ministry_in_text, f["_text"]
    )
    awards = await call_repo(repository.winners, f["category"], ministry, f["kind"])
    categories = await call_repo(repository.award_categories)
    send(
        dispatcher,
        format_winners(awards, categories, f["category"], ministry, f["kind"]),
    )
    return [
        SlotSet("topic", TOPIC_AWARD_LIST),
        SlotSet("last_award_category", f["category"]),
    ]


async def count_winners(dispatcher, tracker) -> List[Dict[Text, Any]]:
    f = _filters(tracker)
    ministry = f["ministry"] or await call_repo(
        repository.find_ministry_in_text, f["_text"]
    )
    result = await call_repo(
        repository.count_winners, f["category"], ministry, f["kind"]
    )
    send(dispatcher, format_count(result))
    return [
        SlotSet("topic", TOPIC_AWARD_COUNT),
        SlotSet("last_award_category", f["category"]),
    ]


async def named_bodies(tracker: Tracker) -> List[str]:
    """Names to check: body/province entities that resolve to a known name,
    else names found in the whole text, else the raw entities (so the reply
    can say which name was not found).

    The text scan also rescues a partial entity such as "เชียง" cut from
    "เชียงราย" by the model."""
    names = entity_values(tracker, "body") + entity_values(tracker, "province")
    known = [n for n in names if await call_repo(repository.resolve_body, n)]
    if known:
        return known
    found = await call_repo(repository.mentions, message_text(tracker))
    return [b.key for b in found] or names


async def check_winners(dispatcher, tracker, names: Optional[List[str]] = None):
    names = names if names is not None else await named_bodies(tracker)
    if not names:
        send(dispatcher, ask_body())
        return [SlotSet("topic", TOPIC_AWARD_CHECK)]
    events: List[Dict[Text, Any]] = [SlotSet("topic", TOPIC_AWARD_CHECK)]
    suggested = None
    last_body = None
    for name in names[:MAX_CHECKS]:
        result = await call_repo(repository.check_winner, name)
        send(dispatcher, format_check(result))
        if result.body is not None:
            last_body = result.body.key
        if result.status != "winner" and result.suggestion is not None:
            suggested = result.suggestion.key
    events.append(SlotSet("last_body", last_body))
    events.append(SlotSet("suggested_body", suggested))
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
        affirmed = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        if not suggested:
            send(dispatcher, nothing_to_confirm(affirmed))
            return []
        if not affirmed:
            send(dispatcher, suggestion_denied())
            return [
                SlotSet("suggested_body", None),
                SlotSet("topic", TOPIC_AWARD_CHECK),
            ]
        result = await call_repo(repository.check_winner, suggested)
        send(dispatcher, format_check(result))
        return [
            SlotSet("suggested_body", None),
            SlotSet("last_body", result.body.key if result.body else None),
            SlotSet("topic", TOPIC_AWARD_CHECK),
        ]
