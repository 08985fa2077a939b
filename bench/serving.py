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
import json
import random
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bench.client import Client
from bench.procs import (
    REPO,
    Bot,
    bring_up,
    init_stock,
    start_project,
    start_stock,
)
from bench.profile import py_spy, top_frames
from bench.stats import summary

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
