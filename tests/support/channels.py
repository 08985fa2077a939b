"""The channel tests' loopback server: a real Sanic app serving the given input
channels under /webhooks/ like `rasa run` (`serve_channels`; the `serve`
fixture in tests/conftest.py hands it to a test).

Tests are plain functions that run one `asyncio.run(...)` each, so no asyncio
pytest plugin is needed.
"""

from __future__ import annotations

import socket
import uuid
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any, AsyncIterator, Awaitable, Callable, List, Optional

from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

# Several Sanic apps in one process (one per test) need Sanic's test mode, as
# sanic-testing sets it: otherwise the second app's start-up optimisation fails.
Sanic.test_mode = True


@asynccontextmanager
async def serve_channels(
    channels: List[InputChannel],
    on_new_message: Optional[OnNewMessage] = None,
    agent: Any = None,
) -> AsyncIterator[str]:
    """Serve the channels like `rasa run` does (under /webhooks/) for `agent`,
    or for a stand-in agent calling `on_new_message`; yield the base URL."""
    app = Sanic(f"channel_test_{uuid.uuid4().hex[:12]}")
    app.config.ACCESS_LOG = False
    # rasa's `register` hands every channel a handler calling the agent.
    app.ctx.agent = agent or SimpleNamespace(handle_message=on_new_message)
    register(channels, app, route="/webhooks/")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = await app.create_server(
        sock=sock, return_asyncio_server=True, access_log=False
    )
    # (awaiting create_server already made the socket listen)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
        sock.close()
