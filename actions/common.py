"""Helpers shared by the actions: DB calls with a timeout, entity reading,
replies, and the sources each answer cited (slot ``last_sources``)."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from contextvars import ContextVar
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.unanswered import record_low_confidence
from bot import metrics, settings
from bot.replies import Reply, apology

logger = logging.getLogger(__name__)

# topic slot values
TOPIC_AWARD_LIST = "award_list"
TOPIC_AWARD_CHECK = "award_check"
TOPIC_AWARD_COUNT = "award_count"
TOPIC_LICENCES = "licences"
TOPIC_NOCOPY = "nocopy"
TOPIC_BIZPORTAL = "bizportal"

# The links the replies of the running action cited ("อ้างอิงจากไหน" next turn).
_cited: ContextVar[Optional[List[str]]] = ContextVar("cited", default=None)

ENTITY_NAMES = (
    "body",
    "province",
    "award_category",
    "ministry",
    "body_kind",
    "document_type",
    "business_type",
)


class RepositoryUnavailable(Exception):
    """The DB failed or did not answer in time."""


async def call_repo(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a blocking repository function in a thread, with a timeout
    (``settings.DB_TIMEOUT_S``)."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(fn, *args, **kwargs), timeout=settings.db_timeout_s()
        )
    except asyncio.TimeoutError as exc:
        logger.error("repository call %s timed out", getattr(fn, "__name__", fn))
        raise RepositoryUnavailable("timeout") from exc
    except SQLAlchemyError as exc:
        logger.exception("repository call %s failed", getattr(fn, "__name__", fn))
        raise RepositoryUnavailable(str(exc)) from exc


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    dispatcher.utter_message(**reply.as_kwargs())
    cited = _cited.get()
    if cited is not None:
        cited.extend(u for u in reply.sources if u not in cited)


def send_apology(dispatcher: CollectingDispatcher) -> None:
    send(dispatcher, apology())


def entity_values(tracker: Tracker, name: str) -> List[str]:
    """Values of entity ``name`` in the latest message, in order, without repeats."""
    out: List[str] = []
    for ent in (tracker.latest_message or {}).get("entities") or []:
        if ent.get("entity") == name and ent.get("value") not in (None, ""):
            value = str(ent["value"])
            if value not in out:
                out.append(value)
    return out


def entity_spans(tracker: Tracker, *names: str) -> List[Tuple[int, int]]:
    """(start, end) in the message text of the entities ``names`` tagged."""
    out = []
    for ent in (tracker.latest_message or {}).get("entities") or []:
        if ent.get("entity") in names and isinstance(ent.get("start"), int):
            out.append((int(ent["start"]), int(ent["end"])))
    return out


def first_entity(tracker: Tracker, name: str) -> Optional[str]:
    values = entity_values(tracker, name)
    return values[0] if values else None


def message_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def whole_text(tracker: Tracker) -> str:
    """The citizen's whole message: a long message reaches Rasa as its
    question only (bot/channels/hygiene.py), with the rest in its metadata."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            full = (event.get("metadata") or {}).get("full_text")
            return str(full) if full else message_text(tracker)
    return message_text(tracker)


def intent_name(tracker: Tracker) -> Optional[str]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name")


class SafeAction(Action, ABC):
    """Runs ``handle`` and answers with a Thai apology when the DB fails, so a
    citizen never gets silence. An answer given with low intent confidence is
    recorded for staff review (actions/unanswered.py). Abstract: rasa-sdk
    registers only subclasses."""

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        cited: List[str] = []
        token = _cited.set(cited)
        try:
            events = await self.handle(dispatcher, tracker, domain)
            if cited:
                events = [*events, SlotSet("last_sources", cited)]
            return events
        except RepositoryUnavailable:
            metrics.action_error(self.name())
            send_apology(dispatcher)
            return []
        finally:
            _cited.reset(token)
            await record_low_confidence(tracker)

    @abstractmethod
    async def handle(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        """Answers the latest message; may raise RepositoryUnavailable."""
