"""Held-out conversations through the REST channel of a running bot.

``tests/nlu_heldout/conversations.yml`` was written without reading the
training data: each conversation is 1-4 citizen turns with what a careful
human agent's answer must show (yes or no first, the topic, names or counts
it must or must not mention, no claimed win for a body that did not win).
This sends every turn to ``/webhooks/rest/webhook`` and reports the share of
conversations whose every turn passed, overall and per category.

    python -m bench.conversations --url http://127.0.0.1:5005 [--json out.json]
    python -m bench.conversations --model models/current.tar.gz   (starts its own bot)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, List

import yaml

REPO = Path(__file__).resolve().parents[1]
CONVERSATIONS = REPO / "tests" / "nlu_heldout" / "conversations.yml"

YES = re.compile(r"^(ใช่|ได้|มี|ต้อง(?!การ)|Yes)")
NO = re.compile(r"^(ไม่|โดยทั่วไปไม่|ยังไม่|No\b)")


def _answers_markers() -> Dict[str, str]:
    """The opening words of each answers.yml answer: its topic's marker."""
    data = yaml.safe_load((REPO / "data/content/answers.yml").read_text("utf-8"))
    return {
        k: v["text"].strip().splitlines()[0][:24] for k, v in data["answers"].items()
    }


def _domain_markers() -> Dict[str, str]:
    data = yaml.safe_load((REPO / "domain.yml").read_text("utf-8"))
    names = {
        "greet": "utter_greet",
        "goodbye": "utter_goodbye",
        "thank": "utter_thank",
        "bot_challenge": "utter_iamabot",
        "help": "utter_help",
    }
    return {t: data["responses"][r][0]["text"][:16] for t, r in names.items()}


def topic_checks() -> Dict[str, Callable[[str], bool]]:
    """How each topic shows in a reply's text."""
    checks: Dict[str, Callable[[str], bool]] = {}
    for topic, marker in {**_answers_markers(), **_domain_markers()}.items():
        checks[topic] = lambda t, m=marker: m in t
    checks.update(
        award_winners=lambda t: bool(re.search(r"^1\. ", t, re.M)),
        award_check=lambda t: any(
            w in t for w in ("ได้รับ", "ไม่อยู่ในรายชื่อ", "ไม่พบ", "รายชื่อ")
        ),
        award_count=lambda t: bool(re.search(r"(มี|รวม) \d+ (รางวัล|หน่วยงาน)", t)),
        bizportal_licences=lambda t: "ใบอนุญาต" in t and "ธุรกิจ" in t,
        out_of_scope=lambda t: "นอกขอบเขต" in t,
        other_year=lambda t: "มีข้อมูลเฉพาะ" in t,
        sources=lambda t: "อ้างอิงจากแหล่งข้อมูล" in t,
    )
    return checks


def claims_win(text: str) -> bool:
    """The reply starts with a yes or says a body received an award."""
    lines = [ln.lstrip("• ").strip() for ln in text.splitlines() if ln.strip()]
    if lines and re.match(r"^(ใช่|Yes)", lines[0]):
        return True
    for ln in lines:
        if "ได้รับ" in ln and not ln.startswith(("ไม่", "จังหวัดที่ได้รับ", "ที่มา")):
            if "ไม่" not in ln.split("ได้รับ")[0]:
                return True
    return False


def problems(text: str, expect: Dict[str, Any], checks: Dict) -> List[str]:
    """What in ``expect`` the reply ``text`` does not show (empty: passed)."""
    out = []
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    answer = expect.get("answer")
    if answer == "yes" and not YES.search(first):
        out.append(f"expected yes first: {first[:60]}")
    if answer == "no" and not NO.search(first):
        out.append(f"expected no first: {first[:60]}")
    topic = expect.get("topic")
    if topic and not checks.get(topic, lambda t: False)(text):
        out.append(f"topic {topic} not shown")
    for m in expect.get("mentions_all") or []:
        if m not in text:
            out.append(f"missing {m!r}")
    anyof = expect.get("mentions_any") or []
    if anyof and not any(m in text for m in anyof):
        out.append(f"none of {anyof}")
    for m in expect.get("not_mentions") or []:
        if m in text:
            out.append(f"mentions {m!r}")
    if expect.get("no_win_claim") and claims_win(text):
        out.append("claims a win")
    return out


def say(url: str, sender: str, text: str, timeout: float = 30) -> str:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    req = urllib.request.Request(
        url.rstrip("/") + "/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        messages = json.loads(resp.read().decode("utf-8"))
    return "\n".join(m.get("text") or "" for m in messages)


def run(url: str, path: Path = CONVERSATIONS) -> Dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    checks = topic_checks()
    per_cat: Dict[str, List[bool]] = defaultdict(list)
    failures = []
    turns = 0
    for conv in data["conversations"]:
        sender = f"heldout-{conv['id']}-{uuid.uuid4().hex[:6]}"
        ok = True
        for turn in conv["turns"]:
            turns += 1
            reply = say(url, sender, turn["user"])
            found = problems(reply, turn.get("expect") or {}, checks)
            if found:
                ok = False
                failures.append(
                    {
                        "id": conv["id"],
                        "user": turn["user"],
                        "problems": found,
                        "reply": reply[:300],
                    }
                )
        per_cat[conv["category"]].append(ok)
    passed = sum(sum(v) for v in per_cat.values())
    total = sum(len(v) for v in per_cat.values())
    return {
        "conversations": total,
        "turns": turns,
        "passed": passed,
        "pass_rate": passed / total if total else 0.0,
        "by_category": {
            k: {"n": len(v), "pass_rate": sum(v) / len(v)}
            for k, v in sorted(per_cat.items())
        },
        "failures": failures,
    }


def main(argv: List[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:5005")
    p.add_argument(
        "--model", type=Path, help="start this model on free ports instead of --url"
    )
    p.add_argument("--json", type=Path)
    p.add_argument("--show", type=int, default=20, help="failures to print")
    args = p.parse_args(argv)
    if args.model:
        import tempfile

        from bench.procs import first_answer, start_project

        with tempfile.TemporaryDirectory() as tmp:
            bot = start_project(args.model, Path(tmp))
            try:
                first_answer(bot, "สวัสดีค่ะ")  # wait until the bot answers
                result = run(f"http://127.0.0.1:{bot.port}")
            finally:
                bot.stop()
    else:
        result = run(args.url)
    print(
        f"conversations: {result['passed']}/{result['conversations']} passed "
        f"({result['pass_rate']:.1%}), {result['turns']} turns"
    )
    for cat, r in result["by_category"].items():
        print(f"  {cat:<14} {r['pass_rate']:.0%} of {r['n']}")
    for f in result["failures"][: args.show]:
        print(f"- {f['id']}: {f['user'][:70]!r}: {'; '.join(f['problems'])}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
