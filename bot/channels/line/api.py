"""Small async client for LINE's Messaging API (reply and push)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Dict, List

import aiohttp

from bot import metrics

logger = logging.getLogger(__name__)

LINE_API_BASE = "https://api.line.me"
LINE_API_DATA_BASE = "https://api-data.line.me"  # uploads (rich menu images)


@dataclass(frozen=True)
class LineApiResult:
    """Outcome of one call; `status` is None when LINE gave no HTTP answer."""

    ok: bool
    status: int | None = None
    request_id: str | None = None
    message: str | None = None
    data: Any = None  # the parsed JSON answer of a successful call

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
    """Small async client for LINE's Messaging API (reply, push, loading, and
    `call` for the rest, e.g. the rich menu in bot/channels/line/richmenu.py).

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

    @property
    def data_base_url(self) -> str:
        """Where uploads go: api-data.line.me for LINE, else the same base."""
        if self.api_base_url == LINE_API_BASE:
            return LINE_API_DATA_BASE
        return self.api_base_url

    async def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        headers: Dict[str, str] | None = None,
        body: bytes | None = None,
        base_url: str | None = None,
    ) -> LineApiResult:
        """One call to LINE (JSON `payload` or raw `body`); never raises."""
        url = f"{base_url or self.api_base_url}{path}"
        all_headers = {"Authorization": f"Bearer {self.access_token}"}
        all_headers.update(headers or {})
        kwargs: Dict[str, Any] = {"headers": all_headers}
        if body is not None:
            kwargs["data"] = body
        elif payload is not None:
            kwargs["json"] = payload
        try:
            async with self._get_session().request(method, url, **kwargs) as resp:
                request_id = resp.headers.get("x-line-request-id")
                text = await resp.text()
                parsed: Any = None
                try:
                    parsed = json.loads(text) if text else None
                except ValueError:
                    pass
                if 200 <= resp.status < 300:
                    return LineApiResult(True, resp.status, request_id, data=parsed)
                message = text
                if isinstance(parsed, dict) and parsed.get("message"):
                    message = str(parsed["message"])
                result = LineApiResult(False, resp.status, request_id, message[:500])
        except asyncio.TimeoutError:
            result = LineApiResult(False, None, None, "timeout")
        except aiohttp.ClientError as e:
            result = LineApiResult(False, None, None, f"{type(e).__name__}: {e}")
        logger.error(
            "LINE API %s failed (%s): status=%s x-line-request-id=%s message=%s",
            path,
            method,
            result.status,
            result.request_id,
            result.message,
        )
        metrics.line_api_error(path, result.status or 0)
        return result

    async def _post(
        self,
        path: str,
        payload: Dict[str, Any],
        headers: Dict[str, str] | None = None,
    ) -> LineApiResult:
        return await self.call("POST", path, payload, headers)

    async def start_loading(self, chat_id: str, seconds: int = 20) -> LineApiResult:
        """POST /v2/bot/chat/loading/start: LINE's loading animation in a
        one-on-one chat; it stops by itself when a message arrives."""
        return await self._post(
            "/v2/bot/chat/loading/start",
            {"chatId": chat_id, "loadingSeconds": seconds},
        )

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
