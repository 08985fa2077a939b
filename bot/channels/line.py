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

The formatting of bot messages into LINE message objects is done by pure
functions (`build_line_messages` and helpers), unit-tested on their own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import inspect
import json
import logging
import os
import time
import unicodedata
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Iterable, List

import aiohttp
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.hygiene import clean_incoming
from bot.channels.turns import (
    REPLY_SYSTEM_ERROR,
    apply_action_timeout,
    count_visible,
    run_turn,
)
from bot.replies import phrases

logger = logging.getLogger(__name__)

LINE_API_BASE = "https://api.line.me"
MAX_MESSAGES_PER_CALL = 5
MAX_TEXT_LENGTH = 5000
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL_LENGTH = 20
MAX_ACTION_TEXT_LENGTH = 300
MAX_BODY_BYTES = 1024 * 1024
# Reply tokens of the console's "Verify" request (old and new style).
DUMMY_REPLY_TOKENS = frozenset({"0" * 32, "f" * 32})
NON_TEXT_MESSAGE_TYPES = frozenset(
    {"sticker", "image", "video", "audio", "location", "file"}
)

TOPIC_BUTTONS: List[Dict[str, str]] = phrases.HELP_BUTTONS
REPLY_WELCOME = phrases.LINE_WELCOME
REPLY_NOT_TEXT = phrases.NOT_TEXT
# Rasa failed or the turn was silent (e.g. the action server is down).
REPLY_ERROR = REPLY_SYSTEM_ERROR


# --------------------------------------------------------------------------
# Pure formatting: Rasa bot messages -> LINE message objects
# --------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length as LINE counts it (UTF-16 code units; emoji outside BMP = 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _fitting_prefix(text: str, limit: int) -> int:
    """Number of characters of `text` whose UTF-16 length is <= `limit`."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _back_off_combining(text: str, cut: int) -> int:
    """Move `cut` left so a Thai vowel/tone mark stays with its letter."""
    while 1 < cut < len(text) and unicodedata.category(text[cut]).startswith("M"):
        cut -= 1
    return cut


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 units, ending with "…" if it was cut."""
    if utf16_len(text) <= limit:
        return text
    cut = _back_off_combining(text, _fitting_prefix(text, max(limit - 1, 0)))
    return text[:cut].rstrip() + "…"


def split_text(text: str, limit: int = MAX_TEXT_LENGTH) -> List[str]:
    """Split `text` into parts of at most `limit` UTF-16 units.

    Prefers paragraph, line and word breaks in the second half of a part;
    otherwise cuts hard (Thai has no spaces between words), never between a
    letter and its vowel or tone mark.
    """
    rest = text.strip()
    parts: List[str] = []
    while utf16_len(rest) > limit:
        cut = _fitting_prefix(rest, limit)
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            index = window.rfind(separator)
            if index > cut // 2:
                cut = index
                break
        else:
            cut = _back_off_combining(rest, cut)
        cut = max(cut, 1)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def text_message(text: str) -> Dict[str, Any]:
    """A LINE text message object."""
    return {"type": "text", "text": text}


def quick_reply_item(button: Dict[str, Any]) -> Dict[str, Any] | None:
    """One Rasa button as a LINE quick-reply item, or None if unusable.

    Buttons carry Thai text payloads; the item is a message action sending
    that text. A payload starting with "/" (an intent) is never sent: the
    title is sent instead. A button with an https ``url`` opens the page.
    """
    if not isinstance(button, dict):
        return None
    title = str(button.get("title") or "").strip()
    url = button.get("url")
    if isinstance(url, str) and url.startswith("https://") and title:
        label = shorten(title, MAX_LABEL_LENGTH)
        return {"type": "action", "action": {"type": "uri", "label": label, "uri": url}}
    payload = button.get("payload")
    payload = payload.strip() if isinstance(payload, str) else ""
    text = payload if payload and not payload.startswith("/") else title
    if not text:
        return None
    return {
        "type": "action",
        "action": {
            "type": "message",
            "label": shorten(title or text, MAX_LABEL_LENGTH),
            "text": shorten(text, MAX_ACTION_TEXT_LENGTH),
        },
    }


