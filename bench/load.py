"""Load test: many concurrent conversations through the REST channel.

Each conversation is one citizen asking, turn after turn, whether a province
won a Digital Government Award (``จังหวัด<X>ได้รางวัลไหมคะ``; the bot's first
answer line names the province, whether it won or not). At any turn the
conversations ask about different provinces, so a reply delivered to the
wrong conversation names the wrong province (or the wrong ``recipient_id``)
and is counted in `LoadReport.wrong`.

Every turn is a full question: the short follow-up ``แล้วจังหวัด<Y>ล่ะคะ``
depends on NLU quality for some province names, and this driver measures
serving, not NLU.

All conversations run at once; inside a conversation the turns are sent one
after the other (a citizen waits for the answer). One HTTP keep-alive
connection per conversation.

    python -m bench.load --url http://127.0.0.1:5005 [--conversations 50]
        [--turns 10] [--json out.json]

tests/reliability/test_load.py runs it once against the test servers and
checks the tracker store too; docs/benchmarks.md ("Load test") has results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp
import yaml

REPO = Path(__file__).resolve().parents[1]
PROVINCES_FILE = REPO / "data" / "content" / "provinces.yml"


def province_names() -> List[str]:
    """Thai names of all provinces in the service content, in file order."""
    data = yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8"))
    rows = data["provinces"] if isinstance(data, dict) else data
    return [row["name_th"] for row in rows]


def question(turn: int, province: str) -> str:
    """The question of one turn (the same form every turn, see above)."""
    return f"จังหวัด{province}ได้รางวัลไหมคะ"


def plan(conversations: int, turns: int, names: List[str]) -> List[List[str]]:
    """Province asked at each turn of each conversation.

    At a given turn, conversations ask about different provinces (as long as
    there are enough provinces), and a conversation never repeats itself.
    """
    count = len(names)
    return [
        [names[(c + t * conversations + t) % count] for t in range(turns)]
        for c in range(conversations)
    ]


def sender_id(run_id: str, conversation: int) -> str:
    """Conversation id of conversation number `conversation` in a run."""
    return f"load-{run_id}-{conversation:03d}"


@dataclass
class LoadReport:
    """What happened: every failed or misdelivered turn, and the latencies."""

    run_id: str
    conversations: int
    turns: int
    wall_s: float = 0.0
    latencies_s: List[float] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    wrong: List[str] = field(default_factory=list)

    @property
    def senders(self) -> List[str]:
        return [sender_id(self.run_id, c) for c in range(self.conversations)]

    def summary(self) -> Dict[str, Any]:
        """Numbers for docs/benchmarks.md."""
        lat = sorted(self.latencies_s)

        def pct(p: float) -> Optional[float]:
            if not lat:
                return None
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 3)

        total = self.conversations * self.turns
        return {
            "conversations": self.conversations,
            "turns_per_conversation": self.turns,
            "requests": total,
            "answered": len(lat),
            "errors": len(self.errors),
            "wrong_conversation_or_answer": len(self.wrong),
            "wall_s": round(self.wall_s, 2),
            "throughput_turns_per_s": round(len(lat) / self.wall_s, 2)
            if self.wall_s
            else None,
            "latency_s": {
                "mean": round(statistics.fmean(lat), 3) if lat else None,
                "p50": pct(0.50),
                "p95": pct(0.95),
                "p99": pct(0.99),
                "max": round(lat[-1], 3) if lat else None,
            },
        }


def check_reply(sender: str, province: str, replies: Any) -> Optional[str]:
    """None if `replies` is this conversation's answer about `province`."""
    if not isinstance(replies, list) or not replies:
        return "no reply"
    if any(r.get("recipient_id") != sender for r in replies):
        return f"recipient_id is not {sender}: {replies!r:.200}"
    first_line = str(replies[0].get("text") or "").split("\n", 1)[0]
    if province not in first_line:
        return f"asked about {province}, got: {first_line[:160]}"
    return None


async def _conversation(
    session: aiohttp.ClientSession,
    url: str,
    sender: str,
    provinces: List[str],
    report: LoadReport,
) -> None:
    for turn, province in enumerate(provinces):
        body = {"sender": sender, "message": question(turn, province)}
        started = time.monotonic()
        try:
            async with session.post(url, json=body) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            report.errors.append(f"{sender} turn {turn}: {type(error).__name__}")
            continue
        report.latencies_s.append(time.monotonic() - started)
        if status != 200:
            report.errors.append(f"{sender} turn {turn}: HTTP {status} {text[:200]}")
            continue
        try:
            replies = json.loads(text)
        except ValueError:
            report.errors.append(f"{sender} turn {turn}: not JSON: {text[:200]}")
            continue
        problem = check_reply(sender, province, replies)
        if problem:
            report.wrong.append(f"{sender} turn {turn}: {problem}")


async def run_load(
    base_url: str,
    conversations: int = 50,
    turns: int = 10,
    run_id: Optional[str] = None,
    timeout_s: float = 300,
) -> LoadReport:
    """Runs `conversations` x `turns` against the REST channel at `base_url`."""
    report = LoadReport(run_id or uuid.uuid4().hex[:8], conversations, turns)
    url = base_url.rstrip("/") + "/webhooks/rest/webhook"
    schedule = plan(conversations, turns, province_names())
    connector = aiohttp.TCPConnector(limit=conversations, force_close=False)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(
            *(
                _conversation(session, url, sender, schedule[i], report)
                for i, sender in enumerate(report.senders)
            )
        )
    report.wall_s = time.monotonic() - started
    return report


def main(argv: Optional[List[str]] = None) -> int:
    """CLI: prints the summary (and writes it as JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    report = asyncio.run(run_load(args.url, args.conversations, args.turns))
    summary = report.summary()
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    for line in (report.errors + report.wrong)[:20]:
        print(line, file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0 if not report.errors and not report.wrong else 1


if __name__ == "__main__":
    sys.exit(main())
