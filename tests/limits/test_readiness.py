"""Readiness and Prometheus endpoints (bot/readiness.py, bot/metrics.py): on
the running bot, and the checks' failure answers in isolation."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest
from sanic import Sanic

from bot import metrics, readiness
from tests.support.servers import Servers


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.e2e
def test_running_servers_are_ready_and_expose_metrics(servers: Servers) -> None:
    status, body = get(servers.rasa_url + "/webhooks/rest/ready")
    assert status == 200, body
    answer = json.loads(body)
    assert answer["status"] == "ready"
    assert set(answer["checks"]) == {
        "model",
        "tracker_store",
        "lock_store",
        "action_server",
        "service_db",
    }
    servers.chat("ready-probe", "สวัสดีค่ะ")
    status, body = get(servers.rasa_url + "/webhooks/rest/metrics")
    assert status == 200
    text = body.decode()
    assert 'bot_turns_total{channel="rest",outcome="ok"}' in text
    assert "bot_turn_seconds_bucket" in text
    assert "ready-probe" not in text  # no ids in labels
    status, body = get(servers.action_url + "/ready")
    assert status == 200 and json.loads(body)["checks"] == {"service_db": "ok"}
    status, body = get(servers.action_url + "/metrics")
    assert status == 200 and b"bot_action_errors_total" in body


def test_failed_and_slow_checks_make_the_server_not_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(readiness, "CHECK_TIMEOUT_S", 0.2)

    async def ok() -> None:
        return None

    async def broken() -> None:
        raise ConnectionRefusedError("postgresql://user:secret@db/x")

    async def slow() -> None:
        await asyncio.sleep(5)

    ok_all, results = asyncio.run(readiness.run_checks({"a": ok}))
    assert ok_all and results == {"a": "ok"}
    ok_all, results = asyncio.run(
        readiness.run_checks({"a": ok, "db": broken, "actions": slow})
    )
    assert not ok_all
    assert results == {
        "a": "ok",
        "db": "error: ConnectionRefusedError",  # never the URL or a secret
        "actions": "timeout",
    }


def test_rasa_checks_without_a_model() -> None:
    class App:
        class ctx:  # noqa: N801 - Sanic's attribute name
            agent = None

    ok_all, results = asyncio.run(readiness.run_checks(readiness.rasa_checks(App())))
    assert not ok_all and results["model"].startswith("error")


def test_routes_attach_to_the_action_server_app_once() -> None:
    app = Sanic("rasa_sdk_readiness_test")
    assert readiness.attach_to_action_server(app)
    assert readiness.attach_to_action_server(app)  # idempotent
    paths = {route.path for route in app.router.routes}
    assert {"ready", "metrics"} <= {p.strip("/") for p in paths}
    assert readiness.attach_to_action_server() in (True, False)  # no app: no error


def test_metrics_have_no_text_or_id_labels() -> None:
    metrics.limit_refused("rate", "line")
    metrics.line_api_error("/v2/bot/message/reply", 500)
    metrics.line_api_error("/v2/bot/user/U123/richmenu/richmenu-9", 0)
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    assert b'bot_limit_refused_total{channel="line",limit="rate"}' in body
    assert b'bot_line_api_errors_total{call="reply",status="500"}' in body
    assert b'bot_line_api_errors_total{call="other",status="0"}' in body
    assert b"U123" not in body


def test_staff_console_has_a_public_readiness_route(tmp_path) -> None:
    from tests.console.helpers import running_console

    with running_console(tmp_path) as console:
        status, body = get(console.base + "/health/ready")
    assert status == 200
    assert json.loads(body) == {"status": "ready", "checks": {"service_db": "ok"}}
