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
from typing import Any, Awaitable, Callable, Iterable

from rasa.core.channels.channel import UserMessage

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
) -> bool:
    """Runs one turn; True if the citizen must get `REPLY_SYSTEM_ERROR`.

    `replies_sent` tells how many visible bot messages the turn produced (it
    is called after the turn). An exception from Rasa is logged, not raised.
    """
    failed = False
    try:
        await on_new_message(message)
    except Exception:
        failed = True
        logger.exception(
            "%s: Rasa failed on a message from %s; the citizen got the apology. "
            "Read the traceback below and the action server log.",
            message.input_channel,
            message.sender_id,
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
            message.sender_id,
            action_timeout_s(),
        )
        return True
    return False
