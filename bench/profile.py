"""py-spy profiles of the servers under load, and which parts of the
code the time goes to."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any, Dict

from bench.procs import PY, REPO


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