def quick_reply(buttons: Iterable[Dict[str, Any]]) -> Dict[str, Any] | None:
    """LINE ``quickReply`` object for the buttons (max 13, duplicates dropped)."""
    items: List[Dict[str, Any]] = []
    seen = set()
    for button in buttons:
        item = quick_reply_item(button)
        if item is None:
            continue
        action = item["action"]
        key = (action["type"], action.get("text") or action.get("uri"))
        if key in seen:
            continue
        seen.add(key)
        items.append(item)
        if len(items) == MAX_QUICK_REPLY_ITEMS:
            break
    return {"items": items} if items else None


def _message_objects(bot_message: Dict[str, Any]) -> List[Dict[str, Any]]:
    """LINE message objects for one collected Rasa bot message (no buttons)."""
    out: List[Dict[str, Any]] = []
    text = bot_message.get("text")
    if isinstance(text, str) and text.strip():
        out.extend(text_message(part) for part in split_text(text))
    image = bot_message.get("image")
    if isinstance(image, str) and image:
        if image.startswith("https://"):
            out.append(
                {"type": "image", "originalContentUrl": image, "previewImageUrl": image}
            )
        else:
            out.append(text_message(image))
    attachment = bot_message.get("attachment")
    if isinstance(attachment, str) and attachment.strip():
        out.extend(text_message(part) for part in split_text(attachment))
    custom = bot_message.get("custom")
    if isinstance(custom, dict) and "line" in custom:
        line_objects = custom["line"]
        if isinstance(line_objects, dict):
            line_objects = [line_objects]
        if isinstance(line_objects, list):
            out.extend(obj for obj in line_objects if isinstance(obj, dict))
    return out


def _as_text(message: Dict[str, Any]) -> str:
    """Best text rendering of a LINE message object, for merging."""
    if message.get("type") == "text":
        return str(message.get("text", ""))
    if message.get("type") == "image":
        return str(message.get("originalContentUrl", ""))
    return str(message.get("altText", ""))


def fit_to_limit(
    messages: List[Dict[str, Any]], max_messages: int = MAX_MESSAGES_PER_CALL
) -> List[Dict[str, Any]]:
    """At most `max_messages`: the rest are merged as text into the last one.

    The merged text is cut (with "…") at LINE's 5,000-unit limit; that only
    happens for answers of more than ~20,000 characters.
    """
    if len(messages) <= max_messages:
        return list(messages)
    head = list(messages[: max_messages - 1])
    tail_texts = [_as_text(m).strip() for m in messages[max_messages - 1 :]]
    merged = "\n\n".join(t for t in tail_texts if t)
    if utf16_len(merged) > MAX_TEXT_LENGTH:
        logger.warning("LINE reply too long; the last message was shortened.")
        merged = shorten(merged, MAX_TEXT_LENGTH)
    return head + [text_message(merged or "…")]


