"""Serving speed and cost: this bot against a stock Rasa 3.6 assistant.

Both run the same way the e2e tests run them (free loopback ports, a temporary
folder for the service DB and the tracker store), never on 5005. For each:

* cold start: process start -> first answer over REST;
* latency p50/p95/p99 and throughput at concurrency 1 and 8, with a mix of
  questions (Thai for this bot: award lists/checks/counts, No-Copy and Biz
  Portal answers, licences by business type, small talk; English for stock);
* p50 at each turn of 50-turn conversations (turn 1 vs turn 50);
* peak memory (VmHWM) of the Rasa server and the action server;
* optionally a py-spy profile of this bot's two servers under load.

Both bots are started one after the other (so cold starts do not overlap),
then measured in alternating blocks, so that on a shared machine both see the
same background load.

    python -m bench.serving --model models/current.tar.gz --json out.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable

# (kind, text): what each message exercises in this bot.
PROJECT_MIX: List[Tuple[str, str]] = [
    ("award list (DB)", "รางวัลระดับจังหวัดมีใครบ้าง"),
    ("award list (DB)", "รางวัลรัฐบาลดิจิทัลมีใครได้บ้าง"),
    ("award check (DB, matcher)", "กฟน.ได้รางวัลไหม"),
    ("award check (DB, matcher)", "การประปานครหลวงได้รางวัลมั้ย"),
    ("award count (DB)", "มีกี่หน่วยงานที่ได้รางวัล"),
    ("no-copy answer (DB)", "ยกเลิกสำเนาบัตรประชาชนคืออะไร"),
    ("no-copy answer (DB)", "ไม่ต้องใช้สำเนาแล้วต้องเตรียมอะไรไปแทน"),
    ("licences (DB, matcher)", "อยากเปิดร้านกาแฟต้องขอใบอนุญาตอะไรบ้าง"),
    ("licences (DB, matcher)", "จะเปิดโรงแรมต้องมีใบอนุญาตอะไร"),
    ("biz portal answer (DB)", "Biz Portal คืออะไร"),
    ("small talk", "สวัสดีครับ"),
    ("small talk", "ขอบคุณครับ"),
    ("small talk", "คุยกับคนจริงหรือบอทคะ"),
    ("small talk", "ถามอะไรได้บ้าง"),
]
STOCK_MIX: List[Tuple[str, str]] = [
    ("small talk", "hello"),
    ("small talk", "good morning"),
    ("mood", "I am sad"),
    ("mood", "I am feeling very good"),
    ("affirm", "yes"),
    ("deny", "no"),
    ("small talk", "are you a bot?"),
    ("small talk", "bye"),
]
# The message at turn 1 and turn 50 of the long conversation (an award check:
# NLU, rules, an action, the matcher and the DB).
PROJECT_TURN_MESSAGE = "กฟน.ได้รางวัลไหม"
STOCK_TURN_MESSAGE = "I am sad"


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    data = sorted(values)
    if not data:
        return float("nan")
    k = (len(data) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (k - low)


def summary(latencies_s: Sequence[float]) -> Dict[str, float]:
    """p50/p95/p99/mean in milliseconds."""
    ms = [x * 1000 for x in latencies_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else float("nan"),
    }


# ------------------------------------------------------------------ HTTP client
class Client:
    """One keep-alive connection to the REST channel."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: Optional[http.client.HTTPConnection] = None

    def chat(self, sender: str, text: str, timeout: float = 60) -> List[dict]:
        """POSTs one message; returns the bot's replies."""
        body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=timeout
                )
            try:
                self.conn.request(
                    "POST",
                    "/webhooks/rest/webhook",
                    body=body,
                    headers={"Content-Type": "application/json"},
                )
                response = self.conn.getresponse()
                raw = response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}: {raw[:300]!r}")
                return json.loads(raw)
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
        return []

    def timed(self, sender: str, text: str) -> Tuple[float, List[dict]]:
        """(seconds, replies) for one message."""
        started = time.perf_counter()
        replies = self.chat(sender, text)
        return time.perf_counter() - started, replies

    def close(self) -> None:
        """Closes the connection."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ---------------------------------------------------------------- the servers
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


def start_project(
    model: Path, workdir: Path, env_overrides: Optional[Dict[str, str]] = None
) -> Bot:
    """This bot: action server + Rasa server, temp service DB and tracker store
    (SQLite files in ``workdir``, as the e2e tests run it)."""
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
    bot = Bot("project", port, workdir)
    bot.started_at = time.monotonic()
    bot.processes["actions"] = launch(
        [PY, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
        REPO,
        env,
        workdir / "actions.log",
    )
    bot.processes["rasa"] = launch(
        [
            PY, "-m", "bot.rasa_ext", "run",
            "--model", str(model),
            "--port", str(port),
            "--interface", "127.0.0.1",
            "--credentials", str(REPO / "credentials.yml"),
            "--endpoints", str(endpoints),
        ],
        REPO,
        env,
        workdir / "rasa.log",
    )  # fmt: skip
    return bot


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
    env = base_env(workdir)
    bot = Bot("stock", port, workdir)
    bot.started_at = time.monotonic()
    bot.processes["actions"] = launch(
        [PY, "-m", "rasa", "run", "actions", "--port", str(action_port)],
        project,
        env,
        workdir / "actions.log",
    )
    bot.processes["rasa"] = launch(
        [
            PY, "-m", "rasa", "run",
            "--model", str(stock["model"]),
            "--port", str(port),
            "--interface", "127.0.0.1",
            "--credentials", "credentials.yml",
            "--endpoints", "endpoints.yml",
        ],
        project,
        env,
        workdir / "rasa.log",
    )  # fmt: skip
    return bot


def bring_up(bot: Bot, first_text: str) -> None:
    """Waits for both servers; records cold start (start -> first answer)."""
    answered = first_answer(bot, first_text)
    wait_http(bot.port, "/", bot.processes["rasa"], 60)
    bot.figures["cold_start_s"] = round(answered, 1)


# ------------------------------------------------------------------ workloads
def probe(bot: Bot, mix: Sequence[Tuple[str, str]]) -> List[Dict[str, Any]]:
    """Each message once, in a fresh conversation: what the bot answered."""
    client = Client(bot.port)
    out = []
    for i, (kind, text) in enumerate(mix):
        replies = client.chat(f"probe-{i}", text)
        joined = " ".join(r.get("text", "") for r in replies)
        out.append(
            {
                "kind": kind,
                "text": text,
                "reply": joined[:70].replace("\n", " "),
                "with_source": "ที่มา" in joined,
            }
        )
    client.close()
    return out


def warm_up(bot: Bot, mix: Sequence[Tuple[str, str]], rounds: int = 2) -> None:
    """Runs the mix a few times so lazy graph building is not measured."""
    client = Client(bot.port)
    for r in range(rounds):
        for _, text in mix:
            client.chat(f"warmup-{r}", text)
    client.close()


@dataclass
class Samples:
    """Latencies collected over one or more runs of `send_load`."""

    concurrency: int
    latencies: List[float] = field(default_factory=list)
    by_kind: Dict[str, List[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    wall: float = 0.0

    def result(self) -> Dict[str, Any]:
        """Percentiles, throughput and errors."""
        return {
            "concurrency": self.concurrency,
            **summary(self.latencies),
            "throughput_rps": round(len(self.latencies) / self.wall, 2)
            if self.wall
            else 0.0,
            "wall_s": round(self.wall, 1),
            "errors": dict(self.errors),
            "by_kind_p50_ms": {
                k: summary(v)["p50_ms"] for k, v in sorted(self.by_kind.items())
            },
        }


def send_load(
    bot: Bot,
    mix: Sequence[Tuple[str, str]],
    samples: Samples,
    requests: int,
    seed: int = 7,
) -> None:
    """``requests`` messages from ``samples.concurrency`` parallel clients.
    Each client runs conversations of the whole mix in a shuffled order, with
    a new conversation id for each round."""
    concurrency = samples.concurrency
    lock = threading.Lock()
    counter = iter(range(requests))
    run_id = f"c{concurrency}-{seed}-{random.randrange(10**6)}"

    def worker(index: int) -> None:
        client = Client(bot.port)
        rng = random.Random(seed * 100 + index)
        conversation = 0
        queue: List[Tuple[str, str]] = []
        sender = ""
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            if not queue:
                queue = list(mix)
                rng.shuffle(queue)
                conversation += 1
                sender = f"load-{run_id}-{index}-{conversation}"
            kind, text = queue.pop()
            try:
                seconds, _ = client.timed(sender, text)
            except Exception as error:  # noqa: BLE001 - counted and reported
                with lock:
                    samples.errors[type(error).__name__] += 1
                continue
            with lock:
                samples.latencies.append(seconds)
                samples.by_kind.setdefault(kind, []).append(seconds)
        client.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    samples.wall += time.perf_counter() - started


def load(
    bot: Bot,
    mix: Sequence[Tuple[str, str]],
    concurrency: int,
    requests: int,
    seed: int = 7,
) -> Dict[str, Any]:
    """One load run against one bot."""
    samples = Samples(concurrency)
    send_load(bot, mix, samples, requests, seed)
    return samples.result()


def interleaved_load(
    bots: Sequence[Tuple[Bot, Sequence[Tuple[str, str]]]],
    concurrency: int,
    requests: int,
    block_conversations: int,
) -> List[Dict[str, Any]]:
    """Load on several bots in alternating blocks (each block: the clients run
    ``block_conversations`` conversations of the bot's mix), so that all of
    them see the same background load on a shared machine."""
    samples = [Samples(concurrency) for _ in bots]
    sent = [0] * len(bots)
    block = 0
    while any(n < requests for n in sent):
        for i, (bot, mix) in enumerate(bots):
            if sent[i] >= requests:
                continue
            size = min(requests - sent[i], block_conversations * len(mix))
            send_load(bot, mix, samples[i], size, seed=block)
            sent[i] += size
        block += 1
    return [s.result() for s in samples]


def turn_growth(
    bots: Sequence[Tuple[Bot, Sequence[Tuple[str, str]], str]],
    conversations: int,
    turns: int = 50,
) -> List[Dict[str, Any]]:
    """p50 per turn over ``conversations`` conversations of ``turns`` turns for
    each bot, alternating bots conversation by conversation. Turn 1 and the
    last turn send the same message; the turns in between cycle through the
    mix."""
    per_turn = [{t: [] for t in range(1, turns + 1)} for _ in bots]
    clients = [Client(bot.port) for bot, _, _ in bots]
    for c in range(conversations):
        for i, (_bot, mix, probe_text) in enumerate(bots):
            texts = [text for _, text in mix]
            sender = f"long-{c}-{random.randrange(10**6)}"
            for turn in range(1, turns + 1):
                if turn in (1, turns):
                    text = probe_text
                else:
                    text = texts[(turn + c) % len(texts)]
                seconds, _ = clients[i].timed(sender, text)
                per_turn[i][turn].append(seconds)
    for client in clients:
        client.close()
    out = []
    for i, (_bot, _mix, probe_text) in enumerate(bots):
        p50 = {t: round(statistics.median(v) * 1000, 1) for t, v in per_turn[i].items()}
        first, last = p50[1], p50[turns]
        out.append(
            {
                "conversations": conversations,
                "turns": turns,
                "message": probe_text,
                "turn1_p50_ms": first,
                f"turn{turns}_p50_ms": last,
                "ratio": round(last / first, 2),
                "p50_by_turn_ms": {
                    t: p50[t] for t in (1, 2, 5, 10, 20, 30, 40, 49, turns)
                },
            }
        )
    return out


# ------------------------------------------------------------------ profiling
def py_spy(pid: int, seconds: int, out: Path) -> subprocess.Popen:
    """Starts ``py-spy record`` (raw collapsed stacks) on ``pid``."""
    exe = shutil.which("py-spy", path=str(Path(PY).parent)) or "py-spy"
    return subprocess.Popen(
        [
            exe, "record",
            "--pid", str(pid),
            "--duration", str(seconds),
            "--rate", "200",
            "--format", "raw",
            "--output", str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


# Leaf frames of threads that wait (thread-pool workers, the event loop's
# select): py-spy does not always see them as idle.
IDLE_LEAVES = (
    "_worker (concurrent/futures/thread.py)",
    "serve (sanic/server/runners.py)",
    "select (selectors.py)",
    "wait (threading.py)",
    "_run_once (asyncio/base_events.py)",
)
# (label, frame prefix): what a busy sample of each server was doing.
COMPONENTS = {
    "rasa": [
        ("NLU: DIET", "process (rasa/nlu/classifiers/diet_classifier.py)"),
        ("NLU: tokenizer and featurizers", "process (rasa/nlu/tokenizers/"),
        ("NLU: tokenizer and featurizers", "process (rasa/nlu/featurizers/"),
        ("NLU: tokenizer and featurizers", "process (bot/nlu/"),
        ("policies: TED", "predict_action_probabilities (rasa/core/policies/ted"),
        ("policies: rules", "predict_action_probabilities (rasa/core/policies/rule"),
        (
            "policies: memoization",
            "predict_action_probabilities (rasa/core/policies/memo",
        ),
        ("actions (incl. the call to the action server)", "run (rasa/core/actions/"),
        (
            "tracker store: read",
            "get_or_create_tracker (rasa/core/tracker_store.py)",
        ),
        ("tracker store: write", "save_tracker (rasa/core/processor.py)"),
        ("REST channel, Sanic, rest of Rasa", ""),
    ],
    "actions": [
        ("name matcher", "(bot/content/matcher.py)"),
        ("SQL (SQLAlchemy)", "(sqlalchemy/"),
        ("repository (rest)", "(bot/content/repository.py)"),
        ("reply formatting", "(bot/replies/"),
        ("rasa-sdk and Sanic (JSON, HTTP, rest)", ""),
    ],
}


def top_frames(raw: Path, limit: int = 25, server: str = "") -> Dict[str, Any]:
    """Share of *busy* samples per function (inclusive) and per component,
    from py-spy's collapsed stacks; waiting threads are left out."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    parts: Counter = Counter()
    total = busy = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [shorten(f) for f in stack.split(";")]
        if frames[-1] in IDLE_LEAVES:
            continue
        busy += n
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
        for label, prefix in COMPONENTS.get(server, []):
            if any(prefix in f for f in frames):  # the first that matches
                parts[label] += n
                break
    busy = busy or 1
    return {
        "samples": total,
        "busy_samples": busy,
        "inclusive_pct": {
            f: round(100 * n / busy, 1) for f, n in inclusive.most_common(limit)
        },
        "own_pct": {f: round(100 * n / busy, 1) for f, n in own.most_common(12)},
        "components_pct": {
            label: round(100 * n / busy, 1) for label, n in parts.most_common()
        },
    }


def shorten(frame: str) -> str:
    """'fn (/.../site-packages/rasa/core/x.py:12)' -> 'fn (rasa/core/x.py)'."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", str(REPO) + "/", "lib/python3.10/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})" if path else name


def profile_under_load(
    bot: Bot, mix: Sequence[Tuple[str, str]], seconds: int, outdir: Path
) -> Dict[str, Any]:
    """py-spy on both servers while 8 clients send the mix."""
    outdir.mkdir(parents=True, exist_ok=True)
    spies = {
        name: (py_spy(p.pid, seconds, outdir / f"{bot.name}-{name}.txt"))
        for name, p in bot.processes.items()
    }
    time.sleep(1.0)
    deadline = time.monotonic() + seconds - 2
    sent = 0
    while time.monotonic() < deadline:
        load(bot, mix, 8, 8 * len(mix), seed=sent)
        sent += 1
    result = {}
    for name, spy in spies.items():
        spy.wait(timeout=seconds + 60)
        raw = outdir / f"{bot.name}-{name}.txt"
        result[name] = (
            top_frames(raw, limit=60, server=name)
            if raw.exists()
            else {"error": "no output"}
        )
    return result


# ------------------------------------------------------------------ the bench
def run(args: argparse.Namespace) -> Dict[str, Any]:
    """Both bots up (one after the other, for clean cold starts), then every
    measurement alternating between them, then the profile of this bot."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    out: Dict[str, Any] = {"workdir": str(workdir)}
    bots: List[Tuple[str, Bot, Sequence[Tuple[str, str]], str]] = []
    try:
        bot = start_project(args.model, workdir / "project")
        bots.append(("project", bot, PROJECT_MIX, PROJECT_TURN_MESSAGE))
        bring_up(bot, PROJECT_MIX[0][1])
        if not args.skip_stock:
            stock = init_stock(workdir)
            out["stock_init_and_train_s"] = round(stock["init_and_train_s"], 1)
            sbot = start_stock(stock, workdir / "stock-run")
            bots.append(("stock", sbot, STOCK_MIX, STOCK_TURN_MESSAGE))
            bring_up(sbot, STOCK_MIX[0][1])
        for name, b, mix, _ in bots:
            warm_up(b, mix)
            out[name] = {
                "cold_start_s": b.figures["cold_start_s"],
                "probe": probe(b, mix),
            }
        pairs = [(b, mix) for _, b, mix, _ in bots]
        for level, concurrency, requests, block in (
            ("c1", 1, args.requests_c1, 1),
            ("c8", 8, args.requests_c8, 8),
        ):
            results = interleaved_load(pairs, concurrency, requests, block)
            for (name, *_), result in zip(bots, results, strict=True):
                out[name][level] = result
        turns = turn_growth(
            [(b, mix, text) for _, b, mix, text in bots], args.conversations
        )
        for (name, *_), result in zip(bots, turns, strict=True):
            out[name]["turns"] = result
        if args.profile:
            out["project"]["profile"] = profile_under_load(
                bot, PROJECT_MIX, args.profile, args.profile_dir
            )
        for name, b, _, _ in bots:
            out[name]["memory"] = b.memory()
    finally:
        for _, b, _, _ in bots:
            b.stop()
    if "stock" in out:
        out["ratios"] = {
            level: {
                key: round(out["project"][level][key] / out["stock"][level][key], 2)
                for key in ("p50_ms", "p95_ms", "p99_ms")
            }
            for level in ("c1", "c8")
        }
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return out


def main() -> None:
    """CLI: see the module docstring."""
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--model", type=Path, default=REPO / "models" / "current.tar.gz"
    )
    parser.add_argument("--requests-c1", type=int, default=300)
    parser.add_argument("--requests-c8", type=int, default=480)
    parser.add_argument("--conversations", type=int, default=8)
    parser.add_argument("--profile", type=int, default=0, help="seconds of py-spy")
    parser.add_argument("--profile-dir", type=Path, default=REPO / ".run" / "bench")
    parser.add_argument("--skip-stock", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args)
    text = json.dumps(result, ensure_ascii=False, indent=1, default=str)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
