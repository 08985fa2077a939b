"""REST and socket.io channels with the shared input guard.

credentials.yml (replacing the built-in ``rest:`` / ``socketio:`` entries)::

    bot.channels.rest.SafeRestInput:
    bot.channels.rest.SafeSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

The URLs stay the built-in ones: ``POST /webhooks/rest/webhook`` and the
socket.io endpoint ``/socket.io``.

Both run each turn through `bot.channels.turns.run_turn`: when Rasa fails or
a turn produces no bot message (e.g. the action server is down or too slow),
the citizen gets `REPLY_SYSTEM_ERROR` with the hotlines instead of silence.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Union

import rasa.utils.endpoints
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels.cards import CardCollectingOutput, cards_of
from bot.channels.hygiene import (
    MAX_SENDER_CHARS,
    CleanResult,
    carries_personal_data,
    clean_incoming,
    clean_metadata,
    conversation_id,
    sender_id_problem,
)
from bot.channels.limits import Refusal
from bot.channels.turns import (
    REPLY_SYSTEM_ERROR,
    count_visible,
    is_visible,
    run_turn,
)
from bot.privacy.reference import log_ref
from bot.rasa_ext import warn_unless_installed
from bot.readiness import add_rasa_routes

logger = logging.getLogger(__name__)

# A 10,000-character Thai message is ~60 KB as escaped JSON; longer messages
# are still accepted (and truncated with a notice) up to this size.
MAX_BODY_BYTES = 512 * 1024
__all__ = ["MAX_SENDER_CHARS", "SafeRestInput", "SafeSocketIOInput", "parse_rest_body"]


class BadRequest(Exception):
    """A client error to answer with a 400 JSON body."""


def _error(message: str, status: int = HTTPStatus.BAD_REQUEST) -> HTTPResponse:
    return response.json({"error": "bad_request", "message": message}, status=status)


def parse_rest_body(body: bytes) -> Dict[str, Any]:
    """Validate a REST webhook body; return {sender, reply_to, message,
    metadata}.

    Raises `BadRequest` for invalid JSON, a non-object body, a missing or
    non-string ``message`` or a ``sender`` refused by `sender_id_problem`.
    ``sender`` is the id the conversation is stored under (`conversation_id`:
    pseudonymised when the client's id carries personal data); ``reply_to`` is
    the client's own id, which the answers carry as ``recipient_id``. The
    metadata is replaced by `clean_metadata`'s bounded, masked copy.
    """
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("body must be valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    sender = data.get("sender")
    if isinstance(sender, bool) or not isinstance(sender, (str, int)):
        raise BadRequest('"sender" is required (string)')
    sender = str(sender).strip()
    problem = sender_id_problem(sender)
    if problem:
        raise BadRequest(problem)
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest('"message" is required (string)')
    return {
        "sender": conversation_id(sender),
        "reply_to": sender,
        "message": message,
        "metadata": clean_metadata(data.get("metadata")),
    }


def _bot_message(recipient_id: str, text: str) -> Dict[str, Any]:
    return {"recipient_id": recipient_id, "text": text}


def _addressed(message: Dict[str, Any], reply_to: str) -> Dict[str, Any]:
    """`message` addressed to the client's own id (the stored id may be its
    pseudonym)."""
    if isinstance(message, dict) and "recipient_id" in message:
        return {**message, "recipient_id": reply_to}
    return message


class SafeRestInput(RestInput):
    """`RestInput` with body validation and `clean_incoming` on every message.

    Differences from the built-in channel: bad requests get a JSON 400 instead
    of a 500; ``input_channel`` is always ``rest`` (a client cannot pretend to
    be another channel); a rejected message is answered with the polite reply
    without calling Rasa; a notice (e.g. "truncated") is the first bot message.
    """

    @classmethod
    def name(cls) -> str:
        """Same name as the built-in channel, so the URL stays /webhooks/rest/."""
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Health route and the guarded webhook."""
        warn_unless_installed(self.name())
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            # model_id: which model is serving (a new one goes live without a
            # restart, bot/rasa_ext/model_watch.py; `bot.admin reload` waits
            # for it here)
            agent = getattr(request.app.ctx, "agent", None)
            return response.json(
                {"status": "ok", "model_id": getattr(agent, "model_id", None)}
            )

        add_rasa_routes(bp)  # /ready and /metrics (bot/readiness.py)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[HTTPResponse, ResponseStream]:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return _error("body too large", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            try:
                parsed = parse_rest_body(request.body)
            except BadRequest as e:
                return _error(str(e))
            sender_id, reply_to = parsed["sender"], parsed["reply_to"]
            result = clean_incoming(parsed["message"])
            if result.rejected:
                return response.json(
                    [_bot_message(reply_to, result.rejected_reason or "")]
                )

            stream = rasa.utils.endpoints.bool_arg(request, "stream", default=False)
            if stream:
                return response.stream(
                    self._guarded_stream(on_new_message, result, sender_id, parsed),
                    content_type="text/event-stream",
                )

            collector = CardCollectingOutput()  # cards stay on their text
            user_message = UserMessage(
                result.text,
                collector,
                sender_id,
                input_channel=self.name(),
                metadata=result.metadata(parsed["metadata"]),
            )
            refused: List[Refusal] = []
            try:
                apologise = await run_turn(
                    on_new_message,
                    user_message,
                    lambda: count_visible(collector.messages),
                    on_refused=refused.append,
                )
            except asyncio.CancelledError:
                logger.error(
                    "rest: the turn of %s was cancelled (client gone or server "
                    "stopping); nothing was sent.",
                    log_ref(sender_id),
                )
                raise
            if refused:  # over a limit: never reached Rasa (bot/channels/limits)
                return refused[0].http_response()
            messages: List[Dict[str, Any]] = []
            if result.notice:
                messages.append(_bot_message(reply_to, result.notice))
            messages.extend(_addressed(m, reply_to) for m in collector.messages)
            if apologise:
                messages.append(_bot_message(reply_to, REPLY_SYSTEM_ERROR))
            return response.json(messages)

        return bp

    def _guarded_stream(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        result: CleanResult,
        sender_id: str,
        parsed: Dict[str, Any],
    ) -> Callable[[Any], Awaitable[None]]:
        """Streams the notice, each bot message as it comes, then the apology
        if the turn failed or was silent (one JSON object per line)."""

        reply_to = parsed["reply_to"]

        async def stream(resp: Any) -> None:
            if result.notice:
                await resp.write(
                    json.dumps(_bot_message(reply_to, result.notice)) + "\n"
                )
            queue: asyncio.Queue = asyncio.Queue()
            done = object()
            output = _CountingQueueOutput(queue)
            user_message = UserMessage(
                result.text,
                output,
                sender_id,
                input_channel=self.name(),
                metadata=result.metadata(parsed["metadata"]),
            )

            async def turn() -> bool:
                try:
                    return await run_turn(
                        on_new_message,
                        user_message,
                        lambda: output.visible,
                        # over a limit: the status is sent, the notice is the line
                        on_refused=lambda r: queue.put_nowait(
                            _bot_message(reply_to, r.text)
                        ),
                    )
                finally:
                    await queue.put(done)

            task = asyncio.ensure_future(turn())
            while True:
                item = await queue.get()
                if item is done:
                    break
                await resp.write(json.dumps(_addressed(item, reply_to)) + "\n")
            if await task:
                await resp.write(
                    json.dumps(_bot_message(reply_to, REPLY_SYSTEM_ERROR)) + "\n"
                )

        return stream


