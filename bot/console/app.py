"""The console's Sanic application: ``create_app(paths)``; sign-in and
sign-out here, the pages in bot/console/pages_*.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from sanic import Sanic, response
from sanic.request import Request

from bot import readiness, settings
from bot.admin.paths import Paths
from bot.console import (
    accounts,
    pages_admin,
    pages_answers,
    pages_content,
    pages_nlu,
    web,
)
from bot.console.modelops import Models
from bot.console.security import LoginLimiter, minutes_text
from bot.content.db import migrate

STATIC = Path(__file__).parent / "static"
# the only files served from static/ (node_modules holds more than the pages use)
STATIC_FILES = {
    "console.css": STATIC / "console.css",
    "console.js": STATIC / "console.js",
    "chart.umd.min.js": STATIC
    / "node_modules"
    / "chart.js"
    / "dist"
    / "chart.umd.min.js",
}


def _safe_next(target: str) -> str:
    """Only a path on this site (no open redirect)."""
    parsed = urlparse(target or "/")
    if parsed.scheme or parsed.netloc or not (target or "/").startswith("/"):
        return "/"
    return target or "/"


def create_app(paths: Paths, name: str = "staff_console") -> Sanic:
    """The console for the content in `paths` and the DB at ``paths.url``."""
    migrate(paths.url)
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 2_000_000
    # a publish restarts Rasa (30-60 s) and a save re-imports the content
    app.config.RESPONSE_TIMEOUT = 300
    app.ctx.paths = paths
    limiter = LoginLimiter(
        settings.staff_login_attempts(), settings.staff_lock_minutes() * 60
    )
    web.install(app, paths.url)

    for fname, path in STATIC_FILES.items():
        app.static(
            f"/static/{fname}", str(path), name=f"static_{fname.replace('.', '_')}"
        )

    @app.get("/health")
    async def health(_request: Request):
        return response.text("ok")

    readiness.attach_to_console(app, paths.url)  # /health/ready (bot/readiness.py)

    @app.get("/login")
    async def login_form(request: Request):
        if web.session(request):
            return response.redirect(_safe_next(request.args.get("next", "/")))
        return web.render(request, "login.html", next=request.args.get("next", "/"))

    @app.post("/login")
    async def login(request: Request):
        name = (request.form.get("name") or "").strip().lower()
        password = request.form.get("password") or ""
        target = _safe_next(request.form.get("next") or "/")
        where = web.address(request)
        left = limiter.locked_for(name, where)
        if left:
            return web.render(
                request,
                "login.html",
                status=429,
                next=target,
                name=name,
                error=f"ใส่รหัสผ่านผิดหลายครั้ง บัญชีนี้ถูกล็อกจากเครื่องนี้อีก {minutes_text(left)} "
                "กรุณารอแล้วลองใหม่ค่ะ",
            )
        user = await web.off_loop(accounts.authenticate, paths.url, name, password)
        if user is None:
            limiter.failed(name, where)
            left = limiter.locked_for(name, where)
            error = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้องค่ะ"
            if left:
                error += (
                    f" ใส่ผิดครบ {limiter.attempts} ครั้ง จึงล็อกไว้ {minutes_text(left)}ค่ะ"
                )
            return web.render(
                request,
                "login.html",
                status=401 if not left else 429,
                next=target,
                name=name,
                error=error,
            )
        limiter.succeeded(name, where)
        old = request.cookies.get(web.SESSION_COOKIE)
        await web.off_loop(accounts.end_session, paths.url, old)
        token = await web.off_loop(accounts.start_session, paths.url, user)
        resp = response.redirect(target)
        web.set_cookie(request, resp, web.SESSION_COOKIE, token)
        return resp

    @app.post("/logout")
    async def logout(request: Request):
        await web.off_loop(
            accounts.end_session, paths.url, request.cookies.get(web.SESSION_COOKIE)
        )
        resp = response.redirect("/login")
        del resp.cookies[web.SESSION_COOKIE]
        return resp

    @app.get("/")
    async def home(_request: Request):
        return response.redirect("/dashboard")

    pages_answers.register(app, paths)
    pages_nlu.register(app, paths)
    pages_content.register(app, paths)
    app.ctx.models = Models(paths)
    pages_admin.register(app, paths, app.ctx.models)
    return app
