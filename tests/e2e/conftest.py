"""Starts the real action server and Rasa server once per test run.

The model is trained once per run by scripts/test.sh (cached by a fingerprint
of the data); these fixtures only start the servers on free loopback ports,
with their own service database and tracker store in a temporary folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "current.tar.gz"


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


@dataclass
class Servers:
    """The running bot: base URLs, environment and helpers to talk to it."""

    rasa_url: str
    action_url: str
    workdir: Path
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

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


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail("No trained model: run the tests with `bash scripts/test.sh`.")
    workdir = tmp_path_factory.mktemp("bot")
    rasa_port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RASA_TELEMETRY_ENABLED": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'service.db'}",
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    env.update(extra_env(workdir))
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n"
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n"
        f"  db: {workdir / 'tracker.db'}\n",
        encoding="utf-8",
    )
    subprocess.run(
        [sys.executable, "-m", "bot.content.importer"], cwd=REPO, env=env, check=True
    )
    result = Servers(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        workdir=workdir,
        env=env,
    )
    actions = start(
        [
            sys.executable,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(action_port),
        ],
        env,
        workdir / "actions.log",
    )
    result.processes.append(actions)
    rasa = start(
        [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(MODEL),
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
            "--credentials",
            str(REPO / "credentials.yml"),
            "--endpoints",
            str(endpoints),
        ],
        env,
        workdir / "rasa.log",
    )
    result.processes.append(rasa)
    try:
        wait_for(f"{result.action_url}/health", actions, workdir / "actions.log", 90)
        wait_for(f"{result.rasa_url}/webhooks/rest/", rasa, workdir / "rasa.log", 240)
        yield result
    finally:
        for process in result.processes:
            process.terminate()
        for process in result.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def extra_env(workdir: Path) -> dict[str, str]:
    """Environment for channels the e2e tests drive (LINE points at a fake API)."""
    return {
        "LINE_CHANNEL_SECRET": os.environ.get("E2E_LINE_SECRET", "e2e-line-secret"),
        "LINE_CHANNEL_ACCESS_TOKEN": "e2e-line-token",
        "LINE_API_BASE_URL": os.environ.get("E2E_LINE_API", "http://127.0.0.1:9"),
    }


def has_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)
