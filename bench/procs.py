"""Starting and measuring the servers the benchmarks run: this bot and a
stock Rasa assistant, on free loopback ports with temporary stores."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.client import Client

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Bot:
    """A running assistant: its ports, processes and start-up figures."""

    name: str
    port: int
    workdir: Path
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    started_at: float = 0.0
    figures: Dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        """Terminates the servers (they were started by this bench)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def memory(self) -> Dict[str, Dict[str, int]]:
        """Peak and current RSS (MB) of each server process, from /proc."""
        out = {}
        for name, process in self.processes.items():
            out[name] = proc_memory(process.pid)
        return out


def proc_memory(pid: int) -> Dict[str, float]:
    """VmHWM (peak RSS) and VmRSS of a process and its children, in MB."""
    result = {"peak_rss_mb": 0.0, "rss_mb": 0.0, "processes": 0}
    for p in [pid, *child_pids(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        result["peak_rss_mb"] += int(fields["VmHWM"].split()[0]) / 1024
        result["rss_mb"] += int(fields["VmRSS"].split()[0]) / 1024
        result["processes"] += 1
    return {k: round(v, 1) for k, v in result.items()}


def child_pids(pid: int) -> List[int]:
    """Direct and indirect children of ``pid`` (from /proc)."""
    parents: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def wait_http(port: int, path: str, process: subprocess.Popen, seconds: float) -> None:
    """Waits until GET ``path`` answers, or fails with the process's log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on {port} exited early")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not come up in {seconds}s")


def first_answer(bot: Bot, text: str, seconds: float = 300) -> float:
    """Sends ``text`` until the bot answers; returns seconds since process start."""
    client = Client(bot.port)
    deadline = time.monotonic() + seconds
    rasa = bot.processes["rasa"]
    while time.monotonic() < deadline:
        if rasa.poll() is not None:
            log = (bot.workdir / "rasa.log").read_text()[-3000:]
            raise RuntimeError(f"{bot.name}: Rasa exited early:\n{log}")
        try:
            replies = client.chat("cold-start", text, timeout=120)
            if replies:
                return time.monotonic() - bot.started_at
        except (OSError, http.client.HTTPException, RuntimeError):
            client.close()
        time.sleep(0.1)
    raise RuntimeError(f"{bot.name}: no answer in {seconds}s")


def base_env(workdir: Path) -> Dict[str, str]:
    """Environment shared by every server the bench starts."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SANIC_HOST": "127.0.0.1",
        "TRACKER_STORE_URL": "",
        "RASA_CACHE_DIRECTORY": str(workdir / "cache"),
        "LINE_CHANNEL_SECRET": "",
        "LINE_CHANNEL_ACCESS_TOKEN": "",
        "LINE_API_BASE_URL": "http://127.0.0.1:9",
        # serving speed, not the limits: bench/flood.py measures those
        "RATE_LIMIT_PER_MINUTE": "1000000",
        "MAX_INFLIGHT_TURNS": "10000",
    }


def launch(
    cmd: List[str], cwd: Path, env: Dict[str, str], log: Path
) -> subprocess.Popen:
    """Starts a server with its output in ``log``."""
    return subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def project_endpoints(workdir: Path) -> Path:
    """The repository's endpoints.yml when the tracker store comes from
    ``TRACKER_STORE_URL`` (bot/rasa_ext/tracker_store.py); else a copy with a
    temp SQLite file."""
    repo_file = REPO / "endpoints.yml"
    if "bot.rasa_ext.tracker_store" in repo_file.read_text(encoding="utf-8"):
        return repo_file
    own = workdir / "endpoints.yml"
    own.write_text(
        "action_endpoint:\n  url: ${ACTION_ENDPOINT_URL}\n"
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n"
        f"  db: {workdir / 'tracker.db'}\n",
        encoding="utf-8",
    )
    return own


def _start_servers(
    bot: Bot, actions: List[str], rasa: List[str], cwd: Path, env: Dict[str, str]
) -> Bot:
    """Starts `bot`'s action server and its Rasa server (on `bot.port`,
    loopback only), logs in its workdir; returns at once: `bring_up` or
    `first_answer` waits until it answers."""
    bot.started_at = time.monotonic()
    bot.processes["actions"] = launch(actions, cwd, env, bot.workdir / "actions.log")
    bot.processes["rasa"] = launch(
        [*rasa, "--port", str(bot.port), "--interface", "127.0.0.1"],
        cwd,
        env,
        bot.workdir / "rasa.log",
    )
    return bot


def start_project(
    model: Path, workdir: Path, env_overrides: Optional[Dict[str, str]] = None
) -> Bot:
    """This bot: action server + Rasa server, temp service DB and tracker store
    (SQLite files in ``workdir``, as the e2e tests run it). Returns at once:
    `bring_up` or `first_answer` waits until it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    port, action_port = free_port(), free_port()
    env = {**base_env(workdir), **(env_overrides or {})}
    for name in ("LOCK_STORE_URL", "LOCK_STORE_KEY_PREFIX"):
        env.pop(name, None)
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'service.db'}"
    env["TRACKER_STORE_URL"] = f"sqlite:///{workdir / 'tracker.db'}"
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{action_port}/webhook"
    endpoints = project_endpoints(workdir)
    subprocess.run(
        [PY, "-m", "bot.content.importer"],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return _start_servers(
        Bot("project", port, workdir),
        actions=[PY, "-m", "rasa_sdk", "--actions", "actions",
                 "--port", str(action_port)],
        rasa=[PY, "-m", "bot.rasa_ext", "run", "--model", str(model),
              "--credentials", str(REPO / "credentials.yml"),
              "--endpoints", str(endpoints)],
        cwd=REPO,
        env=env,
    )  # fmt: skip


def init_stock(workdir: Path) -> Dict[str, Any]:
    """``rasa init --no-prompt`` (which trains the stock model) in ``workdir``."""
    project = workdir / "stock"
    project.mkdir(parents=True, exist_ok=True)
    env = base_env(workdir)
    started = time.perf_counter()
    with (workdir / "init.log").open("w") as log:
        subprocess.run(
            [PY, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    seconds = time.perf_counter() - started
    models = sorted((project / "models").glob("*.tar.gz"))
    if not models:
        raise RuntimeError("rasa init produced no model")
    return {"project": project, "model": models[-1], "init_and_train_s": seconds}


def start_stock(stock: Dict[str, Any], workdir: Path) -> Bot:
    """The stock assistant with its own action server (its defaults otherwise:
    in-memory tracker store, default pipeline and policies)."""
    project: Path = stock["project"]
    workdir.mkdir(parents=True, exist_ok=True)
    port, action_port = free_port(), free_port()
    # rasa init's endpoints.yml has every entry commented out (in-memory
    # tracker store, no action server); only the action endpoint is added.
    (project / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n',
        encoding="utf-8",
    )
    return _start_servers(
        Bot("stock", port, workdir),
        actions=[PY, "-m", "rasa", "run", "actions", "--port", str(action_port)],
        rasa=[PY, "-m", "rasa", "run", "--model", str(stock["model"]),
              "--credentials", "credentials.yml", "--endpoints", "endpoints.yml"],
        cwd=project,
        env=base_env(workdir),
    )  # fmt: skip


def bring_up(bot: Bot, first_text: str) -> None:
    """Waits for both servers; records cold start (start -> first answer)."""
    answered = first_answer(bot, first_text)
    wait_http(bot.port, "/", bot.processes["rasa"], 60)
    bot.figures["cold_start_s"] = round(answered, 1)
