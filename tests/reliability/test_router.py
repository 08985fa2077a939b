"""tests/support/router.py (the cluster test's router) against fake upstreams
on loopback (no Rasa needed)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.router import Router, make_app, rendezvous_order, routing_key
from tests.support.servers import free_port


def test_rendezvous_order_is_stable_and_moves_only_the_removed_keys() -> None:
    upstreams = ["http://a", "http://b", "http://c"]
    keys = [f"sender:{i}" for i in range(600)]
    first = {k: rendezvous_order(k, upstreams)[0] for k in keys}
    assert first == {k: rendezvous_order(k, list(reversed(upstreams)))[0] for k in keys}
    counts = Counter(first.values())
    assert all(150 < n < 250 for n in counts.values()), counts
    without_b = {k: rendezvous_order(k, ["http://a", "http://c"])[0] for k in keys}
    moved = [k for k in keys if first[k] != without_b[k]]
    assert moved and all(first[k] == "http://b" for k in moved)


def test_routing_key_prefers_the_json_sender() -> None:
    assert routing_key(b'{"sender": "u1", "message": "x"}', {}, {}, "1.2.3.4") == (
        "sender:u1"
    )
    assert routing_key(b"not json", {"X-Sender-Id": "u2"}, {}, None) == "sender:u2"
    assert routing_key(b"", {}, {"sender": "u3"}, None) == "sender:u3"
    assert routing_key(b"[]", {}, {}, "1.2.3.4") == "client:1.2.3.4"


async def _upstream(name: str, port: int) -> web.AppRunner:
    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(
            [{"recipient_id": body["sender"], "text": f"{name}:{body['message']}"}],
            headers={"X-Test": "kept"},
        )

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def test_router_is_sticky_and_fails_over_when_an_upstream_is_down() -> None:
    async def scenario() -> None:
        ports = [free_port(), free_port()]
        upstreams = [f"http://127.0.0.1:{p}" for p in ports]
        runners = [await _upstream(n, p) for n, p in zip("ab", ports, strict=True)]
        router = Router(upstreams, cooldown_s=60)
        front = web.AppRunner(make_app(router))
        await front.setup()
        front_port = free_port()
        await web.TCPSite(front, "127.0.0.1", front_port).start()
        url = f"http://127.0.0.1:{front_port}/webhooks/rest/webhook"

        async def say(session: aiohttp.ClientSession, sender: str) -> Any:
            async with session.post(
                url, json={"sender": sender, "message": "hi"}
            ) as response:
                assert response.headers["X-Test"] == "kept"
                return response.headers["X-Upstream"], await response.json()

        try:
            async with aiohttp.ClientSession() as session:
                senders = [f"s{i}" for i in range(20)]
                first = {s: (await say(session, s))[0] for s in senders}
                again = {s: (await say(session, s))[0] for s in senders}
                assert first == again and set(first.values()) == {"0", "1"}
                expected = {
                    s: str(
                        upstreams.index(rendezvous_order(f"sender:{s}", upstreams)[0])
                    )
                    for s in senders
                }
                assert first == expected

                await runners[0].cleanup()  # instance 0 goes down
                after = {s: await say(session, s) for s in senders}
                assert {u for u, _ in after.values()} == {"1"}
                assert all(
                    body[0]["text"] == "b:hi" and body[0]["recipient_id"] == s
                    for s, (_, body) in after.items()
                )
                async with session.get(
                    f"http://127.0.0.1:{front_port}/router/health"
                ) as response:
                    health = await response.json()
                assert health["upstreams"][0]["cooling_down_s"] > 0

                await runners[1].cleanup()  # both down
                async with session.post(url, data=json.dumps({"sender": "x"})) as r:
                    assert r.status == 503
                    assert (await r.json())["error"] == "unavailable"
        finally:
            await front.cleanup()

    asyncio.run(scenario())
