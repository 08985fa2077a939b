"""train and reload, run through scripts/lib.sh in a copy of the project.

Stand-in Pythons (VENV_DIR) keep these fast: for train one records the
`rasa train` call, so the test checks "train only when the data changed"; for
reload one serves the health URLs lib.sh waits for, so the test checks when
Rasa is restarted. A real Rasa restart keeping the conversation is tested in
tests/reliability/test_persistence.py."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot.admin.cli import main
from bot.content.db import dispose_engines
from bot.content.importer import import_content
from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[2]


def make_copy(root: Path) -> Path:
    """The files scripts/lib.sh and the servers use, copied (code folders are
    copied too: train writes bot/nlu/dictionary). .venv and web are linked."""
    root.mkdir(parents=True)
    for name in ("config.yml", "domain.yml", "credentials.yml", "endpoints.yml"):
        shutil.copy2(REPO / name, root / name)
    shutil.copy2(REPO / "requirements.txt", root / "requirements.txt")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("data", "bot", "actions", "scripts"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / "web").symlink_to(REPO / "web")
    return root




@pytest.fixture
def copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_copy(tmp_path / "project")
    monkeypatch.setenv("RUN_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'service.db'}")
    return root


def fake_venv(tmp_path: Path, exit_code: int = 0) -> Path:
    """A venv whose python records its arguments and writes the model file."""
    venv = tmp_path / "fakevenv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "python-calls.log"
    script = venv / "bin" / "python"
    script.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> "{log}"\n'
        f"[ {exit_code} = 0 ] || exit {exit_code}\n"
        'out=""; name=""; prev=""\n'
        'for a in "$@"; do [ "$prev" = "--out" ] && out="$a"; '
        '[ "$prev" = "--fixed-model-name" ] && name="$a"; prev="$a"; done\n'
        'mkdir -p "$out" && echo model > "$out/$name.tar.gz"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return venv


def calls(tmp_path: Path) -> list:
    log = tmp_path / "python-calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_train_only_when_data_changed(copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VENV_DIR", str(fake_venv(tmp_path)))
    lookups = (copy / "data/nlu/generated_lookups.yml").read_text(encoding="utf-8")
    assert main(["--root", str(copy), "train"]) == 0
    assert "now run reload" in capsys.readouterr().out
    assert len(calls(tmp_path)) == 1 and "-m rasa train" in calls(tmp_path)[0]
    assert (tmp_path / "models" / "current.tar.gz").exists()
    # nothing changed: no training
    assert main(["--root", str(copy), "train"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert len(calls(tmp_path)) == 1
    # a new alias: the lookups are regenerated and the model is trained again
    url = f"sqlite:///{tmp_path / 'service.db'}"
    import_content(copy / "data" / "content", url)
    assert main(["--root", str(copy), "alias", "add", "mea", "ไฟฟ้ากรุงเทพ"]) == 0
    assert main(["--root", str(copy), "train"]) == 0
    new_lookups = (copy / "data/nlu/generated_lookups.yml").read_text(encoding="utf-8")
    assert "ไฟฟ้ากรุงเทพ" in new_lookups and new_lookups != lookups
    assert len(calls(tmp_path)) == 2
    dispose_engines()


def test_train_refuses_broken_data_and_reports_failure(
    copy, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("VENV_DIR", str(fake_venv(tmp_path, exit_code=1)))
    nlu = copy / "data" / "nlu" / "feedback.yml"
    good = nlu.read_text(encoding="utf-8")
    nlu.write_text(good.replace("    - ดีมากครับ\n", "    - สวัสดีครับ\n"), "utf-8")
    assert main(["--root", str(copy), "train"]) == 2
    err = capsys.readouterr().err
    assert "fix them and run train again" in err and "also under greet" in err
    assert calls(tmp_path) == []
    nlu.write_text(good, "utf-8")
    assert main(["--root", str(copy), "train"]) == 2  # the stand-in fails
    assert "training failed" in capsys.readouterr().err


def test_reload_when_the_bot_is_not_running(copy, capsys):
    assert main(["--root", str(copy), "reload"]) == 2
    assert "make run" in capsys.readouterr().err


FAKE_SERVER = r"""
import http.server, os, sys
args = sys.argv[1:]
port = int(args[args.index("--port") + 1])
kind = "rasa" if args[:2] in (["-m", "rasa"], ["-m", "bot.rasa_ext"]) else "actions"
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(f"start {kind} {os.getpid()}\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{kind} {os.getpid()}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


def fake_servers_venv(tmp_path: Path) -> Path:
    """A venv whose python, asked for `-m bot.rasa_ext run` or `-m rasa_sdk`, serves
    the health URLs scripts/lib.sh waits for (real Rasa restarts, and that
    conversations survive them, are tested in tests/reliability)."""
    server = tmp_path / "fake_server.py"
    server.write_text(FAKE_SERVER, encoding="utf-8")
    venv = tmp_path / "fakeservers"
    (venv / "bin").mkdir(parents=True)
    script = venv / "bin" / "python"
    script.write_text(
        f'#!/usr/bin/env bash\nexec "{sys.executable}" "{server}" "$@"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return venv


def test_reload_restarts_rasa_only_when_needed(copy, tmp_path, monkeypatch):
    """`reload` through scripts/lib.sh with stand-in servers: nothing to do
    when the model is unchanged, a new Rasa process when it changed or with
    --force, refused when the bot is not running."""
    log = tmp_path / "starts.log"
    model = tmp_path / "models" / "current.tar.gz"
    model.parent.mkdir()
    model.write_text("model 1")
    env = {
        **os.environ,
        "VENV_DIR": str(fake_servers_venv(tmp_path)),
        "FAKE_LOG": str(log),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        # the stand-in Rasa cannot load models: restart on a new model, as
        # with the watcher off (the watcher: tests/rasa_ext/test_model_watch.py)
        "MODEL_WATCH_S": "0",
    }
    for name in ("RASA_API_TOKEN", "RASA_ENABLE_API", "ACTION_ENDPOINT_URL"):
        env.pop(name, None)
    run_dir = tmp_path / "run"
    lib = 'source scripts/lib.sh; mkdir -p "$RUN_DIR"; '
    admin = [sys.executable, "-m", "bot.admin", "--root", str(copy), "reload"]

    def reload(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            admin + list(extra), cwd=REPO, env=env, capture_output=True, text=True
        )

    def rasa_pid() -> str:
        return (run_dir / "rasa.pid").read_text().strip()

    try:
        out = reload()
        assert out.returncode == 2 and "make run" in out.stderr
        subprocess.run(
            ["bash", "-c", lib + "start_action_server; start_rasa_server"],
            cwd=copy,
            env=env,
            check=True,
            timeout=120,
        )
        first = rasa_pid()
        out = reload()
        assert out.returncode == 0, out.stdout + out.stderr
        assert "model unchanged" in out.stdout and rasa_pid() == first
        model.write_text("model 2")  # what `train` does when the data changed
        out = reload()
        assert out.returncode == 0, out.stdout + out.stderr
        assert "the bot now runs the new model" in out.stdout
        second = rasa_pid()
        assert second != first
        out = reload("--force")
        assert out.returncode == 0 and rasa_pid() not in (first, second)
        starts = log.read_text().split("\n")
        assert sum(line.startswith("start rasa") for line in starts) == 3
        assert sum(line.startswith("start actions") for line in starts) == 1
        with urllib.request.urlopen(
            f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/", timeout=5
        ) as answer:
            assert answer.read().decode() == f"rasa {rasa_pid()}"
        for pid in (first, second):
            with pytest.raises(ProcessLookupError):
                os.kill(int(pid), 0)
    finally:
        subprocess.run(
            [
                "bash",
                "-c",
                lib + 'stop_pid "$RUN_DIR/rasa.pid"; stop_pid "$RUN_DIR/actions.pid"',
            ],
            cwd=copy,
            env=env,
            timeout=60,
        )
