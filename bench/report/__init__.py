"""Writes docs/benchmarks.md from the JSON files scripts/bench.sh produced.

Only the part between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` is
regenerated; everything else in the file (e.g. the "Load test" section that
bench/load.py's results go to) is kept.

    python -m bench.report machine            # machine facts as JSON
    python -m bench.report write --results .run/bench [--doc docs/benchmarks.md]"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from bench.report.goals import goal_notes, goal_rows
from bench.report.machine import machine, section_machine
from bench.report.markdown import (
    DOC,
    END,
    START,
    VALIDATION,
    domain_session,
    load,
    table,
)
from bench.report.nlu import section_conversations, section_heldout, section_truevoice
from bench.report.serving import (
    TRACKER_TEXT,
    section_costs,
    section_profile,
    section_serving,
)


def build(results: Path) -> str:
    """The generated Markdown between the markers."""
    info = load(results, "machine.json") or machine()
    timing = load(results, "timing.json") or {}
    training = load(results, "training.json")
    heldout = load(results, "heldout.json")
    serving = load(results, "serving.json")
    truevoice = load(results, "truevoice.json")
    validation = (
        json.loads(VALIDATION.read_text(encoding="utf-8"))
        if VALIDATION.exists()
        else None
    )
    lines = [START, "", *section_machine(info, timing)]
    convs = load(results, "conversations.json")
    flood = load(results, "flood.json")
    measured = {
        "training": training,
        "retrain": load(results, "retrain.json"),
        "truevoice": truevoice,
        "heldout": heldout,
        "conversations": convs,
        "serving": serving,
        "flood": flood,
    }
    goals = goal_rows(measured)
    if goals:
        lines += ["## Goals", ""] + table(["goal", "measured", "status"], goals) + [""]
        notes = goal_notes(measured)
        if notes:
            lines += ["Why the goals marked not met are not met:", "", *notes, ""]
    if truevoice:
        lines += section_truevoice(truevoice, validation)
    if heldout:
        lines += section_heldout(heldout)
    if convs:
        lines += section_conversations(convs)
    if flood:
        from bench.flood import report_section

        lines += report_section(flood)
    if serving:
        lines += section_serving(serving, timing)
        session = domain_session()
        by_turn = serving["project"]["turns"]["p50_by_turn_ms"]
        slope = (by_turn["50"] - by_turn["2"]) / 48
        lines += TRACKER_TEXT.format(
            expiry=session.get("session_expiration_time"),
            carry=str(session.get("carry_over_slots_to_new_session")).lower(),
            slope=f"{max(slope, 0):.1f}",
            ten=f"{max(slope, 0) * 9:.0f}",
        ).splitlines()
        lines += [""]
    lines += section_costs(serving, training, truevoice)
    if serving:
        lines += section_profile(serving)
    lines.append(END)
    return "\n".join(lines)


def write(doc: Path, block: str) -> None:
    """Replaces the block between the markers; keeps the rest of the file."""
    if doc.exists():
        text = doc.read_text(encoding="utf-8")
    else:
        text = "# Benchmarks\n\n"
    if START in text and END in text:
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        lines = text.splitlines(keepends=True)
        head = lines[0] if lines and lines[0].startswith("# ") else "# Benchmarks\n"
        rest = "".join(lines[1:]) if lines and lines[0].startswith("# ") else text
        text = head + "\n" + block + "\n" + rest.lstrip("\n")
        if rest.strip():
            text = head + "\n" + block + "\n\n" + rest.lstrip("\n")
    doc.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def main() -> None:
    """CLI: see the module docstring."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("machine")
    w = sub.add_parser("write")
    w.add_argument("--results", type=Path, required=True)
    w.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args()
    if args.command == "machine":
        json.dump(machine(), sys.stdout, indent=1)
        print()
        return
    write(args.doc, build(args.results))
    print(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
