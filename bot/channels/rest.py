"""REST and socket.io channels with the shared input guard.

credentials.yml (replacing the built-in ``rest:`` / ``socketio:`` entries)::

    bot.channels.rest.SafeRestInput:
    bot.channels.rest.SafeSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

The URLs stay the built-in ones: ``POST /webhooks/rest/webhook`` and the
socket.io endpoint ``/socket.io``.
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
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels.hygiene import CleanResult, clean_incoming

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 256


class BadRequest(Exception):
    """A client error to answer with a 400 JSON body."""


def _error(message: str, status: int = HTTPStatus.BAD_REQUEST) -> HTTPResponse:
    return response.json({"error": "bad_request", "message": message}, status=status)


def parse_rest_body(body: bytes) -> Dict[str, Any]:
    """Validate a REST webhook body; return {sender, message, metadata}.

    Raises `BadRequest` for invalid JSON, a non-object body, a missing or
    non-string ``message`` or a missing/empty ``sender``.
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
    if not sender or len(sender) > MAX_SENDER_CHARS:
        raise BadRequest('"sender" must be 1-256 characters')
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest('"message" is required (string)')
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        metadata = None
    return {"sender": sender, "message": message, "metadata": metadata}


def _bot_message(recipient_id: str, text: str) -> Dict[str, Any]:
    return {"recipient_id": recipient_id, "text": text}


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
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[HTTPResponse, ResponseStream]:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return _error("body too large", HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            try:
                parsed = parse_rest_body(request.body)
            except BadRequest as e:
                return _error(str(e))
            sender_id = parsed["sender"]
            result = clean_incoming(parsed["message"])
            if result.rejected:
                return response.json(
                    [_bot_message(sender_id, result.rejected_reason or "")]
                )

            stream = rasa.utils.endpoints.bool_arg(request, "stream", default=False)
            if stream:
                return response.stream(
                    self._guarded_stream(on_new_message, result, sender_id, parsed),
                    content_type="text/event-stream",
                )

            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        result.text,
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        metadata=parsed["metadata"],
                    )
                )
            except asyncio.CancelledError:
                logger.error("rest: message handling timed out")
            except Exception:
                logger.exception("rest: message handling failed")
            messages: List[Dict[str, Any]] = []
            if result.notice:
                messages.append(_bot_message(sender_id, result.notice))
            messages.extend(collector.messages)
            return response.json(messages)

        return bp

    def _guarded_stream(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        result: CleanResult,
        sender_id: str,
        parsed: Dict[str, Any],
    ) -> Callable[[Any], Awaitable[None]]:
        """The built-in streaming response, preceded by the notice if any."""
        inner = self.stream_response(
            on_new_message,
            result.text or "",
            sender_id,
            self.name(),
            parsed["metadata"],
        )

        async def stream(resp: Any) -> None:
            if result.notice:
                await resp.write(
                    json.dumps(_bot_message(sender_id, result.notice)) + "\n"
                )
            await inner(resp)

        return stream


class SafeSocketIOInput(SocketIOInput):
    """`SocketIOInput` whose ``user_uttered`` handler runs `clean_incoming`.

    The built-in blueprint registers its handler on the socket.io server; we
    wrap that handler: malformed payloads and rejected messages are answered
    with the polite reply (as a normal ``bot_uttered`` event) and never reach
    Rasa; a notice is emitted before the message is passed on.
    """

    @classmethod
    def name(cls) -> str:
        """Same name as the built-in channel."""
        return "socketio"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Built-in blueprint with the message handler wrapped."""
        bp = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None
        namespace = self.namespace or "/"
        original = sio.handlers[namespace][self.user_message_evt]
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
            if metadata is not None and not isinstance(metadata, dict):
                metadata = None
            message = data.get("message")
            result = clean_incoming(message if isinstance(message, str) else None)
            if result.rejected:
                await output.send_text_message(sid, result.rejected_reason or "")
                return
            if result.notice:
                await output.send_text_message(sid, result.notice)
            cleaned = dict(data)
            cleaned["message"] = result.text
            cleaned[self.metadata_key] = metadata or {}
            await original(sid, cleaned)

        sio.on(self.user_message_evt, guarded_handle_message, namespace=namespace)

        async def session_request(sid: str, data: Any) -> None:
            # Rasa 3.6 calls sio.enter_room() without await; since
            # python-socketio 5.10 it is a coroutine, so the browser never
            # joined its session room and never got an answer.
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip():
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        sio.on("session_request", session_request, namespace=namespace)
        return bp
