"""The real action server and Rasa server for the whole-system tests.

The model is trained once per run by scripts/test.sh (cached by a fingerprint
of the data); `running_servers` only starts the servers on free loopback
ports, with their own service database and tracker store in a temporary
folder. The `servers` fixture (tests/conftest.py) starts them once per run.

The Rasa server uses the repository's credentials.yml and endpoints.yml (the
tracker store comes from ``TRACKER_STORE_URL``, see
bot/rasa_ext/tracker_store.py), and the
LINE channel talks to a fake LINE API (`FakeLineApi`) on loopback.

`servers` is one shared set of processes for the whole run. Tests may stop,
pause and restart its action server (`Servers.stop_actions` etc.) as long as
they leave it running.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]

# E2E_MODEL: run the whole-system tests on another model file (e.g. one
# trained into a temp folder) without touching models/current.tar.gz.
MODEL = Path(os.environ.get("E2E_MODEL") or REPO / "models" / "current.tar.gz")

# Seconds Rasa waits for an action before the citizen gets the apology.
E2E_ACTION_TIMEOUT_S = "8"

# Settings of the developer's shell that must not leak into test servers.
ISOLATED_VARS = (
    "TRACKER_STORE_URL",
    "LOCK_STORE_URL",
    "LOCK_STORE_KEY_PREFIX",
    "RASA_API_TOKEN",
    "RASA_ENABLE_API",
    "SENDER_ID_KEY",
    "RATE_LIMIT_PER_MINUTE",
    "RATE_LIMIT_REDIS_URL",
    "MAX_INFLIGHT_TURNS",
    "MAX_INFLIGHT_PER_CONVERSATION",
)

# Messages per conversation per minute in the test servers: above what any
# test's own conversation sends (the default, 20, is tested in tests/limits);
# tests/limits/test_flood.py floods past it.
E2E_RATE_LIMIT_PER_MINUTE = "60"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(
        f"{url} did not come up in {seconds}s:\n{log.read_text()[-3000:]}"
    )


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if the process is still there after `timeout`."""
    if process.poll() is None:
        try:
            os.kill(process.pid, signal.SIGCONT)  # in case a test paused it
        except ProcessLookupError:
            pass
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class FakeLineApi:
    """LINE's reply/push API on loopback: records every call (path, headers,
    body). `mode` chooses the answer: "ok" (200), "invalid_token" (400
    "Invalid reply token" for replies, 200 for pushes) or "down" (500)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.mode = "ok"
        self._cond = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._cond:
                    fake.calls.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    fake._cond.notify_all()
                    mode = fake.mode
                status, answer = 200, {}
                if mode == "down":
                    status, answer = 500, {"message": "Internal server error"}
                elif mode == "invalid_token" and self.path.endswith("/reply"):
                    status, answer = 400, {"message": "Invalid reply token"}
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("x-line-request-id", uuid.uuid4().hex)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait_calls(self, match: Any, count: int = 1, seconds: float = 90) -> list:
        """The first `count` recorded calls for which `match(call)` is true."""
        deadline = time.monotonic() + seconds
        with self._cond:
            while True:
                found = [call for call in self.calls if match(call)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} LINE calls: {found}")
                self._cond.wait(left)

    def wait_reply(self, reply_token: str, seconds: float = 90) -> list[str]:
        """Texts LINE got for `reply_token` (waits for the background task)."""
        deadline = time.monotonic() + seconds
        with self._cond:
            while True:
                for call in self.calls:
                    if call["body"].get("replyToken") == reply_token:
                        # a Flex card's altText is its readable answer
                        messages = call["body"]["messages"]
                        return [m.get("text") or m.get("altText", "") for m in messages]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no LINE reply for {reply_token}")
                self._cond.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Servers:
    """The running bot: base URLs, environment and helpers to talk to it."""

    rasa_url: str
    action_url: str
    workdir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    line_api: FakeLineApi | None = None

    def post(
        self, path: str, body: Any, headers: dict | None = None
    ) -> tuple[int, Any]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.rasa_url + path,
            data=data,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode("utf-8", "replace")

    def chat(self, sender: str, text: str) -> list[dict]:
        """Sends one message through the REST channel and returns the replies."""
        status, replies = self.post(
            "/webhooks/rest/webhook", {"sender": sender, "message": text}
        )
        assert status == 200, replies
        return replies

    # -- LINE ---------------------------------------------------------------

    def line_post(self, body: bytes, signature: str | None = None) -> int:
        """POSTs a raw body to the LINE webhook, signed unless `signature` given."""
        if signature is None:
            secret = self.env["LINE_CHANNEL_SECRET"].encode("utf-8")
            digest = hmac.new(secret, body, hashlib.sha256).digest()
            signature = base64.b64encode(digest).decode("ascii")
        status, _ = self.post(
            "/webhooks/line/webhook", body, {"X-Line-Signature": signature}
        )
        return status

    def line_say(self, user_id: str, text: str) -> list[str]:
        """A LINE text message from `user_id`; returns the texts replied to it."""
        assert self.line_api is not None, "LINE talks to a real API here"
        token = uuid.uuid4().hex
        event = {
            "type": "message",
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": user_id},
            "webhookEventId": uuid.uuid4().hex,
            "deliveryContext": {"isRedelivery": False},
            "replyToken": token,
            "message": {"id": uuid.uuid4().hex[:12], "type": "text", "text": text},
        }
        body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
        assert self.line_post(body) == 200
        return self.line_api.wait_reply(token)

    # -- the action server (tests may take it down; they must restore it) ----

    @property
    def action_port(self) -> int:
        return int(self.action_url.rsplit(":", 1)[1])

    @property
    def actions(self) -> subprocess.Popen:
        return self.processes[0]

    def stop_actions(self) -> None:
        """Stops the action server (Rasa keeps running)."""
        stop_process(self.actions)

    def start_actions(self, **env: str) -> None:
        """(Re)starts the action server on its port, with `env` overrides."""
        if self.actions.poll() is None:
            self.stop_actions()
        log = self.workdir / "actions.log"
        with log.open("a") as out:
            out.write(f"\n--- restarted with {sorted(env)} ---\n")
        process = start_action_server(self.action_port, {**self.env, **env}, log)
        self.processes[0] = process
        wait_for(f"{self.action_url}/health", process, log, 90)

    def pause_actions(self) -> None:
        """Freezes the action server: it accepts connections, answers nothing."""
        os.kill(self.actions.pid, signal.SIGSTOP)

    def resume_actions(self) -> None:
        os.kill(self.actions.pid, signal.SIGCONT)

    def restart_rasa(self) -> None:
        """Stops the Rasa server and starts it again on the same port and stores."""
        stop_process(self.processes[1])
        log = self.workdir / "rasa.log"
        port = int(self.rasa_url.rsplit(":", 1)[1])
        process = start(rasa_command(port), self.env, log, mode="a")
        self.processes[1] = process
        wait_for(f"{self.rasa_url}/webhooks/rest/", process, log, 240)

    def log_files(self) -> list[Path]:
        return sorted(self.workdir.glob("*.log"))


def start(
    cmd: list[str], env: dict[str, str], log: Path, mode: str = "w"
) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=log.open(mode),
        stderr=subprocess.STDOUT,
    )


def start_action_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python -m rasa_sdk` on 127.0.0.1:`port`, appending to `log`."""
    return start(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        {"SANIC_HOST": "127.0.0.1", **env},
        log,
        mode="a",
    )


