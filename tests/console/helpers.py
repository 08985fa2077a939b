"""A staff console on a free loopback port, and a signed-in HTTP client."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

import requests

from bot.console import accounts
from bot.content.importer import import_content
from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[2]
PASSWORDS = {"admin1": "admin-password-1", "editor1": "editor-password-1"}
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')




@dataclass
class Console:
    base: str
    workdir: Path
    content_dir: Path
    url: str
    process: subprocess.Popen

    def client(self) -> "Client":
        return Client(self.base)

    def signed_in(self, name: str) -> "Client":
        c = self.client()
        resp = c.login(name, PASSWORDS[name])
        assert resp.status_code == 200 and "/login" not in resp.url, resp.text[:500]
        return c


class Client:
    """requests.Session that remembers the last page's CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.csrf = ""

    def _keep(self, resp: requests.Response) -> requests.Response:
        found = _CSRF.search(resp.text or "")
        if found:
            self.csrf = found.group(1)
        return resp

    def get(self, path: str, **kw) -> requests.Response:
        return self._keep(self.http.get(self.base + path, timeout=30, **kw))

    def post(
        self, path: str, data: Dict[str, str], csrf: bool = True, **kw
    ) -> requests.Response:
        form = dict(data)
        if csrf:
            form.setdefault("csrf", self.csrf)
        return self._keep(
            self.http.post(self.base + path, data=form, timeout=120, **kw)
        )

    def login(
        self, name: str, password: str, forwarded_for: Optional[str] = None
    ) -> requests.Response:
        self.get("/login")
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        return self.post(
            "/login",
            {"name": name, "password": password, "next": "/answers"},
            headers=headers,
        )


def field(page: str, name: str) -> str:
    """The value of a hidden input or the text of a textarea."""
    m = re.search(rf'name="{name}" value="([^"]*)"', page)
    if m:
        return html.unescape(m.group(1))
    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, f"no field {name}"
    return html.unescape(m.group(1))


def prepare(workdir: Path, url: Optional[str] = None) -> Dict[str, object]:
    """A content copy and a service DB with one admin and one editor (a
    project copy in `workdir`, with data/content, is used as it is)."""
    content_dir = workdir / "content"
    if (workdir / "data" / "content").is_dir():
        content_dir = workdir / "data" / "content"
    if not content_dir.exists():
        shutil.copytree(REPO / "data" / "content", content_dir)
    for sub in ("nlu", "rules"):
        if not (workdir / "data" / sub).exists():
            shutil.copytree(REPO / "data" / sub, workdir / "data" / sub)
    if not (workdir / "domain.yml").exists():
        shutil.copy2(REPO / "domain.yml", workdir / "domain.yml")
    url = url or f"sqlite:///{workdir / 'service.db'}"
    import_content(content_dir, url)
    existing = {u.name for u in accounts.list_users(url)}
    for name, password in PASSWORDS.items():
        if name not in existing:
            role = "admin" if name.startswith("admin") else "editor"
            accounts.add_user(url, name, role, password)
    return {"content_dir": content_dir, "url": url}


@contextmanager
def running_console(
    workdir: Path,
    url: Optional[str] = None,
    env: Optional[Dict[str, str]] = None,
    extra_args: tuple = (),
) -> Iterator[Console]:
    """`python -m bot.console` on a free port over a copy of data/content."""
    ready = prepare(workdir, url)
    port = free_port()
    full_env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "STAFF_LOGIN_ATTEMPTS": "3",
        "STAFF_LOCK_MINUTES": "5",
        **(env or {}),
    }
    log = workdir / "console.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.console",
            "--port",
            str(port),
            "--content-dir",
            str(ready["content_dir"]),
            "--url",
            str(ready["url"]),
            "--nlu-dir",
            str(workdir / "data" / "nlu"),
            "--domain",
            str(workdir / "domain.yml"),
            *extra_args,
        ],  # fmt: skip
        cwd=REPO,
        env=full_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"console exited:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(base + "/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"console did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Console(base, workdir, ready["content_dir"], str(ready["url"]), process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
