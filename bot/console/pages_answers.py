"""Answers and history pages."""

from __future__ import annotations

from urllib.parse import parse_qs

from sanic import Sanic
from sanic.request import Request

from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import answers, forms, history, reverts, web

NOT_FOUND = "ไม่พบรายการนี้ค่ะ"


def _edit_page(
    request: Request, item: dict, text: str, confidence: str, version: str, **ctx
):
    sources = ctx.pop("sources", None)
    reply = answers.preview(item, text, sources)
    shown = sources if sources is not None else answers.pairs(item["sources"])
    return web.render(
        request,
        "answer_edit.html",
        item=item,
        text=text,
        confidence=confidence,
        version=version,
        fields=forms.ANSWER_FIELDS,
        min_sources=forms.MIN_SOURCES,
        sources=shown + [("", "")] * 2,  # two empty rows to add a source
        preview=reply,
        preview_lines=reply.text.splitlines(),
        **ctx,
    )


def register(app: Sanic, paths: Paths) -> None:
    @app.get("/answers")
    async def answer_list(request: Request):
        query = request.args.get("q", "")
        try:
            rows = await web.off_loop(answers.search, paths, query)
        except AdminError as exc:
            return web.render(request, "error.html", status=500, message=exc.th)
        return web.render(request, "answers.html", rows=rows, q=query)

    @app.get("/answers/<key:str>")
    async def answer_form(request: Request, key: str):
        try:
            item = await web.off_loop(answers.get, paths, key)
        except AdminError as exc:
            return web.render(request, "error.html", status=404, message=exc.th)
        return _edit_page(
            request, item, item["text_th"], item["confidence"], item["version"]
        )

    @app.post("/answers/<key:str>")
    async def answer_save(request: Request, key: str):
        try:
            item = await web.off_loop(answers.get, paths, key)
        except AdminError as exc:
            return web.render(request, "error.html", status=404, message=exc.th)
        text = (request.form.get("text") or "").replace("\r\n", "\n")
        confidence = request.form.get("confidence") or item["confidence"]
        version = request.form.get("version") or ""
        raw = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        urls, titles = raw.get("source_url", []), raw.get("source_title", [])
        sources = [
            (u.strip(), t.strip())
            for u, t in zip(urls, titles, strict=False)
            if u.strip() or t.strip()
        ]
        errors = forms.FormErrors()
        if request.form.get("action") == "preview":
            return _edit_page(
                request,
                item,
                text,
                confidence,
                version,
                previewed=True,
                sources=sources,
            )
        try:
            result = await web.off_loop(
                answers.save,
                paths,
                web.session(request).user.name,
                key,
                text,
                confidence,
                version,
                None,
                sources if urls else None,
            )
        except answers.Conflict as exc:
            errors.general.append(exc.th)
            return _edit_page(
                request,
                item,
                text,
                confidence,
                version,
                errors=errors,
                status=409,
                latest=item,
                sources=sources,
            )
        except AdminError as exc:
            where = "sources" if "ที่มา" in exc.th else "text"
            errors.add(where, exc.th)
            errors.by_field[where] += exc.details
            return _edit_page(
                request, item, text, confidence, version, errors=errors, status=422,
                sources=sources,
            )  # fmt: skip
        fresh = await web.off_loop(answers.get, paths, key)
        return _edit_page(
            request,
            fresh,
            fresh["text_th"],
            fresh["confidence"],
            fresh["version"],
            saved=result.message_th,
            warnings=result.warnings,
        )

    @app.get("/history")
    async def history_page(request: Request):
        target = request.args.get("target", "")
        raw_page = request.args.get("page", "1")
        page = max(int(raw_page), 1) if raw_page.isdigit() else 1
        rows = await web.off_loop(
            history.recent, paths.url, 50, (page - 1) * 50, target
        )
        return web.render(
            request,
            "history.html",
            rows=rows,
            target=target,
            page=page,
            revertible=reverts.revertible,
        )

    @app.post("/history/<change_id:int>/revert")
    async def history_revert(request: Request, change_id: int):
        change = await web.off_loop(history.get, paths.url, change_id)
        if change is None:
            return web.render(request, "error.html", status=404, message=NOT_FOUND)
        try:
            done = await web.off_loop(
                reverts.revert, paths, web.session(request).user.name, change
            )
        except AdminError as exc:
            rows = await web.off_loop(history.recent, paths.url, 50, 0, "")
            return web.render(
                request, "history.html", status=409, rows=rows, target="", page=1,
                error=exc.th, details=exc.details, revertible=reverts.revertible,
            )  # fmt: skip
        rows = await web.off_loop(history.recent, paths.url, 50, 0, "")
        return web.render(
            request, "history.html", rows=rows, target="", page=1, done=done,
            revertible=reverts.revertible,
        )  # fmt: skip