def rasa_command(port: int, endpoints: Path | None = None, *extra: str) -> list[str]:
    """`rasa run` (with bot/rasa_ext installed) on 127.0.0.1:`port` with the
    repo's credentials and endpoints."""
    return [
        sys.executable,
        "-m",
        "bot.rasa_ext",
        "run",
        "--model",
        str(MODEL),
        "--port",
        str(port),
        "--interface",
        "127.0.0.1",
        "--credentials",
        str(REPO / "credentials.yml"),
        "--endpoints",
        str(endpoints or REPO / "endpoints.yml"),
        *extra,
    ]


def base_env(workdir: Path) -> dict[str, str]:
    """Environment of the test servers: service DB and tracker store in `workdir`."""
    env = {k: v for k, v in os.environ.items() if k not in ISOLATED_VARS}
    env.update(
        {
            "PYTHONPATH": str(REPO),
            "RASA_TELEMETRY_ENABLED": "false",
            "DATABASE_URL": f"sqlite:///{workdir / 'service.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "SANIC_HOST": "127.0.0.1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "ACTION_TIMEOUT_S": E2E_ACTION_TIMEOUT_S,
            "SENDER_ID_KEY": "e2e-pseudonym-key",
            "RATE_LIMIT_PER_MINUTE": E2E_RATE_LIMIT_PER_MINUTE,
        }
    )
    return env


@contextmanager
def running_servers(workdir: Path) -> Iterator[Servers]:
    """An action server and a Rasa server with their own DBs in `workdir`."""
    if not MODEL.exists():
        pytest.fail("No trained model: run the tests with `bash scripts/test.sh`.")
    with ExitStack() as stack:
        line_api = None
        if not os.environ.get("E2E_LINE_API"):
            line_api = FakeLineApi()
            stack.callback(line_api.close)
        rasa_port, action_port = free_port(), free_port()
        env = base_env(workdir)
        env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
        env.update(extra_env(workdir))
        if line_api is not None:
            env["LINE_API_BASE_URL"] = line_api.url
        subprocess.run(
            [sys.executable, "-m", "bot.content.importer"],
            cwd=REPO,
            env=env,
            check=True,
        )
        result = Servers(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            action_url=f"http://127.0.0.1:{action_port}",
            workdir=workdir,
            env=env,
            line_api=line_api,
        )

        def stop_all() -> None:
            for process in result.processes:
                stop_process(process)

        stack.callback(stop_all)
        result.processes.append(
            start_action_server(action_port, env, workdir / "actions.log")
        )
        rasa = start(rasa_command(rasa_port), env, workdir / "rasa.log")
        result.processes.append(rasa)
        actions_log = workdir / "actions.log"
        wait_for(f"{result.action_url}/health", result.actions, actions_log, 90)
        wait_for(f"{result.rasa_url}/webhooks/rest/", rasa, workdir / "rasa.log", 240)
        yield result


def extra_env(workdir: Path) -> dict[str, str]:
    """Environment for channels the e2e tests drive (LINE points at a fake API)."""
    return {
        "LINE_CHANNEL_SECRET": os.environ.get("E2E_LINE_SECRET", "e2e-line-secret"),
        "LINE_CHANNEL_ACCESS_TOKEN": "e2e-line-token",
        "LINE_API_BASE_URL": os.environ.get("E2E_LINE_API", "http://127.0.0.1:9"),
        # the origin tests/e2e/test_widget.py serves its agency host page from
        "WEBCHAT_FRAME_ANCESTORS": f"http://127.0.0.1:{free_port()}",
    }


def has_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)