class _CountingQueueOutput(QueueOutputChannel):
    """`QueueOutputChannel` that counts the visible bot messages it queued."""

    def __init__(self, queue: asyncio.Queue) -> None:
        super().__init__(queue)
        self.visible = 0

    async def _persist_message(self, message: Dict[str, Any]) -> None:
        if is_visible(message):
            self.visible += 1
        await super()._persist_message(message)


class _CountingSocketIOOutput(SocketIOOutput):
    """`SocketIOOutput` that counts the bot messages it emitted."""

    def __init__(self, sio: Any, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """Cards go as ``{"custom": {"cards": …}}``; the web chat puts them on
        the text before (Rasa's own method would pass the keys to ``emit``)."""
        if cards_of(json_message) is not None:
            await self._send_message(recipient_id, {"custom": json_message})
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class SafeSocketIOInput(SocketIOInput):
    """`SocketIOInput` whose ``user_uttered`` handler runs `clean_incoming`.

    The built-in blueprint registers its handler on the socket.io server; we
    replace that handler: malformed payloads and rejected messages are
    answered with the polite reply (as a normal ``bot_uttered`` event) and
    never reach Rasa; a notice is emitted before the message is passed on; a
    failed or silent turn ends with `REPLY_SYSTEM_ERROR`. Session ids with
    personal data or invisible characters are replaced by a random one.
    """

    @classmethod
    def name(cls) -> str:
        """Same name as the built-in channel."""
        return "socketio"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Built-in blueprint with the message handler wrapped."""
        warn_unless_installed(self.name())
        bp = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        namespace = self.namespace or "/"
        output = SocketIOOutput(sio, self.bot_message_evt)

        async def guarded_handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                data = {"message": data if isinstance(data, str) else None}
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            message = data.get("message")
            result = clean_incoming(message if isinstance(message, str) else None)
            if result.rejected:
                await output.send_text_message(sid, result.rejected_reason or "")
                return
            sender_id = sid
            if self.session_persistence:
                session_id = data.get("session_id")
                if isinstance(session_id, str) and not sender_id_problem(session_id):
                    sender_id = conversation_id(session_id)
                else:
                    logger.warning(
                        "socketio: message without a valid session_id; answered "
                        "in a conversation of its own. The client must send "
                        "session_request first and use the confirmed id."
                    )
            counting = _CountingSocketIOOutput(sio, self.bot_message_evt)
            if result.notice:
                await output.send_text_message(sid, result.notice)
            user_message = UserMessage(
                result.text,
                counting,
                sender_id,
                input_channel=self.name(),
                metadata=result.metadata(clean_metadata(metadata)) or {},
            )
            if await run_turn(on_new_message, user_message, lambda: counting.sent):
                await counting.send_text_message(sender_id, REPLY_SYSTEM_ERROR)

        sio.on(self.user_message_evt, guarded_handle_message, namespace=namespace)

        async def session_request(sid: str, data: Any) -> None:
            # Rasa 3.6 calls sio.enter_room() without await; since
            # python-socketio 5.10 it is a coroutine, so the browser never
            # joined its session room and never got an answer.
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if (
                not isinstance(session_id, str)
                or sender_id_problem(session_id)
                or carries_personal_data(session_id)
            ):
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        sio.on("session_request", session_request, namespace=namespace)
        return bp
