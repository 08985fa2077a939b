"""action_record_unanswered and the low-confidence hook SafeAction.run calls:
store what the bot could not answer well, for staff to review with
``python -m bot.admin unanswered``.

action_record_unanswered runs in two cases: the rule for ``nlu_fallback``
(NLU was unsure), and RulePolicy's core fallback (config.yml's
``core_fallback_action_name``: no dialogue policy could place the message)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot import followups, insights, metrics, settings
from bot.content import records, repository

logger = logging.getLogger(__name__)


async def record(tracker: Tracker, reason: str) -> bool:
    """Store the latest message as unanswered. Never raises: a failure to
    record must not cost the citizen the reply."""
    data = insights.unanswered_record(
        tracker.latest_message or {},
        reason,
        tracker.get_latest_input_channel(),
        tracker.sender_id,
    )
    if data is None:
        return False
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(records.record_unanswered, **data),
            timeout=settings.db_timeout_s(),
        )
    except Exception as exc:  # any DB problem: log and go on
        logger.warning(
            "Could not record an unanswered question (%s). Check DATABASE_URL and "
            "run `python -m bot.content.importer` to create the tables.",
            exc,
        )
        return False


async def record_low_confidence(tracker: Tracker) -> None:
    """Called after every answer: records it when the intent was uncertain."""
    if insights.is_low_confidence(tracker.latest_message or {}):
        await record(tracker, "low_confidence")


def fallback_reason(parse_data: Dict[str, Any]) -> str:
    """``fallback`` when NLU gave up, else ``core_fallback`` (the intent was
    clear but no dialogue policy knew what to do next)."""
    intent = (parse_data.get("intent") or {}).get("name")
    return "fallback" if intent == "nlu_fallback" else "core_fallback"


async def _is_follow_up(topic: str, text: str) -> bool:
    """The words name a case of the topic just answered: a No-Copy or Biz
    Portal cue, or a business type after licences."""
    if followups.cue(topic, text):
        return True
    if topic == "licences":
        try:
            found = await asyncio.wait_for(
                asyncio.to_thread(repository.licences_for, text),
                timeout=settings.db_timeout_s(),
            )
        except Exception:  # a DB problem: answer as a plain fallback
            return False
        return found is not None
    return False


class ActionRecordUnanswered(Action):
    """Records the message, then answers exactly like ``utter_default``."""

    def name(self) -> Text:
        return "action_record_unanswered"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        reason = fallback_reason(tracker.latest_message or {})
        metrics.fallback(reason)
        await record(tracker, reason)
        topic = tracker.get_slot("topic")
        text = str((tracker.latest_message or {}).get("text") or "")
        if reason == "fallback" and topic and await _is_follow_up(topic, text):
            # NLU was unsure, but the words name a case of the topic just
            # answered ("แล้วถ้าให้หลานไปทำแทนล่ะจ๊ะ" after No Copy)
            return [FollowupAction("action_followup")]
        dispatcher.utter_message(response="utter_default")
        if reason == "core_fallback":
            # No rule covers this state, so none would predict listening next
            # either: without this the fallback would be predicted again.
            return [FollowupAction("action_listen")]
        return []
