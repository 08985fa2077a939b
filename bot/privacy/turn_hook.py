"""What the turn runner does for privacy after Rasa has saved a turn.

`after_turn` is called by `bot.channels.turns.run_turn` once a turn produced
its answer (REST, socket.io and LINE alike):

1. **Erasure.** If the turn ran `ERASE_ACTION` (the citizen said yes to
   "ลบข้อมูลของฉัน"), the conversation is erased now: Rasa has saved the turn,
   and the conversation's lock (Rasa's own lock store: in memory, or Redis
   shared by every instance) is taken again, so no turn of the same
   conversation can run, or write its session back, during the deletion. The
   action only said so; it deleted nothing (Rasa's SQL store would write the
   whole session back when saving the turn). Channel keys (LINE
   de-duplication) go through the forgetters channels register
   (`register_forgetter`). The citizen's next message finds no tracker and
   starts a fresh conversation.
2. **Notice.** Otherwise, the first time a conversation gets an answer, the
   privacy notice (bot/replies/privacy.py) is sent as the last message, once
   per `NOTICE_VERSION`; "already shown" is kept in the service database
   (bot/privacy/records.py).

Neither step can make a turn fail: a notice that cannot be recorded is not
sent (it comes with a later answer), and a failed erasure is told to the
citizen in Thai and logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage

from bot import settings
from bot.privacy.erasure import (
    Erased,
    erase_conversation,
    erase_requested,
    forget_cached,
    tracker_engine_of,
)
from bot.privacy.records import claim_notice, record_request
from bot.privacy.reference import log_ref, reference_code
from bot.replies import privacy as wording

logger = logging.getLogger(__name__)

# channel name -> async callable that forgets a sender's keys; returns a count
Forgetter = Callable[[str], Awaitable[int]]
_FORGETTERS: Dict[str, Forgetter] = {}


def register_forgetter(channel: str, forget: Forgetter) -> None:
    """A channel's clean-up for erasures of its conversations (the latest
    registration of a channel wins: one channel object per Rasa process)."""
    _FORGETTERS[channel] = forget


def find_agent(on_new_message: Any) -> Any:
    """Rasa's agent behind a channel's `on_new_message` handler, or None.

    Rasa's `register` makes the handler a closure over the Sanic app, whose
    ``ctx.agent`` is the agent; without it, the one running app's agent.
    """
    for cell in getattr(on_new_message, "__closure__", None) or ():
        try:
            agent = getattr(cell.cell_contents.ctx, "agent", None)
        except (AttributeError, ValueError):
            continue
        if agent is not None:
            return agent
    try:
        from sanic import Sanic

        agents = [
            getattr(app.ctx, "agent", None) for app in Sanic._app_registry.values()
        ]
    except Exception:  # noqa: BLE001 - no app, no agent
        return None
    agents = [a for a in agents if getattr(a, "tracker_store", None) is not None]
    return agents[0] if len(agents) == 1 else None


async def erase_now(
    agent: Any, sender_id: str, channel: Optional[str], actor: str, action: str
) -> Erased:
    """Erases the conversation under its lock; records the request (audit)."""
    engine = tracker_engine_of(agent.tracker_store)
    if engine is None:
        raise RuntimeError("the tracker store is not an SQL store")
    async with agent.lock_store.lock(sender_id, wait_time_in_seconds=0.1):
        erased = await asyncio.to_thread(erase_conversation, engine, sender_id)
        forget_cached(agent.tracker_store, sender_id)
        forget = _FORGETTERS.get(channel or "")
        if forget is not None:
            erased.line_keys += await forget(sender_id)
    await asyncio.to_thread(
        record_request, actor, action, reference_code(sender_id), erased.events
    )
    forget_shown(sender_id)
    logger.info("privacy: %s erased (%s).", log_ref(sender_id), erased.summary())
    return erased


async def _send(message: UserMessage, text: str) -> None:
    await message.output_channel.send_text_message(message.sender_id, text)


async def after_turn(
    on_new_message: Any, message: UserMessage, started_at: float
) -> None:
    """Erasure or notice after a turn that answered (see the module text)."""
    sender_id = message.sender_id
    agent = find_agent(on_new_message)
    if getattr(agent, "tracker_store", None) is None:
        return  # not a Rasa agent (channel tests with a fake handler)
    engine = tracker_engine_of(agent.tracker_store)
    if engine is not None:
        try:
            asked = await asyncio.to_thread(
                erase_requested, engine, sender_id, started_at
            )
        except Exception as error:  # noqa: BLE001
            logger.warning(
                "privacy: could not check %s for an erasure request (%s).",
                log_ref(sender_id),
                type(error).__name__,
            )
            asked = False
        if asked:
            try:
                await erase_now(
                    agent, sender_id, message.input_channel, "citizen", "chat_erase"
                )
            except Exception:
                logger.exception(
                    "privacy: erasing %s failed; the citizen was told to try "
                    "again. Check the tracker store and DATABASE_URL.",
                    log_ref(sender_id),
                )
                await _send(message, wording.ERASURE_FAILED)
            return
    await send_notice_once(message)


def notice_text(sender_id: str) -> str:
    """The notice for this conversation (its reference code, the settings)."""
    return wording.notice(
        settings.retention_days(),
        reference_code(sender_id),
        settings.privacy_page_url(),
    )


# (conversation, version) known to have had the notice, so that later turns
# do not touch the database; bounded, least recently used dropped first
_SHOWN: "OrderedDict[tuple[str, str], None]" = OrderedDict()
_SHOWN_MAX = 50_000


def _remember(key: tuple[str, str]) -> None:
    _SHOWN[key] = None
    _SHOWN.move_to_end(key)
    while len(_SHOWN) > _SHOWN_MAX:
        _SHOWN.popitem(last=False)


def forget_shown(sender_id: str) -> None:
    """After an erasure: the fresh conversation gets the notice again."""
    for key in [k for k in _SHOWN if k[0] == sender_id]:
        del _SHOWN[key]


async def claim(sender_id: str) -> bool:
    """True (once per conversation and notice version) if the notice is due."""
    if not settings.privacy_notice_enabled():
        return False
    key = (sender_id, settings.privacy_notice_version())
    if key in _SHOWN:
        _SHOWN.move_to_end(key)
        return False
    try:
        due = await asyncio.wait_for(
            asyncio.to_thread(claim_notice, *key),
            timeout=settings.db_timeout_s(),
        )
        _remember(key)
        return due
    except Exception as error:  # noqa: BLE001 - shown with a later answer
        logger.warning(
            "privacy: could not record the notice for %s (%s); it is sent with "
            "a later answer. Run the migrations (python -m bot.content.importer).",
            log_ref(sender_id),
            type(error).__name__,
        )
        return False


async def send_notice_once(message: UserMessage) -> None:
    """Sends the notice as the turn's last message if it is due."""
    if await claim(message.sender_id):
        await _send(message, notice_text(message.sender_id))
