"""A tiny sticky HTTP router in front of several Rasa servers, for the tests.

Not product code: production routes with nginx (deploy/nginx) or an ingress.
The cluster test uses this router to steer a conversation to a chosen
instance and to see failover, which nginx does not report.

It does what nginx's ``hash $sender consistent`` would do if nginx could read
the sender from the JSON body: every request of one conversation goes to the
same Rasa instance, and when that instance is down the conversation moves to
the next one. Rasa instances must share the tracker store (PostgreSQL) and the
lock store (Redis) — see bot/rasa_ext/ and docs/deploy.md — so any instance
can continue any conversation; stickiness only avoids lock contention.

* The routing key is the ``sender`` of a JSON body (REST channel), else the
  ``X-Sender-Id`` header, else the ``sender`` query parameter, else the
  client address.
* Upstreams are ordered per key by rendezvous (highest-random-weight)
  hashing: adding or removing an instance only moves that instance's
  conversations.
* Failover happens only when an upstream could not be reached (connection
  refused/reset before the request was sent), so a message is never processed
  twice. The upstream is then skipped for ``--cooldown`` seconds. A request
  cut off mid-way gets a 502 JSON error; the client may resend it.
* Plain HTTP only: no WebSocket upgrade (socket.io clients fall back to
  long-polling, which needs the ``sid`` to stick: use nginx/ingress there).

    python -m tests.support.router --listen 127.0.0.1:8080 \\
        --upstream http://127.0.0.1:5005 --upstream http://127.0.0.1:5006

``GET /router/health`` shows the upstreams and which ones are cooling down.
The response header ``X-Upstream`` is the index of the instance that answered.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import time
from typing import Dict, Iterable, List, Optional

import aiohttp
from aiohttp import web

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


def rendezvous_order(key: str, upstreams: Iterable[str]) -> List[str]:
    """`upstreams` ordered by their hash score for `key`, best first."""

    def score(upstream: str) -> int:
        digest = hashlib.sha256(f"{upstream}\x00{key}".encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big")

    return sorted(upstreams, key=score, reverse=True)


def routing_key(
    body: bytes, headers: "Dict[str, str]", query: Dict[str, str], remote: Optional[str]
) -> str:
    """The conversation a request belongs to (see the module docstring)."""
    if body:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("sender"), (str, int)):
            return f"sender:{data['sender']}"
    header = headers.get("X-Sender-Id")
    if header:
        return f"sender:{header}"
    if query.get("sender"):
        return f"sender:{query['sender']}"
    return f"client:{remote or ''}"


class Router:
    """Forwards requests to the upstream chosen for their conversation."""

    def __init__(
        self,
        upstreams: List[str],
        cooldown_s: float = 5.0,
        timeout_s: float = 120.0,
    ) -> None:
        """`upstreams` are base URLs such as ``http://127.0.0.1:5005``."""
        if not upstreams:
            raise ValueError("at least one --upstream is required")
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self.cooldown_s = cooldown_s
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.down_until: Dict[str, float] = {}
        self._session: Optional[aiohttp.ClientSession] = None

    def candidates(self, key: str) -> List[str]:
        """Upstreams to try for `key`: healthy ones first, in hash order."""
        now = time.monotonic()
        ordered = rendezvous_order(key, self.upstreams)
        healthy = [u for u in ordered if self.down_until.get(u, 0) <= now]
        cooling = [u for u in ordered if u not in healthy]
        return healthy + cooling

    def mark_down(self, upstream: str) -> None:
        """Skips `upstream` for the cooldown period."""
        self.down_until[upstream] = time.monotonic() + self.cooldown_s
        logger.warning(
            "Upstream %s is unreachable; its conversations go to the next "
            "instance for %.0f s. Check that Rasa there is running.",
            upstream,
            self.cooldown_s,
        )

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # A fresh connection per request: "connection refused" then
            # reliably means the request was never delivered (safe to retry).
            self._session = aiohttp.ClientSession(
                timeout=self.timeout,
                auto_decompress=False,
                connector=aiohttp.TCPConnector(force_close=True),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def health(self, _: web.Request) -> web.Response:
        now = time.monotonic()
        return web.json_response(
            {
                "upstreams": [
                    {
                        "index": index,
                        "url": url,
                        "cooling_down_s": max(0.0, self.down_until.get(url, 0) - now),
                    }
                    for index, url in enumerate(self.upstreams)
                ]
            }
        )

    async def forward(self, request: web.Request) -> web.StreamResponse:
        """Sends the request to its conversation's instance (or the next one)."""
        body = await request.read()
        key = routing_key(
            body, dict(request.headers), dict(request.query), request.remote
        )
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP
        }
        if request.remote:
            headers["X-Forwarded-For"] = request.remote
        session = await self.session()
        for upstream in self.candidates(key):
            try:
                async with session.request(
                    request.method,
                    upstream + request.rel_url.raw_path_qs,
                    headers=headers,
                    data=body if body else None,
                    allow_redirects=False,
                ) as upstream_response:
                    payload = await upstream_response.read()
                    out_headers = {
                        k: v
                        for k, v in upstream_response.headers.items()
                        if k.lower() not in HOP_BY_HOP
                    }
                    out_headers["X-Upstream"] = str(self.upstreams.index(upstream))
                    return web.Response(
                        status=upstream_response.status,
                        body=payload,
                        headers=out_headers,
                    )
            except aiohttp.ClientConnectorError:
                self.mark_down(upstream)
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.error(
                    "Upstream %s failed mid-request (%s); the client got a 502 "
                    "and may resend. Check the Rasa log there.",
                    upstream,
                    type(error).__name__,
                )
                return web.json_response(
                    {"error": "bad_gateway", "message": "upstream failed; retry"},
                    status=502,
                )
        return web.json_response(
            {"error": "unavailable", "message": "no Rasa instance is reachable"},
            status=503,
        )


def make_app(router: Router) -> web.Application:
    """The aiohttp application: health route, everything else forwarded."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_get("/router/health", router.health)
    app.router.add_route("*", "/{tail:.*}", router.forward)

    async def close(_: web.Application) -> None:
        await router.close()

    app.on_cleanup.append(close)
    return app


def main(argv: Optional[List[str]] = None) -> None:
    """CLI entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Sticky router for Rasa servers")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="host:port")
    parser.add_argument("--upstream", action="append", required=True)
    parser.add_argument("--cooldown", type=float, default=5.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    host, _, port = args.listen.rpartition(":")
    router = Router(args.upstream, args.cooldown, args.timeout)
    logger.info("Routing %s to %s", args.listen, ", ".join(router.upstreams))
    web.run_app(
        make_app(router),
        host=host or "127.0.0.1",
        port=int(port),
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
