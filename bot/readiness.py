"""Readiness and metrics endpoints: does a server have what it needs?

Liveness (``/health``, ``/webhooks/rest/``) only says the process answers.
Readiness says it can serve a citizen; a load balancer or Kubernetes sends
traffic only to a ready server:

* Rasa, ``GET /webhooks/rest/ready``: the model is loaded, the tracker store
  and the lock store answer, the action server's ``/health`` answers, the
  service database answers ``SELECT 1``.
* Action server, ``GET /ready``: the service database answers.
* Staff console, ``GET /health/ready``: its database answers.

Each check has a timeout (`CHECK_TIMEOUT_S`); the answer is 200
``{"status": "ready", "checks": {...}}`` or 503 ``{"status": "not_ready",
...}`` with each failed check's error type (never a URL or a secret).
``/webhooks/rest/metrics`` and the action server's ``/metrics`` serve the
Prometheus counters of `bot.metrics`. Neither path is exposed by the nginx
template (deploy/nginx/bot.conf.template); scrape the servers directly.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import metrics

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 3.0
Check = Callable[[], Awaitable[Any]]


def _service_db(url: Optional[str] = None) -> None:
    import sqlalchemy as sa

    from bot.content.db import get_engine

    with get_engine(url).connect() as connection:
        connection.execute(sa.text("SELECT 1"))


async def check_service_db(url: Optional[str] = None) -> None:
    """Raises unless the service database (`url`, default ``DATABASE_URL``)
    answers ``SELECT 1``."""
    await asyncio.get_running_loop().run_in_executor(None, _service_db, url)


async def run_checks(checks: Dict[str, Check]) -> tuple[bool, Dict[str, str]]:
    """Runs every check (each with `CHECK_TIMEOUT_S`): (all ok, name -> result)."""

    async def one(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), CHECK_TIMEOUT_S)
        except asyncio.TimeoutError:
            return "timeout"
        except Exception as error:  # noqa: BLE001 - reported, not raised
            return f"error: {type(error).__name__}"
        return "ok"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[n]) for n in names))
    out = dict(zip(names, results, strict=True))
    return all(r == "ok" for r in results), out


async def ready_response(checks: Dict[str, Check]) -> HTTPResponse:
    """200 or 503 with each check's result."""
    ok, results = await run_checks(checks)
    if not ok:
        logger.warning("Readiness check failed: %s", results)
    return response.json(
        {"status": "ready" if ok else "not_ready", "checks": results},
        status=200 if ok else 503,
    )


def metrics_response() -> HTTPResponse:
    """The Prometheus text exposition of this process."""
    body, content_type = metrics.exposition()
    return response.raw(body, content_type=content_type)


# ---------------------------------------------------------------- Rasa side
def rasa_checks(app: Any) -> Dict[str, Check]:
    """The checks of a Rasa server whose Sanic app is `app`."""
    agent = getattr(app.ctx, "agent", None)

    async def model() -> None:
        if agent is None or not agent.is_ready():
            raise RuntimeError("model not loaded")

    async def tracker_store() -> None:
        await agent.tracker_store.retrieve("__readiness_probe__")

    async def lock_store() -> None:
        store = agent.lock_store
        await asyncio.get_running_loop().run_in_executor(
            None, store.get_lock, "__readiness_probe__"
        )

    async def action_server() -> None:
        import aiohttp

        endpoint = getattr(agent, "action_endpoint", None)
        url = getattr(endpoint, "url", None)
        if not url:
            return  # no action server configured: nothing to wait for
        health = url.rsplit("/webhook", 1)[0] + "/health"
        timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(health) as answer:
                if answer.status != 200:
                    raise RuntimeError(f"status {answer.status}")

    checks: Dict[str, Check] = {"model": model}
    if agent is not None:
        checks.update(
            tracker_store=tracker_store,
            lock_store=lock_store,
            action_server=action_server,
        )
    checks["service_db"] = check_service_db
    return checks


def add_rasa_routes(blueprint: Any) -> None:
    """``/ready`` and ``/metrics`` on a channel blueprint (REST: /webhooks/rest/)."""

    @blueprint.route("/ready", methods=["GET"])
    async def ready(request: Request) -> HTTPResponse:
        return await ready_response(rasa_checks(request.app))

    @blueprint.route("/metrics", methods=["GET"])
    async def prometheus(_: Request) -> HTTPResponse:
        return metrics_response()

    @blueprint.listener("before_server_stop")
    async def write_limit_counts(app: Any, *_: Any) -> None:
        from bot import limit_counts

        if not hasattr(getattr(app.ctx, "agent", None), "is_ready"):
            return  # not a Rasa server (channel tests)
        await asyncio.get_running_loop().run_in_executor(None, limit_counts.flush)


# ---------------------------------------------------------------- other servers
def attach(
    app: Any,
    checks: Callable[[], Dict[str, Check]],
    ready_path: str = "/ready",
    metrics_path: Optional[str] = "/metrics",
) -> bool:
    """Adds the readiness route (and the metrics route) to a Sanic `app`,
    once; `checks` makes the checks per request. True if attached now or
    before."""
    if getattr(app.ctx, "bot_readiness", False):
        return True
    app.ctx.bot_readiness = True

    async def ready(_: Request) -> HTTPResponse:
        return await ready_response(checks())

    async def prometheus(_: Request) -> HTTPResponse:
        return metrics_response()

    app.add_route(ready, ready_path, methods=["GET"], name="bot_ready")
    if metrics_path:
        app.add_route(prometheus, metrics_path, methods=["GET"], name="bot_metrics")
    return True


def attach_to_action_server(app: Optional[Any] = None) -> bool:
    """Adds ``/ready`` (the service database) and ``/metrics`` to the rasa-sdk
    action server.

    rasa-sdk creates its Sanic app ("rasa_sdk") and then imports the
    ``actions`` package, which calls this; elsewhere (tests importing the
    actions) there is no such app and nothing happens. True if attached.
    """
    if app is None:
        from sanic import Sanic

        try:
            app = Sanic.get_app("rasa_sdk")
        except Exception:  # noqa: BLE001 - not inside the action server
            return False
    return attach(app, lambda: {"service_db": check_service_db})


def attach_to_console(app: Any, database_url: Optional[str]) -> bool:
    """``/health/ready`` on the staff console (public like ``/health``): its
    database answers. The console has no Prometheus route."""

    async def service_db() -> None:
        await check_service_db(database_url)

    return attach(app, lambda: {"service_db": service_db}, "/health/ready", None)
