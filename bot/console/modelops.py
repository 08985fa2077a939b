"""Train and publish from the console (admin only).

* **Train** runs ``ops.train`` (the code of ``python -m bot.admin train``) at
  low priority into a candidate folder (var/console/candidate), never into
  models/: a failed run leaves the live model untouched.
* **Score**: intent accuracy of the candidate and of the live model on the
  held-out file (``python -m bot.console.evaluate``, under nice).
* **Publish** is refused when the candidate scores below the live model;
  otherwise the live model is kept as models/previous.tar.gz, the candidate
  becomes models/current.tar.gz and ``ops.reload`` puts it into the running
  bot. **Rollback** swaps them back the same way.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot.admin import ops
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import history
from bot.console.accounts import now

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Job:
    """The one training run of this console (shown on the Train page)."""

    state: str = "idle"  # idle | running | done | unchanged | failed
    lines: List[str] = field(default_factory=list)
    started: Optional[dt.datetime] = None
    finished: Optional[dt.datetime] = None
    message: str = ""
    details: List[str] = field(default_factory=list)
    scores: Dict[str, dict] = field(default_factory=dict)
    user: str = ""


class Models:
    """Paths of the live, previous and candidate models under ``paths.root``."""

    def __init__(self, paths: Paths, reload: Optional[Callable] = None) -> None:
        self.paths = paths
        self.live = paths.root / "models" / "current.tar.gz"
        self.previous = paths.root / "models" / "previous.tar.gz"
        self.candidate_dir = paths.root / "var" / "console" / "candidate"
        self.candidate = self.candidate_dir / "current.tar.gz"
        self.job = Job()
        self._lock = threading.Lock()
        self._reload = reload or (lambda p: ops.reload(p, echo=lambda _l: None))
        self._agent = None
        self._agent_mtime = 0.0

    # ------------------------------------------------------------ training
    def start(self, user: str) -> bool:
        """Start a training run in the background; False if one is running."""
        with self._lock:
            if self.job.state == "running":
                return False
            self.job = Job(state="running", started=now(), user=user)
        threading.Thread(target=self._train, daemon=True).start()
        return True

    def _echo(self, line: str) -> None:
        line = _ANSI.sub("", line)
        self.job.lines = (self.job.lines + [line])[-200:]

    def _train(self) -> None:
        job = self.job
        try:
            self.candidate_dir.mkdir(parents=True, exist_ok=True)
            fingerprint = self.live.parent / ".fingerprint"
            if self.live.exists() and not self.candidate.exists():
                shutil.copy2(self.live, self.candidate)  # unchanged data: no run
                if fingerprint.exists():
                    shutil.copy2(fingerprint, self.candidate_dir / ".fingerprint")
            trained = ops.train(
                self.paths, echo=self._echo, model_dir=self.candidate_dir,
                low_priority=True,
            )  # fmt: skip
            self._echo("กำลังวัดคะแนนกับชุดทดสอบ (held-out) ...")
            job.scores = self.scores()
            job.state = "done" if trained else "unchanged"
            job.message = (
                "ฝึกโมเดลใหม่เสร็จแล้ว ตรวจคะแนนแล้วกดเผยแพร่ได้ค่ะ"
                if trained
                else "ข้อมูลฝึกไม่เปลี่ยนตั้งแต่การฝึกครั้งก่อน โมเดลเดิมใช้ได้อยู่แล้วค่ะ"
            )
        except AdminError as exc:
            job.state = "failed"
            job.message = f"ฝึกโมเดลไม่สำเร็จ โมเดลที่ใช้งานอยู่ไม่ถูกเปลี่ยน: {exc.th}"
            job.details = exc.details or job.lines[-15:]
        except Exception as exc:  # noqa: BLE001 - shown to the admin, in Thai
            job.state = "failed"
            job.message = (
                f"ฝึกโมเดลไม่สำเร็จ โมเดลที่ใช้งานอยู่ไม่ถูกเปลี่ยน ({exc.__class__.__name__})"
            )
            job.details = job.lines[-15:]
        finally:
            job.finished = now()

    # ------------------------------------------------------------ scores
    def scores(self) -> Dict[str, dict]:
        """{"candidate": {...}, "live": {...}} on the held-out file."""
        same = (
            self.candidate.exists()
            and self.live.exists()
            and filecmp.cmp(self.candidate, self.live, shallow=False)
        )
        models = [str(m) for m in (self.candidate, self.live) if m.exists()]
        if same:
            models = models[:1]  # one score for one model
        done = subprocess.run(
            ["nice", "-n", "19", sys.executable, "-m", "bot.console.evaluate", *models],
            cwd=self.paths.root, capture_output=True, text=True, timeout=1800,
            env={**os.environ, "PYTHONPATH": str(self.paths.root)},
        )  # fmt: skip
        marker = [ln for ln in done.stdout.splitlines() if ln.startswith("@@")]
        if done.returncode != 0 or not marker:
            raise AdminError(
                "วัดคะแนนโมเดลไม่สำเร็จ", "scoring failed", done.stderr.splitlines()[-10:]
            )
        raw = json.loads(marker[-1][2:])
        candidate = raw.get(str(self.candidate), {})
        return {
            "candidate": candidate,
            "live": candidate if same else raw.get(str(self.live), {}),
        }

    # ------------------------------------------------------------ publish
    def publish(self, user: str) -> str:
        job = self.job
        if job.state not in ("done", "unchanged") or not self.candidate.exists():
            raise AdminError(
                "ยังไม่มีโมเดลใหม่ที่ฝึกเสร็จ กด “ฝึกโมเดล” ก่อนค่ะ", "no trained candidate"
            )
        new = job.scores.get("candidate", {}).get("accuracy")
        old = job.scores.get("live", {}).get("accuracy")
        if new is None or (old is not None and new < old):
            raise AdminError(
                f"ไม่เผยแพร่ค่ะ โมเดลใหม่ได้คะแนน {_pct(new)} ต่ำกว่าโมเดลที่ใช้อยู่ "
                f"({_pct(old)}) บนชุดทดสอบ held-out",
                f"refused: the new model scores {new} below the live {old}",
            )
        self._swap(self.candidate, keep_previous=True)
        history.record(
            self.paths.url, user, "model", "publish",
            f"เผยแพร่โมเดลใหม่ (คะแนน {_pct(new)} เดิม {_pct(old)})",
            {"accuracy": old}, {"accuracy": new},
        )  # fmt: skip
        return f"เผยแพร่แล้ว บอตใช้โมเดลใหม่แล้วค่ะ (คะแนน {_pct(new)}, เดิม {_pct(old)})"

    def rollback(self, user: str) -> str:
        if not self.previous.exists():
            raise AdminError("ยังไม่มีโมเดลก่อนหน้าให้ย้อนกลับค่ะ", "no previous model")
        self._swap(self.previous, keep_previous=True)
        history.record(
            self.paths.url, user, "model", "rollback", "ย้อนกลับไปใช้โมเดลก่อนหน้า",
            None, None,
        )  # fmt: skip
        return "ย้อนกลับไปใช้โมเดลก่อนหน้าแล้วค่ะ"

    def _swap(self, source: Path, keep_previous: bool) -> None:
        """`source` becomes the live model; the live one becomes previous."""
        staged = self.live.with_suffix(".incoming")
        shutil.copy2(source, staged)
        if keep_previous and self.live.exists():
            old = self.live.with_suffix(".outgoing")
            shutil.copy2(self.live, old)
            os.replace(staged, self.live)
            os.replace(old, self.previous)
        else:
            os.replace(staged, self.live)
        fingerprint = self.candidate_dir / ".fingerprint"
        if source == self.candidate and fingerprint.exists():
            shutil.copy2(fingerprint, self.live.parent / ".fingerprint")
        elif source == self.previous:
            (self.live.parent / ".fingerprint").unlink(missing_ok=True)
        self._reload(self.paths)

    # ------------------------------------------------------------ test box
    def parse(self, text: str) -> dict:
        """Intent, confidence and entities of the candidate (else live) model."""
        import asyncio

        from rasa.core.agent import Agent

        model = self.candidate if self.candidate.exists() else self.live
        mtime = model.stat().st_mtime
        if self._agent is None or mtime != self._agent_mtime:
            import logging

            from rasa.utils.log_utils import configure_structlog

            configure_structlog(logging.WARNING)  # no message text in the logs
            self._agent = Agent.load(str(model))
            self._agent_mtime = mtime
        parsed = asyncio.run(self._agent.parse_message(text))
        return {
            "model": "ใหม่" if model == self.candidate else "ที่ใช้อยู่",
            "intent": parsed["intent"]["name"],
            "confidence": parsed["intent"].get("confidence") or 0.0,
            "entities": [
                (e["entity"], e.get("value")) for e in parsed.get("entities", [])
            ],
            "ranking": [
                (r["name"], r.get("confidence") or 0.0)
                for r in parsed.get("intent_ranking", [])[:5]
            ],
        }


def _pct(value: Optional[float]) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"
