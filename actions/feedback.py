"""action_record_feedback (intents feedback_good / feedback_bad): store the
citizen's 👍 / 👎 for the answer just given, and thank them."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import send
from bot import insights, settings
from bot.content import records
from bot.replies import feedback_thanks

logger = logging.getLogger(__name__)


class ActionRecordFeedback(Action):
    def name(self) -> Text:
        return "action_record_feedback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        rating = "bad" if intent == "feedback_bad" else "good"
        rated = insights.rated_answer(tracker.events or [])
        if rated is not None:
            try:
                await asyncio.wait_for(
                    asyncio.to_thread(
                        records.record_rating,
                        intent=rated[0],
                        rating=rating,
                        channel=tracker.get_latest_input_channel(),
                        action=rated[1],
                        message_ref=insights.message_ref(
                            tracker.sender_id, message.get("message_id")
                        ),
                    ),
                    timeout=settings.db_timeout_s(),
                )
            except Exception as exc:  # log and still thank
                logger.warning(
                    "Could not record a rating (%s). Check DATABASE_URL and run "
                    "`python -m bot.content.importer` to create the tables.",
                    exc,
                )
        send(dispatcher, feedback_thanks(rating, rated is not None))
        return []
