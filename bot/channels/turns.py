"""One conversation turn as every public channel runs it: never silence.

In Rasa 3.6 a custom action that fails (action server down, too slow, HTTP
error) is only logged; the turn ends without a bot message and the citizen
would wait for nothing. Every channel (REST, socket.io, LINE) therefore runs
its turn through `run_turn`, which reports whether the citizen must get
`REPLY_SYSTEM_ERROR` instead: when Rasa raised, or when the turn produced no
bot message at all.

The action-server timeout is one of this bot's Rasa extensions
(bot/rasa_ext/patches.py).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable, Iterable, Optional

from rasa.core.channels.channel import UserMessage

from bot import metrics
from bot.channels import limits
from bot.privacy.reference import log_ref
from bot.privacy.turn_hook import after_turn
from bot.replies import phrases
from bot.settings import action_timeout_s

logger = logging.getLogger(__name__)

REPLY_SYSTEM_ERROR = phrases.SYSTEM_ERROR  # the one apology (bot/replies)

# Keys of a collected Rasa bot message that the citizen can see.
_VISIBLE_KEYS = ("text", "buttons", "image", "attachment", "custom", "quick_replies")

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def is_visible(bot_message: Any) -> bool:
    """True if a collected bot message shows the citizen something."""
    if not isinstance(bot_message, dict):
        return False
    return any(bot_message.get(key) for key in _VISIBLE_KEYS)


def count_visible(bot_messages: Iterable[Any]) -> int:
    """Number of collected bot messages the citizen can see."""
    return sum(1 for message in bot_messages if is_visible(message))


async def run_turn(
    on_new_message: OnNewMessage,
    message: UserMessage,
    replies_sent: Callable[[], int],
    on_refused: Optional[Callable[[limits.Refusal], None]] = None,
) -> bool:
    """Runs one turn; True if the citizen must get `REPLY_SYSTEM_ERROR`.

    `replies_sent` tells how many visible bot messages the turn produced (it
    is called after the turn). An exception from Rasa is logged, not raised.

    First the limits (`bot.channels.limits.admit`): a refused message never
    reaches Rasa. `on_refused` gets the `Refusal` (REST answers 429 / 503);
    without it the notice, when due, goes to the message's output channel
    (socket.io, LINE). A refused turn returns False (no apology).
    """
    refusal = await limits.admit(message.input_channel or "", message.sender_id)
    if refusal is not None:
        if on_refused is not None:
            on_refused(refusal)
        elif refusal.notice_due and message.output_channel is not None:
            await message.output_channel.send_text_message(
                message.sender_id, refusal.text
            )
        return False
    started = time.perf_counter()
    with limits.INFLIGHT.turn(message.input_channel or "", message.sender_id):
        apologise = await _run_admitted(on_new_message, message, replies_sent)
    metrics.turn_done(
        message.input_channel or "", time.perf_counter() - started, apologise
    )
    return apologise


async def _run_admitted(
    on_new_message: OnNewMessage,
    message: UserMessage,
    replies_sent: Callable[[], int],
) -> bool:
    failed = False
    turn_started = time.time()  # Rasa's event timestamps (bot.privacy.turn_hook)
    try:
        await on_new_message(message)
    except Exception:
        failed = True
        logger.exception(
            "%s: Rasa failed on a message from %s; the citizen got the apology. "
            "Read the traceback below and the action server log.",
            message.input_channel,
            log_ref(message.sender_id),
        )
    if failed:
        return True
    if replies_sent() == 0:
        logger.warning(
            "%s: the turn of %s produced no bot message (a custom action failed "
            "or timed out, see the errors above); the citizen got the apology. "
            "Check that the action server is running and answers within "
            "ACTION_TIMEOUT_S=%s s.",
            message.input_channel,
            log_ref(message.sender_id),
            action_timeout_s(),
        )
        return True
    # erasure asked for in this turn, or the privacy notice (never fails)
    await after_turn(on_new_message, message, turn_started)
    return False
