"""One client floods the bot while ordinary citizens talk to it (issue 17).

The flood is one REST sender posting as fast as it can over a few keep-alive
connections, plus one web-chat (socket.io) session emitting without waiting;
beside them, ordinary conversations ask one question after the other (with a
think time in the bench, none in the CI test). What is measured:

* every ordinary turn answered with 200 and a real answer (not the apology,
  not a limit notice), and its latency;
* the REST flooder's 200s and 429s (each 429 with ``Retry-After`` and the
  Thai notice); the socket.io flooder's notices (one per window) and answers.

tests/limits/test_flood.py runs `run_flood` once against the test servers and
checks the tracker store too; ``make bench`` runs `main`: 20 s of ordinary
conversations without, then with, the flood, on a bot with the default limit
(20 a minute), and reports both p95s (goal: with ≤ 2 × without).

    python -m bench.flood --model models/current.tar.gz [--seconds 20]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp

from bot.replies import phrases

QUESTIONS = (
    "จังหวัดลำพูนได้รางวัลไหมคะ",
    "โครงการยกเลิกสำเนาเอกสารราชการคืออะไร",
    "Biz Portal คืออะไร",
    "ใครได้รางวัลบ้าง",
    "ต้องใช้สำเนาบัตรประชาชนไหม",
)
WEBHOOK = "/webhooks/rest/webhook"


@dataclass
class FloodReport:
    """What the ordinary conversations and the flooders saw."""

    run_id: str
    ordinary_senders: List[str] = field(default_factory=list)
    ordinary_turns: Dict[str, int] = field(default_factory=dict)
    ordinary_errors: List[str] = field(default_factory=list)
    ordinary_latencies_s: List[float] = field(default_factory=list)
    rest_sender: str = ""
    rest_ok: int = 0
    rest_limited: int = 0
    rest_other: List[str] = field(default_factory=list)
    socket_session: str = ""
    socket_sent: int = 0
    socket_notices: int = 0
    socket_answers: int = 0
    flood_windows: int = 0  # 60-s windows the flood touched

    def p95_ms(self) -> Optional[float]:
        """p95 of the ordinary turns, in ms."""
        values = sorted(self.ordinary_latencies_s)
        if not values:
            return None
        return round(values[min(len(values) - 1, int(0.95 * len(values)))] * 1000, 1)

    def summary(self) -> Dict[str, Any]:
        """The figures as JSON-ready values."""
        return {
            "ordinary_turns": len(self.ordinary_latencies_s),
            "ordinary_errors": len(self.ordinary_errors),
            "ordinary_p95_ms": self.p95_ms(),
            "rest_flood_ok": self.rest_ok,
            "rest_flood_429": self.rest_limited,
            "rest_flood_other": len(self.rest_other),
            "socketio_flood_sent": self.socket_sent,
            "socketio_flood_notices": self.socket_notices,
            "socketio_flood_answers": self.socket_answers,
            "flood_windows": self.flood_windows,
        }


def is_error(status: int, replies: Any) -> Optional[str]:
    """Why an ordinary turn failed, or None."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(replies, list) or not replies:
        return "no reply"
    texts = " ".join(str(r.get("text") or "") for r in replies if isinstance(r, dict))
    for bad in (phrases.SYSTEM_ERROR, phrases.RATE_LIMITED, phrases.OVERLOADED):
        if bad in texts:
            return "apology or limit notice"
    return None


async def _post(session: aiohttp.ClientSession, url: str, sender: str, text: str):
    async with session.post(url, json={"sender": sender, "message": text}) as r:
        return r.status, r.headers.get("Retry-After"), await r.json(content_type=None)


