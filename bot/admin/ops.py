"""``train`` and ``reload``: get NLU changes into the running bot.

train
    regenerates the NLU lookups and tokenizer dictionary from data/content
    (``nlu_export``), runs the project checks, then trains only when the
    training data changed (``ensure_model`` in scripts/lib.sh: fingerprint of
    config, domain, data and NLU code; the model goes to models/current.tar.gz).

reload
    restarts the Rasa server when its model (or settings) changed, and the
    action server when the action code changed (``start_action_server`` /
    ``start_rasa_server`` in scripts/lib.sh; ``--force`` restarts Rasa anyway).
    Conversations are not lost: they live in the SQL tracker store (var/tracker.db
    or $TRACKER_STORE_URL), which the new server reads. While Rasa restarts
    (about 30-60 seconds) the bot does not answer; reload at a quiet time.
    We chose a restart over Rasa's ``PUT /model`` API because that API must
    stay off unless $RASA_API_TOKEN is set (see scripts/lib.sh), and a restart
    works on every installation.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Callable, List, Optional

from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.admin.validate import validate
from bot.admin.yamlio import atomic_write
from bot.content import nlu_export
from bot.content.loader import ContentError, load_content

Echo = Callable[[str], None]

RELOAD_SCRIPT = r"""
set -euo pipefail
source scripts/lib.sh
mkdir -p "$RUN_DIR"
if ! pid_alive "$RUN_DIR/rasa.pid"; then
    echo "@@NOT_RUNNING"
    exit 3
fi
before=$(cat "$RUN_DIR/rasa.pid")
start_action_server
if [ "${ADMIN_FORCE_RELOAD:-0}" = 1 ]; then
    log "Restarting the Rasa server (--force)"
    stop_pid "$RUN_DIR/rasa.pid"
fi
start_rasa_server
after=$(cat "$RUN_DIR/rasa.pid")
if [ "$before" = "$after" ]; then echo "@@UNCHANGED"; else echo "@@RESTARTED"; fi
"""


def _run(script: str, paths: Paths, echo: Echo, env: Optional[dict] = None) -> tuple:
    """Run a bash script from the project root, echoing its output lines
    (except @@markers). Returns (exit code, markers)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.Popen(
        ["bash", "-c", script],
        cwd=paths.root,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    markers: List[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        if line.startswith("@@"):
            markers.append(line[2:])
        else:
            echo(line)
    return proc.wait(), markers


def export_nlu(paths: Paths) -> List[str]:
    """Write the generated lookups and tokenizer dictionary; returns the files
    that changed."""
    try:
        bundle = load_content(paths.content_dir)
        outputs = {
            paths.lookups: nlu_export.render_lookups(bundle),
            paths.custom_words: nlu_export.render_custom_words(bundle),
        }
    except ContentError as exc:
        raise AdminError(
            "ข้อมูลใน data/content ไม่ถูกต้อง แก้ไฟล์ที่ระบุก่อน",
            f"data/content is invalid; fix the file named: {exc}",
        ) from None
    changed = []
    for path, text in outputs.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
            changed.append(str(path))
    return changed


TRAIN_SCRIPT = (
    "set -euo pipefail; source scripts/lib.sh; "
    # low priority (the staff console): citizens must not feel a training run
    'if [ "${ADMIN_LOW_PRIORITY:-0}" = 1 ]; then renice -n 19 -p $$ >/dev/null 2>&1 '
    "|| true; ionice -c 3 -p $$ >/dev/null 2>&1 || true; fi; "
    'mkdir -p "$MODEL_DIR"; ensure_model'
)


def train(
    paths: Paths,
    echo: Echo = print,
    model_dir: Optional[Path] = None,
    low_priority: bool = False,
) -> bool:
    """nlu_export, project checks, then ``ensure_model``. Returns True when a
    new model was trained. `model_dir` (default models/) receives
    current.tar.gz; `low_priority` runs the training under nice and ionice."""
    for path in export_nlu(paths):
        echo(f"อัปเดต / updated {path}")
    report = validate(paths, with_rasa=False)
    if report.problems:
        raise AdminError(
            "ข้อมูลฝึกยังมีปัญหา แก้ตามรายการก่อนแล้วสั่ง train ใหม่",
            "the training data has problems; fix them and run train again",
            report.problems,
        )
    echo(
        "ตรวจข้อมูลผ่าน กำลังฝึกโมเดลถ้าข้อมูลเปลี่ยน (ปกติไม่ถึงนาที) / checks passed; "
        "training if the data changed (usually under a minute)"
    )
    env = {"ADMIN_LOW_PRIORITY": "1" if low_priority else "0", "ADMIN_MARKERS": "1"}
    if model_dir is not None:
        env["MODEL_DIR"] = str(model_dir)
    code, markers = _run(TRAIN_SCRIPT, paths, echo, env)
    if code != 0:
        raise AdminError(
            "ฝึกโมเดลไม่สำเร็จ อ่านข้อความด้านบน",
            f"training failed (exit {code}); read the messages above",
        )
    return "TRAINED" in markers  # ensure_model's @@TRAINED line


def served_model_id(
    port: Optional[str] = None, timeout_s: float = 3.0
) -> Optional[str]:
    """The ``model_id`` the running Rasa serves (its REST health route)."""
    import json
    import urllib.request

    port = port or os.environ.get("RASA_PORT", "5005")
    url = f"http://127.0.0.1:{port}/webhooks/rest/"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer:
            return json.loads(answer.read() or b"{}").get("model_id")
    except (OSError, ValueError):
        return None


def _model_id(paths: Paths) -> Optional[str]:
    from bot.rasa_ext.model_watch import model_id_of

    model_dir = paths.root / os.environ.get("MODEL_DIR", "models")
    return model_id_of(model_dir / "current.tar.gz")


def wait_until_served(paths: Paths, timeout_s: float = 60.0) -> bool:
    """Waits until the running Rasa serves the model file (it loads a new one
    by itself, bot/rasa_ext/model_watch.py). True once it does."""
    import time

    wanted = _model_id(paths)
    deadline = time.monotonic() + timeout_s
    while wanted is not None:
        if served_model_id() == wanted:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(1)
    return False


def reload(paths: Paths, force: bool = False, echo: Echo = print) -> str:
    """Put the current model into the running bot; returns 'restarted',
    'loaded' (the running Rasa took the new model without a restart) or
    'unchanged'."""
    code, markers = _run(
        RELOAD_SCRIPT, paths, echo, {"ADMIN_FORCE_RELOAD": "1" if force else "0"}
    )
    if "NOT_RUNNING" in markers:
        raise AdminError(
            "บอตยังไม่ได้ทำงาน เริ่มด้วย make run (หรือ bash scripts/run.sh)",
            "the bot is not running; start it with `make run` (bash scripts/run.sh)",
        )
    if code != 0:
        raise AdminError(
            "เริ่มบอตใหม่ไม่สำเร็จ อ่านข้อความด้านบนและ .run/rasa.log",
            f"restarting failed (exit {code}); read the messages above and "
            ".run/rasa.log",
        )
    if "RESTARTED" in markers:
        return "restarted"
    if served_model_id() == _model_id(paths):
        return "unchanged"
    echo("The running bot is loading the new model (no restart)…")
    if not wait_until_served(paths):
        raise AdminError(
            "บอตยังไม่ได้ใช้โมเดลใหม่ภายใน 60 วินาที อ่าน .run/rasa.log "
            "หรือสั่ง reload --force",
            "the running bot did not take the new model within 60 s; read "
            ".run/rasa.log, or run reload --force",
        )
    return "loaded"
