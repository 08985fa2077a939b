"""The staff guide's worked example 2, for real: a citizen calls การไฟฟ้านครหลวง
"ไฟฟ้ากรุงเทพ"; staff add the alias, `train` (a real `rasa train`) and
`reload` (the running Rasa loads the new model by itself, without a restart:
bot/rasa_ext/model_watch.py); the bot then recognises the name in NLU and
answers, and the citizen's conversation goes on.

Runs in a copy of the project with its own ports, databases and run folder,
starting from the model the test set-up trained (models/current.tar.gz). Rasa's
training cache is shared with that training, so only the NLU part retrains
(a few minutes on 2 cores)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.admin.test_ops import free_port, make_copy
from tests.support.servers import ISOLATED_VARS, Servers

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
QUESTION = "ไฟฟ้ากรุงเทพได้รางวัลไหม"
ALIAS = "ไฟฟ้ากรุงเทพ"
WINNER_REPLY = "ใช่ค่ะ การไฟฟ้านครหลวง"


class Project:
    """A copy of the project with its own servers, run like staff run it."""

    def __init__(self, tmp: Path) -> None:
        self.root = make_copy(tmp / "project")
        shutil.copytree(REPO / "migrations", self.root / "migrations")
        shutil.copy2(REPO / "alembic.ini", self.root / "alembic.ini")
        self.run_dir = tmp / "run"
        self.tracker_db = tmp / "tracker.db"
        models = tmp / "models"
        models.mkdir()
        shutil.copy2(REPO / "models" / "current.tar.gz", models / "current.tar.gz")
        shutil.copy2(REPO / "models" / ".fingerprint", models / ".fingerprint")
        self.model = models / "current.tar.gz"
        self.rasa_port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in (*ISOLATED_VARS, "ACTION_ENDPOINT_URL", "PYTHONPATH")
        }
        env.update(
            {
                "VENV_DIR": str(REPO / ".venv"),
                "RUN_DIR": str(self.run_dir),
                "MODEL_DIR": str(models),
                "DATABASE_URL": f"sqlite:///{tmp / 'service.db'}",
                "TRACKER_STORE_URL": f"sqlite:///{self.tracker_db}",
                "RASA_PORT": str(self.rasa_port),
                "ACTION_PORT": str(free_port()),
                # the training cache of the set-up's `rasa train`
                "RASA_CACHE_DIRECTORY": str(REPO / ".rasa" / "cache"),
            }
        )
        self.env = env

    def bash(self, script: str, timeout: float = 600) -> str:
        out = subprocess.run(
            ["bash", "-c", f"set -euo pipefail; source scripts/lib.sh; {script}"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def admin(self, *args: str, timeout: float = 1800) -> str:
        out = subprocess.run(
            [str(REPO / ".venv" / "bin" / "python"), "-m", "bot.admin", *args],
            cwd=self.root,
            env={**self.env, "PYTHONPATH": str(self.root)},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def ask(self, sender: str, text: str) -> str:
        rasa = Servers(f"http://127.0.0.1:{self.rasa_port}", "", self.root, self.env)
        return "\n".join(m.get("text") or "" for m in rasa.chat(sender, text))

    def rasa_pid(self) -> str:
        return (self.run_dir / "rasa.pid").read_text().strip()

    def user_events(self, sender: str) -> list[dict]:
        with sqlite3.connect(self.tracker_db) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'"
                " ORDER BY id",
                (sender,),
            ).fetchall()
        return [json.loads(data) for (data,) in rows]

    def stop(self) -> None:
        subprocess.run(
            [
                "bash",
                "-c",
                'source scripts/lib.sh; stop_pid "$RUN_DIR/rasa.pid"; '
                'stop_pid "$RUN_DIR/actions.pid"',
            ],
            cwd=self.root,
            env=self.env,
            timeout=120,
        )


def test_new_alias_is_understood_after_train_and_reload(tmp_path: Path) -> None:
    if not (REPO / "models" / "current.tar.gz").exists():
        pytest.fail("No trained model: run the tests with `bash scripts/test.sh`.")
    project = Project(tmp_path)
    try:
        project.bash(
            'mkdir -p "$RUN_DIR"; ensure_content; '
            "start_action_server; start_rasa_server"
        )
        citizen = "citizen-retrain"
        before = project.ask(citizen, QUESTION)
        assert WINNER_REPLY not in before, before

        assert "ไฟฟ้ากรุงเทพ" in project.admin("alias", "add", "mea", ALIAS)
        model_before = project.model.stat().st_mtime_ns
        pid_before = project.rasa_pid()
        trained = project.admin("train")
        assert "new model trained" in trained, trained
        assert project.model.stat().st_mtime_ns != model_before
        reloaded = project.admin("reload", timeout=600)
        assert "the bot now runs the new model" in reloaded, reloaded
        assert project.rasa_pid() == pid_before  # no restart

        after = project.ask(citizen, QUESTION)
        assert WINNER_REPLY in after, after
        events = project.user_events(citizen)
        # the conversation from before the new model is still there
        assert [e["text"] for e in events] == [QUESTION, QUESTION]
        # The retrained NLU itself now takes the whole alias as one name and
        # maps it to the body (before, it read only "กรุงเทพ" as Bangkok). The
        # entity type may be body or province: DIET has no example of this
        # alias and "กรุงเทพ" looks like a province; the actions check both.
        before_entities = events[0]["parse_data"]["entities"]
        assert not any(e["value"] == "การไฟฟ้านครหลวง" for e in before_entities)
        entities = events[-1]["parse_data"]["entities"]
        assert any(
            e["value"] == "การไฟฟ้านครหลวง"
            and QUESTION[e["start"] : e["end"]] == ALIAS
            and e["entity"] in ("body", "province")
            for e in entities
        ), entities
    finally:
        project.stop()