async def ordinary(
    url: str, sender: str, report: FloodReport, turns: int, until: float, think_s: float
) -> None:
    """One citizen: `turns` questions, or questions until `until` (monotonic
    time) when `until` is set, one after the other with `think_s` between."""
    async with aiohttp.ClientSession() as session:
        turn = 0
        while (time.monotonic() < until) if until else (turn < turns):
            text = QUESTIONS[turn % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                status, _, replies = await _post(session, url + WEBHOOK, sender, text)
                problem = is_error(status, replies)
            except Exception as error:  # noqa: BLE001 - counted
                problem = type(error).__name__
            report.ordinary_latencies_s.append(time.perf_counter() - started)
            report.ordinary_turns[sender] = report.ordinary_turns.get(sender, 0) + 1
            if problem:
                report.ordinary_errors.append(f"{sender} turn {turn}: {problem}")
            turn += 1
            if think_s:
                await asyncio.sleep(think_s)


async def rest_flood(url: str, report: FloodReport, stop: asyncio.Event) -> None:
    """One REST sender, as fast as it can, over 3 connections."""

    async def connection() -> None:
        async with aiohttp.ClientSession() as session:
            while not stop.is_set():
                status, retry_after, body = await _post(
                    session, url + WEBHOOK, report.rest_sender, "สวัสดีค่ะ"
                )
                if status == 200:
                    report.rest_ok += 1
                elif (
                    status == 429
                    and retry_after
                    and isinstance(body, dict)
                    and body.get("message") == phrases.RATE_LIMITED
                ):
                    report.rest_limited += 1
                else:
                    report.rest_other.append(f"{status} {str(body)[:200]}")

    await asyncio.gather(*(connection() for _ in range(3)))


async def socketio_flood(url: str, report: FloodReport, stop: asyncio.Event) -> None:
    """One web-chat session emitting without waiting for answers."""
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Queue = asyncio.Queue()

    async def on_answer(answer: Dict[str, Any]) -> None:
        if answer.get("text") == phrases.RATE_LIMITED:
            report.socket_notices += 1
        else:
            report.socket_answers += 1

    client.on("bot_uttered", on_answer)
    client.on("session_confirm", confirmed.put)
    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": report.socket_session})
        session_id = await asyncio.wait_for(confirmed.get(), 30)
        while not stop.is_set():
            await client.emit(
                "user_uttered", {"message": "สวัสดีค่ะ", "session_id": session_id}
            )
            report.socket_sent += 1
            await asyncio.sleep(0.02)
        # the admitted messages are still being answered: wait until no
        # answer came for 2 s (at most 60 s), so no turn is left running
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            before = report.socket_answers
            await asyncio.sleep(2)
            if report.socket_answers == before:
                break
    finally:
        await client.eio.disconnect(abort=True)


async def run_flood(
    url: str,
    conversations: int = 10,
    turns: int = 4,
    seconds: float = 0.0,
    think_s: float = 0.0,
    flood: bool = True,
    until_limited_s: float = 0.0,
) -> FloodReport:
    """Ordinary conversations (`turns` each, or for `seconds`) with or
    without the flood beside them. With `until_limited_s`, the flood goes on
    after them until both flooders were refused (at most that many seconds)."""
    run_id = uuid.uuid4().hex[:8]
    report = FloodReport(run_id)
    report.ordinary_senders = [f"calm-{run_id}-{i}" for i in range(conversations)]
    report.rest_sender = f"flood-{run_id}"
    report.socket_session = f"floodweb{run_id}"
    stop = asyncio.Event()
    until = time.monotonic() + seconds if seconds else 0.0
    started = time.time()
    flooders = []
    if flood:
        flooders = [
            asyncio.ensure_future(rest_flood(url, report, stop)),
            asyncio.ensure_future(socketio_flood(url, report, stop)),
        ]
        await asyncio.sleep(0.5)  # the flood is on before the citizens come
    await asyncio.gather(
        *(
            ordinary(url, s, report, 0 if seconds else turns, until, think_s)
            for s in report.ordinary_senders
        )
    )
    deadline = time.monotonic() + until_limited_s
    while flood and time.monotonic() < deadline:
        if report.rest_limited >= 3 and report.socket_notices >= 1:
            break
        await asyncio.sleep(0.2)
    stop.set()
    await asyncio.gather(*flooders)
    report.flood_windows = int(time.time() // 60) - int(started // 60) + 1
    return report


def report_section(result: Dict[str, Any]) -> List[str]:
    """The docs/benchmarks.md section for `main`'s JSON (bench/report.py)."""
    quiet, flood = result["without_flood"], result["with_flood"]
    ratio = result.get("p95_ratio")
    met = "met" if ratio is not None and ratio <= 2 else "not met"
    rows = [
        ("ordinary turns", quiet["ordinary_turns"], flood["ordinary_turns"]),
        ("ordinary errors", quiet["ordinary_errors"], flood["ordinary_errors"]),
        ("ordinary p95 (ms)", quiet["ordinary_p95_ms"], flood["ordinary_p95_ms"]),
        ("REST flooder: answered / 429", "-", "{} / {}".format(
            flood["rest_flood_ok"], flood["rest_flood_429"])),
        ("web-chat flooder: sent / notices / answers", "-", "{} / {} / {}".format(
            flood["socketio_flood_sent"], flood["socketio_flood_notices"],
            flood["socketio_flood_answers"])),
    ]  # fmt: skip
    lines = [
        "## One client flooding the bot",
        "",
        f"`python -m bench.flood`: ten ordinary conversations (a question every "
        f"4 s) for {result['seconds']:.0f} s, first alone, then while one REST "
        "sender posts as fast as it can over 3 connections and one web-chat "
        "session emits 50 messages a second; the bot runs with the default "
        f"limit of {result['rate_limit_per_minute']} messages a minute per "
        "conversation (bot/channels/limits.py).",
        "",
        f"**Ordinary p95 with the flood / without: {ratio}×** (goal ≤ 2×: {met}).",
        "",
        "| | without flood | with flood |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {a} | {b} |" for name, a, b in rows]
    return lines + [""]


def main(argv: Optional[List[str]] = None) -> int:
    """Starts the bot (default limit), runs the bench, prints/writes JSON."""
    from bench.procs import first_answer, start_project
    from bench.stats import emit

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    # bench.serving lifts the limits for its speed runs; the default here
    limits = {"RATE_LIMIT_PER_MINUTE": "20", "MAX_INFLIGHT_TURNS": "100"}
    with tempfile.TemporaryDirectory() as tmp:
        bot = start_project(args.model, Path(tmp), limits)
        try:
            first_answer(bot, "สวัสดีค่ะ")
            url = f"http://127.0.0.1:{bot.port}"
            asyncio.run(run_flood(url, 10, turns=2, flood=False))  # warm-up
            # think time 4 s: about 5 turns each in 20 s, under 20 a minute
            quiet = asyncio.run(
                run_flood(url, 10, seconds=args.seconds, think_s=4.0, flood=False)
            )
            flooded = asyncio.run(
                run_flood(url, 10, seconds=args.seconds, think_s=4.0, flood=True)
            )
        finally:
            bot.stop()
    p_quiet, p_flood = quiet.p95_ms(), flooded.p95_ms()
    result = {
        "seconds": args.seconds,
        "rate_limit_per_minute": 20,
        "without_flood": quiet.summary(),
        "with_flood": flooded.summary(),
        "p95_ratio": round(p_flood / p_quiet, 2) if p_quiet and p_flood else None,
    }
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
