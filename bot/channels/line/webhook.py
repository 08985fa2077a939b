"""The LINE input channel: webhook routes, event handling, one answer per event.

The signature is checked on the raw body; the webhook answers 200 at once and
handles the events in a background task (events of one user in order,
different users concurrently). Every bot message of a turn goes out in ONE
reply call; a refused reply token falls back to a push with a retry key.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.channels.hygiene import clean_incoming
from bot.channels.line.api import LINE_API_BASE, LineApi
from bot.channels.line.dedup import Deduplicator, deduplicator_from_env
from bot.channels.line.events import (
    DUMMY_REPLY_TOKENS,
    MAX_BODY_BYTES,
    NON_TEXT_MESSAGE_TYPES,
    event_source,
    loading_chat_id,
    postback_text,
    push_target,
    sender_id,
    verify_signature,
)
from bot.channels.line.messages import build_line_messages
from bot.channels.line.output import LineCollectingOutput, LineOutput
from bot.channels.turns import (
    REPLY_SYSTEM_ERROR,
    count_visible,
    run_turn,
)
from bot.privacy import line as line_privacy
from bot.rasa_ext import warn_unless_installed
from bot.replies import phrases

logger = logging.getLogger(__name__)

TOPIC_BUTTONS: List[Dict[str, str]] = phrases.HELP_BUTTONS
REPLY_WELCOME = phrases.LINE_WELCOME
REPLY_NOT_TEXT = phrases.NOT_TEXT
# Rasa failed or the turn was silent (e.g. the action server is down).
REPLY_ERROR = REPLY_SYSTEM_ERROR


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
        deduplicator: Deduplicator | None = None,
        loading_after_s: float | None = None,
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
        line_privacy.register(self.deduplicator)  # erasures forget its keys
        # LINE's loading animation for answers slower than this (0 = never)
        self.loading_after_s = (
            settings.line_loading_after_s()
            if loading_after_s is None
            else loading_after_s
        )
        self._background_tasks: set[asyncio.Task] = set()

    def get_output_channel(self) -> OutputChannel | None:
        """Push-based output for messages outside a webhook turn."""
        return LineOutput(self.api)

    def verify_signature(self, body: bytes, signature: str | None) -> bool:
        """``X-Line-Signature`` == base64(HMAC-SHA256(raw body, channel secret))."""
        return verify_signature(self.channel_secret, body, signature)

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
        warn_unless_installed(self.name())
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
            key = sender_id(event_source(event)) or f"#{index}"
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

    async def handle_event(
        self,
        event: Dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Handles one webhook event and sends at most one answer."""
        event_id = event.get("webhookEventId")
        if isinstance(event_id, str) and not await self.deduplicator.first_time(
            line_privacy.dedup_key(event, event_id)  # per user: erasable
        ):
            logger.info("LINE event %s already handled; skipped.", event_id)
            return
        if event.get("mode") == "standby":
            return
        reply_token = event.get("replyToken")
        if reply_token in DUMMY_REPLY_TOKENS:
            return
        source = event_source(event)
        user = sender_id(source)
        if user is None:
            return

        event_type = event.get("type")
        if event_type == "follow":
            welcome = await line_privacy.welcome_text(
                user, REPLY_WELCOME, on_new_message
            )  # with the privacy notice
            messages = build_line_messages(
                [{"text": welcome, "buttons": TOPIC_BUTTONS}]
            )
        elif event_type == "unfollow":  # blocked: erase (bot/privacy/line.py)
            await line_privacy.on_unfollow(user, on_new_message)
            return
        elif event_type == "message":
            message = (
                event.get("message") if isinstance(event.get("message"), dict) else {}
            )
            if message.get("type") == "text":
                messages = await self._ask_rasa(
                    message.get("text"), user, event, on_new_message
                )
            elif message.get("type") in NON_TEXT_MESSAGE_TYPES:
                messages = build_line_messages(
                    [{"text": REPLY_NOT_TEXT, "buttons": TOPIC_BUTTONS}]
                )
            else:
                return
        elif event_type == "postback":
            text = postback_text(event)
            if text is None:
                return
            messages = await self._ask_rasa(text, user, event, on_new_message)
        else:
            logger.debug("LINE event type %s ignored.", event_type)
            return
        if messages:
            await self.send(
                reply_token if isinstance(reply_token, str) else None,
                push_target(source),
                messages,
            )

    async def _ask_rasa(
        self,
        text: Any,
        user: str,
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
        if event.get("type") == "postback":
            metadata["line"]["postback"] = True
        loading = self._loading_timer(loading_chat_id(source))
        try:
            apologise = await run_turn(
                on_new_message,
                UserMessage(
                    result.text,
                    collector,
                    sender_id=user,
                    input_channel=self.name(),
                    metadata=result.metadata(metadata),
                ),
                lambda: count_visible(collector.messages),
            )
        finally:
            loading.stop()
        bot_messages.extend(collector.messages)
        if apologise:
            bot_messages.append({"text": REPLY_ERROR})
        return build_line_messages(bot_messages)

    def _loading_timer(self, chat_id: str | None) -> "_LoadingTimer":
        """Shows LINE's loading animation if the answer takes longer than
        `loading_after_s`; the reply never waits for it."""
        timer = _LoadingTimer()
        if chat_id and self.enabled and self.loading_after_s > 0:
            timer.task = asyncio.ensure_future(self._show_loading(chat_id, timer))
            self._background_tasks.add(timer.task)
            timer.task.add_done_callback(self._background_tasks.discard)
        return timer

    async def _show_loading(self, chat_id: str, timer: "_LoadingTimer") -> None:
        await asyncio.sleep(self.loading_after_s)
        timer.calling = True
        await self.api.start_loading(chat_id, settings.line_loading_seconds())

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


class _LoadingTimer:
    """The pending loading-animation call of one turn."""

    def __init__(self) -> None:
        self.task: asyncio.Task | None = None
        self.calling = False

    def stop(self) -> None:
        """The answer is ready: no animation any more (a call already on its
        way is left to finish in the background; LINE ends it on the reply)."""
        if self.task is not None and not self.calling:
            self.task.cancel()
