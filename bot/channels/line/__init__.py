"""LINE Messaging API channel.

credentials.yml::

    bot.channels.line.LineInput:
      channel_secret: ${LINE_CHANNEL_SECRET}
      channel_access_token: ${LINE_CHANNEL_ACCESS_TOKEN}
      # optional:
      # api_base_url: https://api.line.me
      # request_timeout: 10        # seconds, every call to LINE
      # push_attempts: 3           # push tries on 5xx / timeout (same retry key)

Routes: ``POST /webhooks/line/webhook`` (LINE's webhook), ``GET /webhooks/line/``
(health). Setup steps: docs/line.md.

Flow: the signature (``X-Line-Signature``) is checked on the raw body; the
webhook answers 200 at once and handles the events in a background task
(events of one user in order, different users concurrently). Each event is
handled once (``webhookEventId``), standby-mode events and LINE's verify
request get no answer. A text goes through `clean_incoming` to Rasa; all bot
messages of the turn are collected and sent in ONE reply call; if the reply
token is invalid or expired the messages are pushed instead, with an
``X-Line-Retry-Key`` so retries are never delivered twice.

Modules, one job each:

* ``messages``: Rasa bot messages -> LINE message objects (pure functions);
* ``text``: LINE's UTF-16 lengths, shortening and splitting Thai text;
* ``flex``: card payloads (bot/replies/cards.py) -> Flex Messages;
* ``api``: the HTTP client (reply, push with retry key);
* ``output``: the per-turn collector and the push output channel;
* ``dedup``: webhook event de-duplication (memory or Redis);
* ``events``: signature check and event fields;
* ``webhook``: `LineInput`, the input channel itself.

This package re-exports `LineInput`, so the credentials key
``bot.channels.line.LineInput`` keeps working.
"""

from bot.channels.line.api import LINE_API_BASE, LineApi, LineApiResult
from bot.channels.line.dedup import (
    Deduplicator,
    EventDeduplicator,
    RedisEventDeduplicator,
    deduplicator_from_env,
)
from bot.channels.line.events import (
    DUMMY_REPLY_TOKENS,
    MAX_BODY_BYTES,
    NON_TEXT_MESSAGE_TYPES,
    verify_signature,
)
from bot.channels.line.messages import (
    MAX_ACTION_TEXT_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_MESSAGES_PER_CALL,
    MAX_QUICK_REPLY_ITEMS,
    build_line_messages,
    fit_to_limit,
    quick_reply,
    quick_reply_item,
    text_message,
)
from bot.channels.line.output import LineCollectingOutput, LineOutput
from bot.channels.line.text import MAX_TEXT_LENGTH, shorten, split_text, utf16_len
from bot.channels.line.webhook import (
    REPLY_ERROR,
    REPLY_NOT_TEXT,
    REPLY_WELCOME,
    TOPIC_BUTTONS,
    LineInput,
)

__all__ = [
    "DUMMY_REPLY_TOKENS",
    "LINE_API_BASE",
    "MAX_ACTION_TEXT_LENGTH",
    "MAX_BODY_BYTES",
    "MAX_LABEL_LENGTH",
    "MAX_MESSAGES_PER_CALL",
    "MAX_QUICK_REPLY_ITEMS",
    "MAX_TEXT_LENGTH",
    "NON_TEXT_MESSAGE_TYPES",
    "REPLY_ERROR",
    "REPLY_NOT_TEXT",
    "REPLY_WELCOME",
    "TOPIC_BUTTONS",
    "Deduplicator",
    "EventDeduplicator",
    "LineApi",
    "LineApiResult",
    "LineCollectingOutput",
    "LineInput",
    "LineOutput",
    "RedisEventDeduplicator",
    "build_line_messages",
    "deduplicator_from_env",
    "fit_to_limit",
    "quick_reply",
    "quick_reply_item",
    "shorten",
    "split_text",
    "text_message",
    "utf16_len",
    "verify_signature",
]
