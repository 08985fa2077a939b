"""The machine the benchmarks ran on, and its section of the report."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List

from bench.report.markdown import REPO, minutes, table


# ------------------------------------------------------------------ machine
def machine() -> Dict[str, Any]:
    """CPU, cores, memory, versions, date and load: where the bench ran."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    versions = {}
    for package in (
        "rasa",
        "rasa-sdk",
        "tensorflow",
        "pythainlp",
        "scikit-learn",
        "SQLAlchemy",
        "jsonschema",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": os.getloadavg(),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
    }


# ------------------------------------------------------------------ sections
def section_machine(info: Dict[str, Any], timing: Dict[str, Any]) -> List[str]:
    v = info["versions"]
    start_load = ", ".join(f"{x:.1f}" for x in info["loadavg"])
    end_load = ", ".join(f"{x:.1f}" for x in timing.get("loadavg_end", []))
    return [
        "## Where and how this was measured",
        "",
        *table(
            ["", ""],
            [
                ["date", info["date"]],
                ["CPU", f"{info['cpu']}, {info['cores']} cores"],
                ["memory", f"{info['memory_gb']} GB"],
                ["Python", info["python"]],
                [
                    "Rasa / rasa-sdk",
                    f"{v.get('rasa')} / {v.get('rasa-sdk')} "
                    f"(TensorFlow {v.get('tensorflow')})",
                ],
                [
                    "pythainlp / scikit-learn",
                    f"{v.get('pythainlp')} / {v.get('scikit-learn')}",
                ],
                ["code", f"git {info['commit']}"],
                ["whole bench", minutes(timing.get("total_s", 0))],
                ["load average (1/5/15 min)", f"start {start_load}; end {end_load}"],
            ],
        ),
        "",
        "The machine is shared with other engineers' jobs (see the load average): "
        "absolute times carry that noise. The comparisons that matter (this bot "
        "against stock Rasa, turn 1 against turn 50) are measured interleaved in "
        "the same run, so both sides see the same background load.",
        "",
        "**Reproduce:** `make bench` (= `bash scripts/bench.sh`; separate from "
        "`make test`). It trains into a temporary folder and never touches "
        "`models/current.tar.gz`; the servers run on free loopback ports with "
        "their own temporary databases, never on 5005. Raw results: "
        "`.run/bench/*.json`. Parts can be run alone:",
        "",
        "```bash",
        "python -m bench.truevoice            # Thai NLU vs TF-IDF+SVM",
        "python -m bench.truevoice --validate current,block_norm_c2  # choose settings",
        "python -m bench.nlu_heldout --model <model>    # this bot's own NLU",
        "python -m bench.serving --model <model> --profile 20  # speed, cost, profile",
        "```",
        "",
    ]
