"""What every console page shares: templates, the session of a request,
CSRF, roles and security headers."""

from __future__ import annotations

import asyncio
import functools
import secrets
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import response
from sanic.request import Request

from bot import settings
from bot.console import dates
from bot.console.accounts import Session, load_session
from bot.console.security import client_address, same_token

TEMPLATES = Path(__file__).parent / "templates"
SESSION_COOKIE = "staff_session"
LOGIN_CSRF_COOKIE = "staff_login_csrf"
PUBLIC = ("/login", "/health", "/static/")
ADMIN_ONLY = ("/train", "/users")
NO_CSRF = "คำขอไม่มีรหัสป้องกัน (CSRF) กรุณาเปิดหน้าใหม่แล้วลองอีกครั้งค่ะ"

env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
env.filters["thai_datetime"] = dates.thai_datetime
env.filters["thai_date"] = dates.thai_date


def address(request: Request) -> str:
    """The client's address (``X-Forwarded-For`` only from a trusted proxy)."""
    return client_address(
        request.ip or "",
        request.headers.get("x-forwarded-for"),
        settings.staff_trusted_proxies(),
    )


def is_https(request: Request) -> bool:
    if request.ip in settings.staff_trusted_proxies():
        return request.headers.get("x-forwarded-proto", "").lower() == "https"
    return request.scheme == "https"


def set_cookie(request: Request, resp, name: str, value: str) -> None:
    resp.cookies[name] = value
    resp.cookies[name]["httponly"] = True
    resp.cookies[name]["samesite"] = "Lax"
    resp.cookies[name]["path"] = "/"
    if is_https(request):
        resp.cookies[name]["secure"] = True


def session(request: Request) -> Optional[Session]:
    return getattr(request.ctx, "session", None)


def render(request: Request, template: str, status: int = 200, **ctx: Any):
    sess = session(request)
    html = env.get_template(template).render(
        user=sess.user if sess else None,
        csrf=sess.csrf_token if sess else getattr(request.ctx, "login_csrf", ""),
        path=request.path,
        **ctx,
    )
    return response.html(html, status=status)


def forbidden(request: Request, message: str):
    return render(request, "error.html", status=403, message=message)


async def off_loop(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Run blocking work (file edits, imports, argon2) outside the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))


def install(app, url: Optional[str]) -> None:
    """Sessions, redirects to sign-in, CSRF, roles and headers on `app`."""

    @app.middleware("request")
    async def guard(request: Request):
        request.ctx.session = await off_loop(
            load_session, url, request.cookies.get(SESSION_COOKIE)
        )
        if request.path.startswith(PUBLIC):
            if request.path == "/login":
                token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(
                    24
                )
                request.ctx.login_csrf = token
                if request.method == "POST" and not same_token(
                    request.form.get("csrf"), request.cookies.get(LOGIN_CSRF_COOKIE, "")
                ):
                    return forbidden(request, NO_CSRF)
            return None
        sess = request.ctx.session
        if sess is None:
            if request.method != "GET":
                return forbidden(request, "หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบใหม่ค่ะ")
            target = request.path + (
                f"?{request.query_string}" if request.query_string else ""
            )
            return response.redirect(f"/login?next={quote(target)}")
        if request.method == "POST":
            given = request.form.get("csrf") if request.form else None
            given = given or request.headers.get("x-csrf-token")
            if not same_token(given, sess.csrf_token):
                return forbidden(request, NO_CSRF)
        if request.path.startswith(ADMIN_ONLY) and not sess.user.is_admin:
            return forbidden(request, "หน้านี้สำหรับผู้ดูแลระบบ (admin) เท่านั้นค่ะ")
        return None

    @app.middleware("response")
    async def headers(request: Request, resp):
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'"
        )
        if not request.path.startswith("/static/"):
            resp.headers["Cache-Control"] = "no-store"
        if request.path == "/login" and getattr(request.ctx, "login_csrf", None):
            if request.cookies.get(LOGIN_CSRF_COOKIE) != request.ctx.login_csrf:
                set_cookie(request, resp, LOGIN_CSRF_COOKIE, request.ctx.login_csrf)
