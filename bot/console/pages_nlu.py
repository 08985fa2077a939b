"""Unanswered questions (teach) and Intents pages."""

from __future__ import annotations

from sanic import Sanic
from sanic.request import Request

from bot.admin.errors import AdminError
from bot.admin.nlu import MIN_EXAMPLES
from bot.admin.paths import Paths
from bot.console import forms, training, web


def _errors(exc: AdminError, field: str) -> forms.FormErrors:
    errors = forms.FormErrors()
    errors.add(field, exc.th)
    errors.by_field[field] += exc.details
    return errors


def register(app: Sanic, paths: Paths) -> None:
    async def queue_page(request: Request, status: int = 200, **ctx):
        groups = await web.off_loop(training.unanswered, paths)
        names = await web.off_loop(training.intents, paths)
        return web.render(
            request, "unanswered.html", status=status, groups=groups,
            intents=names, not_for_bot=training.NOT_FOR_BOT, **ctx,
        )  # fmt: skip

    @app.get("/unanswered")
    async def unanswered(request: Request):
        return await queue_page(request)

    @app.post("/unanswered/teach")
    async def teach(request: Request):
        form = request.form
        ids = [int(i) for i in (form.get("ids") or "").split(",") if i.isdigit()]
        text, intent = form.get("text") or "", form.get("intent") or ""
        try:
            done = await web.off_loop(
                training.teach, paths, web.session(request).user.name, text, intent, ids
            )
        except AdminError as exc:
            return await queue_page(
                request, 422, failed_ids=form.get("ids"), failed_text=text,
                errors=_errors(exc, "text"),
            )  # fmt: skip
        return await queue_page(request, done=done)

    async def intents_page(request: Request, status: int = 200, **ctx):
        query = request.args.get("q", "") if request.method == "GET" else ""
        table = await web.off_loop(training.intent_table, paths, query)
        shown = request.args.get("intent", "") if request.method == "GET" else ""
        shown = shown or ctx.get("failed_intent") or ctx.pop("shown", "") or ""
        answer = await web.off_loop(training.answer_of, paths, shown) if shown else {}
        return web.render(
            request, "intents.html", status=status, table=table, q=query,
            shown=shown,
            answer=answer,
            fields=forms.INTENT_FIELDS, min_examples=MIN_EXAMPLES, **ctx,
        )  # fmt: skip

    @app.get("/intents")
    async def intents(request: Request):
        return await intents_page(request)

    @app.post("/intents/examples")
    async def examples(request: Request):
        form, user = request.form, web.session(request).user.name
        action = form.get("action")
        text, intent = form.get("text") or "", form.get("intent") or ""
        try:
            if action == "add":
                done = await web.off_loop(
                    training.add_example, paths, user, intent, text
                )
            elif action == "remove":
                done = await web.off_loop(
                    training.remove_example, paths, user, intent, text
                )
            elif action == "move":
                done = await web.off_loop(
                    training.move_example,
                    paths,
                    user,
                    text,
                    intent,
                    form.get("to") or "",
                )
            else:
                return web.forbidden(request, "คำสั่งไม่ถูกต้องค่ะ")
        except AdminError as exc:
            return await intents_page(
                request, 422, failed_intent=intent, failed_text=text,
                errors=_errors(exc, "example"),
            )  # fmt: skip
        return await intents_page(request, done=done, shown=intent)

    @app.post("/intents/new")
    async def new_intent(request: Request):
        form = request.form
        values = {f.name: form.get(f.name) or "" for f in forms.INTENT_FIELDS}
        try:
            done = await web.off_loop(
                training.new_intent, paths, web.session(request).user.name,
                values["name"], values["examples"], values["response"],
            )  # fmt: skip
        except AdminError as exc:
            field = "name"
            if "ตัวอย่าง" in exc.th:
                field = "examples"
            elif "คำตอบ" in exc.th:
                field = "response"
            return await intents_page(
                request, 422, values=values, errors=_errors(exc, field)
            )
        return await intents_page(request, done=done)
