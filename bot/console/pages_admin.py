"""Admin pages: train and publish, users."""

from __future__ import annotations

from sanic import Sanic, response
from sanic.request import Request

from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import accounts, web
from bot.console.modelops import Models
from bot.console.models import ROLES


def register(app: Sanic, paths: Paths, models: Models) -> None:
    async def train_page(request: Request, status: int = 200, **ctx):
        job = models.job
        return web.render(
            request, "train.html", status=status, job=job,
            has_previous=models.previous.exists(),
            has_candidate=models.candidate.exists(), **ctx,
        )  # fmt: skip

    @app.get("/train")
    async def train(request: Request):
        return await train_page(request)

    @app.post("/train/start")
    async def train_start(request: Request):
        if not models.start(web.session(request).user.name):
            return await train_page(request, 409, error="กำลังฝึกโมเดลอยู่แล้วค่ะ")
        return response.redirect("/train")

    @app.post("/train/<what:publish|rollback>")
    async def train_publish(request: Request, what: str):
        user = web.session(request).user.name
        fn = models.publish if what == "publish" else models.rollback
        try:
            done = await web.off_loop(fn, user)
        except AdminError as exc:
            return await train_page(request, 409, error=exc.th, details=exc.details)
        return await train_page(request, done=done)

    @app.post("/train/test")
    async def train_test(request: Request):
        text = (request.form.get("text") or "").strip()[:500]
        if not text:
            return await train_page(request, 422, error="พิมพ์ประโยคที่จะทดสอบก่อนค่ะ")
        try:
            parsed = await web.off_loop(models.parse, text)
        except Exception as exc:  # noqa: BLE001 - a missing or broken model
            return await train_page(
                request, 500, error=f"ทดสอบไม่ได้ ({exc.__class__.__name__})"
            )
        return await train_page(request, tested=text, parsed=parsed)

    async def users_page(request: Request, status: int = 200, **ctx):
        users = await web.off_loop(accounts.list_users, paths.url)
        return web.render(
            request, "users.html", status=status, users=users, roles=ROLES, **ctx
        )

    @app.get("/users")
    async def users(request: Request):
        return await users_page(request)

    @app.post("/users")
    async def users_change(request: Request):
        form = request.form
        me = web.session(request).user
        try:
            if form.get("action") == "add":
                await web.off_loop(
                    accounts.add_user, paths.url, form.get("name") or "",
                    form.get("role") or "", form.get("password") or "",
                )  # fmt: skip
                done = f"เพิ่มผู้ใช้ {form.get('name')} แล้วค่ะ"
            else:
                user_id = int(form.get("user_id") or 0)
                if user_id == me.id and form.get("action") in ("disable", "role"):
                    raise AdminError(
                        "เปลี่ยนบทบาทหรือปิดบัญชีของตัวเองไม่ได้ค่ะ", "not your own account"
                    )
                changes = {
                    "disable": {"active": False},
                    "enable": {"active": True},
                    "role": {"role": form.get("role") or ""},
                    "password": {"password": form.get("password") or ""},
                }.get(form.get("action") or "")
                if changes is None:
                    raise AdminError("คำสั่งไม่ถูกต้องค่ะ", "unknown action")
                await web.off_loop(accounts.update_user, paths.url, user_id, **changes)
                done = "บันทึกแล้วค่ะ"
        except AdminError as exc:
            return await users_page(request, 422, error=exc.th)
        return await users_page(request, done=done)
