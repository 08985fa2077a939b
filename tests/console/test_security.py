"""Sign-in, sessions, CSRF, roles and the sign-in lock, against a running
console (tests/console/helpers.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import requests
from sqlalchemy import update

from bot.console import accounts
from bot.console.models import staff_sessions
from bot.console.security import LoginLimiter, client_address
from bot.content.db import get_engine
from tests.console.helpers import PASSWORDS, REPO

PAGES = ["/", "/answers", "/answers/bizportal_contact", "/history"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_without_a_session_goes_to_sign_in(console, path):
    resp = requests.get(console.base + path, allow_redirects=False, timeout=10)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=")


def test_a_post_without_a_session_is_refused(console):
    resp = requests.post(
        console.base + "/answers/bizportal_contact", data={"text": "x"}, timeout=10
    )
    assert resp.status_code == 403


def test_sign_in_page_is_thai_and_sets_safe_cookies(console):
    c = console.client()
    page = c.get("/login")
    assert 'lang="th"' in page.text and "เข้าสู่ระบบ" in page.text
    resp = c.post(
        "/login",
        {"name": "editor1", "password": PASSWORDS["editor1"], "next": "/answers"},
        allow_redirects=False,
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/answers"
    cookie = resp.headers["Set-Cookie"]
    assert "staff_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    assert "คำตอบของบอต" in c.get("/answers").text


def test_cookie_is_secure_behind_a_tls_proxy(console):
    c = console.client()
    c.get("/login")
    resp = c.post(
        "/login",
        {"name": "editor1", "password": PASSWORDS["editor1"]},
        headers={"X-Forwarded-Proto": "https"},  # from the trusted proxy
        allow_redirects=False,
    )
    assert resp.status_code == 302
    assert "Secure" in resp.headers["Set-Cookie"]


def test_no_open_redirect_after_sign_in(console):
    c = console.client()
    c.get("/login")
    resp = c.post(
        "/login",
        {"name": "editor1", "password": PASSWORDS["editor1"], "next": "//evil.example"},
        allow_redirects=False,
    )
    assert resp.headers["Location"] == "/"


def test_forms_without_the_csrf_token_are_refused(console):
    c = console.signed_in("editor1")
    page = c.get("/answers/bizportal_contact")
    form = {"text": "ทดสอบค่ะ", "version": "x", "action": "save"}
    assert c.post("/answers/bizportal_contact", form, csrf=False).status_code == 403
    bad = {**form, "csrf": "not-the-token"}
    assert c.post("/answers/bizportal_contact", bad, csrf=False).status_code == 403
    assert c.post("/logout", {}, csrf=False).status_code == 403
    # sign-in itself is protected too
    fresh = console.client()
    fresh.get("/login")
    resp = fresh.post("/login", {"name": "editor1", "password": "x"}, csrf=False)
    assert resp.status_code == 403
    assert page.status_code == 200


def test_an_editor_cannot_reach_admin_pages(console):
    c = console.signed_in("editor1")
    for path in ("/train", "/users"):
        resp = c.get(path)
        assert resp.status_code == 403, path
        assert "ผู้ดูแลระบบ" in resp.text


def test_wrong_passwords_lock_that_account_from_that_address_only(console):
    c = console.client()
    for _ in range(2):
        resp = c.login("admin1", "wrong-password", forwarded_for="10.9.9.1")
        assert resp.status_code == 401
        assert "ไม่ถูกต้อง" in resp.text
    resp = c.login("admin1", "wrong-password", forwarded_for="10.9.9.1")
    assert resp.status_code == 429 and "ล็อก" in resp.text and "5 นาที" in resp.text
    # the right password from the locked address is refused, saying how long
    resp = c.login("admin1", PASSWORDS["admin1"], forwarded_for="10.9.9.1")
    assert resp.status_code == 429 and "นาที" in resp.text
    # the admin at another address still gets in
    other = console.client()
    resp = other.login("admin1", PASSWORDS["admin1"], forwarded_for="10.9.9.2")
    assert resp.status_code == 200 and "/answers" in resp.url


def test_sign_out_ends_the_session(console):
    c = console.signed_in("editor1")
    c.get("/answers")
    c.post("/logout", {})
    resp = c.http.get(console.base + "/answers", allow_redirects=False, timeout=10)
    assert resp.status_code == 302


def test_a_session_expires_after_inactivity(console, monkeypatch):
    c = console.signed_in("editor1")
    token = c.http.cookies["staff_session"]
    assert accounts.load_session(console.url, token) is not None
    old = accounts.now() - dt.timedelta(minutes=31)
    with get_engine(console.url).begin() as conn:
        conn.execute(update(staff_sessions).values(last_seen_at=old))
    monkeypatch.setenv("STAFF_IDLE_MINUTES", "30")
    assert accounts.load_session(console.url, token) is None
    resp = c.http.get(console.base + "/answers", allow_redirects=False, timeout=10)
    assert resp.status_code == 302


def test_forwarded_for_is_believed_only_from_the_proxy():
    trusted = frozenset({"10.0.0.5"})
    assert client_address("10.0.0.5", "1.2.3.4, 10.1.1.1", trusted) == "10.1.1.1"
    assert client_address("9.9.9.9", "1.2.3.4", trusted) == "9.9.9.9"
    assert client_address("10.0.0.5", None, trusted) == "10.0.0.5"


def test_limiter_unlocks_after_its_time(monkeypatch):
    limiter = LoginLimiter(2, 60)
    limiter.failed("a", "x")
    limiter.failed("a", "x")
    assert 0 < limiter.locked_for("a", "x") <= 60
    assert limiter.locked_for("a", "y") == 0
    import bot.console.security as sec

    later = sec.time.monotonic() + 61
    monkeypatch.setattr(sec.time, "monotonic", lambda: later)
    assert limiter.locked_for("a", "x") == 0


def test_user_add_reads_the_password_from_stdin_and_there_is_no_default(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    cmd = [sys.executable, "-m", "bot.admin", "user", "add", "somchai", "--role"]
    done = subprocess.run(
        [*cmd, "editor", "--url", url],
        input="a-long-password\n",
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert "เพิ่มผู้ใช้ somchai" in done.stdout
    users = accounts.list_users(url)
    assert [(u.name, u.role) for u in users] == [("somchai", "editor")]
    assert accounts.authenticate(url, "somchai", "a-long-password")
    assert accounts.authenticate(url, "somchai", "wrong") is None
    short = subprocess.run(
        [*cmd, "admin", "--url", url], input="short\n", capture_output=True,
        text=True, cwd=REPO,
    )  # fmt: skip
    assert short.returncode == 2 and "อย่างน้อย" in short.stderr