def build_line_messages(bot_messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """All bot messages of one turn -> at most 5 LINE message objects.

    Texts over 5,000 units are split, messages beyond the 5th are merged into
    the 5th, and every button of the turn becomes a quick-reply item on the
    last message (LINE shows quick replies of the last message only).
    """
    objects: List[Dict[str, Any]] = []
    buttons: List[Dict[str, Any]] = []
    for bot_message in bot_messages:
        objects.extend(_message_objects(bot_message))
        buttons.extend(bot_message.get("buttons") or [])
        buttons.extend(bot_message.get("quick_replies") or [])
    objects = fit_to_limit(objects)
    quick = quick_reply(buttons)
    if quick:
        if not objects:
            objects = [text_message("เลือกหัวข้อได้เลยค่ะ")]
        objects[-1] = {**objects[-1], "quickReply": quick}
    return objects


# --------------------------------------------------------------------------
# LINE API client
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LineApiResult:
    """Outcome of one call; `status` is None when LINE gave no HTTP answer."""

    ok: bool
    status: int | None = None
    request_id: str | None = None
    message: str | None = None

    @property
    def invalid_reply_token(self) -> bool:
        """LINE refused the reply token (invalid, used or expired)."""
        return (
            self.status == 400 and "invalid reply token" in (self.message or "").lower()
        )

    @property
    def retryable(self) -> bool:
        """No answer (timeout, connection error) or a 5xx."""
        return self.status is None or self.status >= 500


class LineApi:
    """Small async client for the reply and push endpoints.

    Every call has a timeout; errors are logged with LINE's
    ``x-line-request-id`` and returned, never raised.
    """

    def __init__(
        self,
        access_token: str,
        api_base_url: str = LINE_API_BASE,
        timeout: float = 10.0,
        push_attempts: int = 3,
        retry_backoff: float = 0.5,
    ) -> None:
        """Creates the client; the HTTP session is opened on first use."""
        self.access_token = access_token
        self.api_base_url = api_base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.push_attempts = max(1, push_attempts)
        self.retry_backoff = retry_backoff
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if (
            self._session is None
            or self._session.closed
            or self._session_loop is not loop
        ):
            self._session = aiohttp.ClientSession(timeout=self.timeout)
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        """Closes the HTTP session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _post(
        self,
        path: str,
        payload: Dict[str, Any],
        headers: Dict[str, str] | None = None,
    ) -> LineApiResult:
        url = f"{self.api_base_url}{path}"
        all_headers = {"Authorization": f"Bearer {self.access_token}"}
        all_headers.update(headers or {})
        try:
            async with self._get_session().post(
                url, json=payload, headers=all_headers
            ) as resp:
                request_id = resp.headers.get("x-line-request-id")
                body = await resp.text()
                if resp.status == 200:
                    return LineApiResult(True, resp.status, request_id)
                message = body
                try:
                    parsed = json.loads(body)
                    if isinstance(parsed, dict) and parsed.get("message"):
                        message = str(parsed["message"])
                except ValueError:
                    pass
                result = LineApiResult(False, resp.status, request_id, message[:500])
        except asyncio.TimeoutError:
            result = LineApiResult(False, None, None, "timeout")
        except aiohttp.ClientError as e:
            result = LineApiResult(False, None, None, f"{type(e).__name__}: {e}")
        logger.error(
            "LINE API %s failed: status=%s x-line-request-id=%s message=%s",
            path,
            result.status,
            result.request_id,
            result.message,
        )
        return result

    async def reply(
        self, reply_token: str, messages: List[Dict[str, Any]]
    ) -> LineApiResult:
        """POST /v2/bot/message/reply (one try: a reply token works once)."""
        return await self._post(
            "/v2/bot/message/reply", {"replyToken": reply_token, "messages": messages}
        )

    async def push(
        self, to: str, messages: List[Dict[str, Any]], retry_key: str | None = None
    ) -> LineApiResult:
        """POST /v2/bot/message/push, retried on 5xx/timeout with one retry key.

        LINE delivers a given ``X-Line-Retry-Key`` at most once; a 409 means an
        earlier try was already accepted, which counts as success.
        """
        key = retry_key or str(uuid.uuid4())
        result = LineApiResult(False)
        for attempt in range(self.push_attempts):
            result = await self._post(
                "/v2/bot/message/push",
                {"to": to, "messages": messages},
                headers={"X-Line-Retry-Key": key},
            )
            if result.ok:
                return result
            if result.status == HTTPStatus.CONFLICT:
                logger.info("LINE push already accepted (retry key %s).", key)
                return LineApiResult(True, result.status, result.request_id)
            if not result.retryable:
                return result
            if attempt + 1 < self.push_attempts:
                await asyncio.sleep(self.retry_backoff * (2**attempt))
        return result


# --------------------------------------------------------------------------
# Output channels
# --------------------------------------------------------------------------


class LineCollectingOutput(CollectingOutputChannel):
    """Collects a turn's bot messages; named "line" for channel-specific responses.

    Unlike the base collector, a text keeps its paragraphs in one message (one
    LINE bubble) instead of one message per paragraph.
    """

    @classmethod
    def name(cls) -> str:
        """Output channel name used by Rasa's response selection."""
        return "line"

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Stores the whole text as one message."""
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class LineOutput(OutputChannel):
    """Pushes each bot message (for messages Rasa sends outside a webhook turn)."""

    @classmethod
    def name(cls) -> str:
        """Channel name."""
        return "line"

    def __init__(self, api: LineApi) -> None:
        """Uses the channel's API client."""
        self.api = api

    async def _push(self, recipient_id: str, bot_message: Dict[str, Any]) -> None:
        messages = build_line_messages([bot_message])
        if messages:
            await self.api.push(recipient_id, messages)

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        """Pushes a text."""
        await self._push(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Pushes a text with quick replies."""
        await self._push(recipient_id, {"text": text, "buttons": buttons})

    async def send_image_url(
        self, recipient_id: str, image: str, **kwargs: Any
    ) -> None:
        """Pushes an image."""
        await self._push(recipient_id, {"image": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Pushes ``{"line": <LINE message object(s)>}`` custom payloads."""
        await self._push(recipient_id, {"custom": json_message})


# --------------------------------------------------------------------------
# Input channel
# --------------------------------------------------------------------------


class EventDeduplicator:
    """Remembers webhook event ids: bounded in-memory LRU with TTL.

    Per process only. With several Rasa instances (scale-out) a redelivered
    event can reach another instance: `RedisEventDeduplicator` shares the
    memory between them.
    """

    def __init__(
        self,
        max_entries: int = 10_000,
        ttl_seconds: float = 24 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Creates an empty cache."""
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, key: str) -> bool:
        """True the first time `key` is seen (within TTL); records it."""
        now = self.clock()
        while self._seen:
            oldest_key, seen_at = next(iter(self._seen.items()))
            if now - seen_at < self.ttl_seconds:
                break
            del self._seen[oldest_key]
        if key in self._seen:
            self._seen[key] = now
            self._seen.move_to_end(key)
            return False
        self._seen[key] = now
        if len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)
        return True


class RedisEventDeduplicator:
    """Event ids remembered in Redis (``SET <prefix><id> 1 NX EX <ttl>``), so
    that every Rasa instance behind the router skips a redelivered event.

    When Redis does not answer within ``timeout_s`` the event is checked
    against this process's `EventDeduplicator` instead: a rare duplicate
    answer is better than a citizen who gets none.
    """

    def __init__(
        self,
        url: str,
        ttl_seconds: int = 24 * 3600,
        key_prefix: str = "line:event:",
        timeout_s: float = 2.0,
    ) -> None:
        """Connects lazily to the Redis at `url` (redis:// or rediss://)."""
        import redis.asyncio

        self.ttl_seconds = ttl_seconds
        self.key_prefix = key_prefix
        self.fallback = EventDeduplicator(ttl_seconds=ttl_seconds)
        self.redis = redis.asyncio.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )

    async def first_time(self, key: str) -> bool:
        """True the first time any instance sees `key` (within TTL)."""
        try:
            stored = await self.redis.set(
                self.key_prefix + key, b"1", nx=True, ex=self.ttl_seconds
            )
        except Exception as error:  # noqa: BLE001 - any Redis failure falls back
            logger.warning(
                "LINE: Redis did not answer for event de-duplication (%s); this "
                "instance remembers event ids on its own until it does. Check "
                "LINE_DEDUP_REDIS_URL / LOCK_STORE_URL and the Redis server.",
                type(error).__name__,
            )
            return self.fallback.first_time(key)
        # also remembered here, so a Redis outage right after still skips it
        self.fallback.first_time(key)
        return bool(stored)


def deduplicator_from_env() -> EventDeduplicator | RedisEventDeduplicator:
    """Redis at ``LINE_DEDUP_REDIS_URL``, else at ``LOCK_STORE_URL`` when that
    is Redis (the scale-out set-up), else this process's memory."""
    from bot.stores import lock_store_url

    url = os.environ.get("LINE_DEDUP_REDIS_URL", "").strip()
    lock_url = lock_store_url() or ""
    if not url and lock_url.startswith(("redis://", "rediss://")):
        url = lock_url
    if url:
        return RedisEventDeduplicator(url)
    return EventDeduplicator()


def _sender_id(source: Dict[str, Any]) -> str | None:
    """Conversation id: the LINE user id (group/room id if the user is unknown)."""
    for key in ("userId", "groupId", "roomId"):
        value = source.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _push_target(source: Dict[str, Any]) -> str | None:
    """Where a push goes: the group or room it came from, else the user."""
    kind = source.get("type")
    key = {"group": "groupId", "room": "roomId"}.get(str(kind), "userId")
    value = source.get(key) or source.get("userId")
    return value if isinstance(value, str) and value else None


class LineInput(InputChannel):
    """LINE Messaging API input channel (webhook ``/webhooks/line/webhook``)."""

    @classmethod
    def name(cls) -> str:
        """Channel name, also the URL prefix."""
        return "line"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """Reads the ``bot.channels.line.LineInput:`` section of credentials.yml."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            channel_secret=credentials.get("channel_secret") or "",
            channel_access_token=credentials.get("channel_access_token") or "",
            api_base_url=credentials.get("api_base_url") or LINE_API_BASE,
            request_timeout=float(credentials.get("request_timeout", 10.0)),
            push_attempts=int(credentials.get("push_attempts", 3)),
        )

    def __init__(
        self,
        channel_secret: str,
        channel_access_token: str,
        api_base_url: str = LINE_API_BASE,
        request_timeout: float = 10.0,
        push_attempts: int = 3,
        retry_backoff: float = 0.5,
        deduplicator: EventDeduplicator | RedisEventDeduplicator | None = None,
    ) -> None:
        """Creates the channel. Without both secrets it stays switched off.

        The bot must start on a fresh machine that has no LINE account, so a
        missing secret does not stop Rasa; the webhook answers 503 and says
        which variables to set.
        """
        self.enabled = bool(channel_secret and channel_access_token)
        if not self.enabled:
            logger.warning(
                "LINE channel is off: set LINE_CHANNEL_SECRET and "
                "LINE_CHANNEL_ACCESS_TOKEN (see docs/line.md) and restart the bot."
            )
        self.channel_secret = channel_secret
        self.api = LineApi(
            channel_access_token,
            api_base_url,
            request_timeout,
            push_attempts,
            retry_backoff,
        )
        self.deduplicator = deduplicator or deduplicator_from_env()
        self._background_tasks: set[asyncio.Task] = set()

    def get_output_channel(self) -> OutputChannel | None:
        """Push-based output for messages outside a webhook turn."""
        return LineOutput(self.api)

    def verify_signature(self, body: bytes, signature: str | None) -> bool:
        """``X-Line-Signature`` == base64(HMAC-SHA256(raw body, channel secret))."""
        if not signature or not self.channel_secret:
            return False
        digest = hmac.new(self.channel_secret.encode("utf-8"), body, hashlib.sha256)
        expected = base64.b64encode(digest.digest())
        try:
            given = signature.strip().encode("ascii")
        except UnicodeEncodeError:
            return False
        return hmac.compare_digest(expected, given)

    async def drain(self) -> None:
        """Waits until every background event task has finished (tests, shutdown)."""
        while self._background_tasks:
            await asyncio.gather(*list(self._background_tasks), return_exceptions=True)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Health and webhook routes."""
        apply_action_timeout()
        line_webhook = Blueprint("line_webhook", __name__)

        @line_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @line_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json(
                    {
                        "error": "LINE channel not configured: set "
                        "LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN"
                    },
                    status=503,
                )
            body: bytes = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return response.json({"error": "body too large"}, status=413)
            if not self.verify_signature(body, request.headers.get("X-Line-Signature")):
                logger.warning("LINE webhook with missing or wrong signature refused.")
                return response.json({"error": "invalid signature"}, status=401)
            try:
                payload = json.loads(body)
                events = payload.get("events")
            except (ValueError, AttributeError):
                return response.json({"error": "invalid JSON"}, status=400)
            if not isinstance(events, list):
                return response.json({"error": "events must be a list"}, status=400)
            if events:
                self._spawn(self.handle_events(events, on_new_message))
            return response.json({})

        @line_webhook.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            await self.api.close()

        return line_webhook

    async def handle_events(
        self,
        events: List[Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Handles a batch: each user's events in order, users concurrently."""
        by_sender: Dict[str, List[Dict[str, Any]]] = {}
        for index, event in enumerate(events):
            if not isinstance(event, dict):
                continue
            source = (
                event.get("source") if isinstance(event.get("source"), dict) else {}
            )
            key = _sender_id(source) or f"#{index}"
            by_sender.setdefault(key, []).append(event)

        async def run_in_order(sender_events: List[Dict[str, Any]]) -> None:
            for event in sender_events:
                try:
                    await self.handle_event(event, on_new_message)
                except Exception:
                    logger.exception(
                        "LINE event %s failed.", event.get("webhookEventId")
                    )

        await asyncio.gather(*(run_in_order(evts) for evts in by_sender.values()))

    async def _first_time(self, event_id: str) -> bool:
        seen = self.deduplicator.first_time(event_id)
        return await seen if inspect.isawaitable(seen) else seen

    async def handle_event(
        self,
        event: Dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Handles one webhook event and sends at most one answer."""
        event_id = event.get("webhookEventId")
        if isinstance(event_id, str) and not await self._first_time(event_id):
            logger.info("LINE event %s already handled; skipped.", event_id)
            return
        if event.get("mode") == "standby":
            return
        reply_token = event.get("replyToken")
        if reply_token in DUMMY_REPLY_TOKENS:
            return
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        sender_id = _sender_id(source)
        if sender_id is None:
            return

        event_type = event.get("type")
        if event_type == "follow":
            messages = build_line_messages(
                [{"text": REPLY_WELCOME, "buttons": TOPIC_BUTTONS}]
            )
        elif event_type == "message":
            message = (
                event.get("message") if isinstance(event.get("message"), dict) else {}
            )
            if message.get("type") == "text":
                messages = await self._ask_rasa(
                    message.get("text"), sender_id, event, on_new_message
                )
            elif message.get("type") in NON_TEXT_MESSAGE_TYPES:
                messages = build_line_messages(
                    [{"text": REPLY_NOT_TEXT, "buttons": TOPIC_BUTTONS}]
                )
            else:
                return
        else:
            logger.debug("LINE event type %s ignored.", event_type)
            return
        if messages:
            await self.send(
                reply_token if isinstance(reply_token, str) else None,
                _push_target(source),
                messages,
            )

    async def _ask_rasa(
        self,
        text: Any,
        sender_id: str,
        event: Dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> List[Dict[str, Any]]:
        """Runs the guard and Rasa; returns the turn's LINE messages."""
        result = clean_incoming(text if isinstance(text, str) else None)
        if result.rejected:
            return build_line_messages([{"text": result.rejected_reason}])
        source = event.get("source") or {}
        metadata = {
            "line": {
                "source_type": source.get("type"),
                "webhook_event_id": event.get("webhookEventId"),
                "message_id": (event.get("message") or {}).get("id"),
                "timestamp": event.get("timestamp"),
                "is_redelivery": (event.get("deliveryContext") or {}).get(
                    "isRedelivery"
                ),
            }
        }
        collector = LineCollectingOutput()
        bot_messages: List[Dict[str, Any]] = []
        if result.notice:
            bot_messages.append({"text": result.notice})
        apologise = await run_turn(
            on_new_message,
            UserMessage(
                result.text,
                collector,
                sender_id=sender_id,
                input_channel=self.name(),
                metadata=result.metadata(metadata),
            ),
            lambda: count_visible(collector.messages),
        )
        bot_messages.extend(collector.messages)
        if apologise:
            bot_messages.append({"text": REPLY_ERROR})
        return build_line_messages(bot_messages)

    async def send(
        self,
        reply_token: str | None,
        push_to: str | None,
        messages: List[Dict[str, Any]],
    ) -> None:
        """One reply call; push (with a retry key) if the reply token is refused."""
        if reply_token:
            result = await self.api.reply(reply_token, messages)
            if result.ok or not result.invalid_reply_token:
                return
            logger.info("LINE reply token refused; pushing instead.")
        if push_to:
            await self.api.push(push_to, messages)
