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

logger = logging.getLogger(__name__)

LINE_API_BASE = "https://api.line.me"


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
