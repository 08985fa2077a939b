"""A staff change, retrained and live in the running bot (issue 13: ≤ 60 s).

Starts the bot on a copy of the bench's model, adds one taught sentence to a
copy of data/ (what `python -m bot.admin teach` does to data/nlu), trains the
way scripts/lib.sh's ensure_model does (into current-next.tar.gz, then
renamed over the watched file), and waits until the running Rasa serves the
new model (its REST health route) and answers with it. Nothing in the
repository changes; the Rasa cache is the one in ``RASA_CACHE_DIRECTORY``
(scripts/bench.sh passes the cache of its own training, as a staff machine
has the cache of its last training).

    python -m bench.retrain --model <model.tar.gz> [--json out.json]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench.client import Client
from bench.procs import PY, REPO, bring_up, start_project
from bench.stats import emit
from bot.admin.ops import served_model_id

# A sentence no earlier run taught (the run's time in it): with one seen
# before, Rasa's cache could skip training and the figure would be too good.
TAUGHT = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - หวัดดีจ้าบอทน้อย วันนี้อากาศดีนะ รอบ {run}
"""


def retrain_live(model: Path, work: Path, timeout_s: float = 300) -> Dict[str, Any]:
    """Seconds from the start of training to the new model answering."""
    live = work / "live"
    live.mkdir(parents=True)
    shutil.copy(model, live / "current.tar.gz")
    bot = start_project(live / "current.tar.gz", work / "bot")
    try:
        bring_up(bot, "สวัสดีค่ะ")
        before = served_model_id(str(bot.port))
        data = work / "data"
        shutil.copytree(REPO / "data", data)
        taught = TAUGHT.format(run=time.time_ns())
        (data / "nlu" / "bench_taught.yml").write_text(taught, encoding="utf-8")
        started = time.monotonic()
        with (work / "train.log").open("w") as log:
            subprocess.run(
                [
                    PY, "-m", "rasa", "train",
                    "--config", "config.yml", "--domain", "domain.yml",
                    "--data", str(data), "--out", str(live),
                    "--fixed-model-name", "current-next", "--quiet",
                ],
                cwd=REPO, stdout=log, stderr=subprocess.STDOUT, check=True,
            )  # fmt: skip
        trained = time.monotonic() - started
        (live / "current-next.tar.gz").replace(live / "current.tar.gz")
        while served_model_id(str(bot.port)) in (None, before):
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(f"the new model was not live in {timeout_s} s")
            time.sleep(0.2)
        replies: List[dict] = Client(bot.port).chat("retrained", "สวัสดีค่ะ")
        if not replies:
            raise RuntimeError("the bot did not answer with the new model")
        live_s = time.monotonic() - started
    finally:
        bot.stop()
    return {
        "change": "one taught sentence (intent greet)",
        "train_s": round(trained, 1),
        "live_s": round(live_s, 1),
    }


def main(argv: Optional[List[str]] = None) -> int:
    """CLI: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = retrain_live(args.model, Path(tmp))
    emit(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
