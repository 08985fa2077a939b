"""Dashboard and Names & awards pages."""

from __future__ import annotations

from sanic import Sanic
from sanic.request import Request

from bot.admin import content, facts
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import dashboard, forms, history, web


def names_data(paths: Paths, query: str = "") -> dict:
    bundle = forms.bundle(paths)
    q = query.casefold().strip()
    names = {b["key"]: b["name_th"] for b in bundle.bodies}
    bodies = [
        {
            "key": b["key"],
            "name_th": b["name_th"],
            "kind": b["kind"],
            "aliases": [a for a, k in b["_aliases"] if k in ("alias", "abbr")],
        }
        for b in bundle.bodies
        if not q
        or q in b["key"]
        or any(q in a.casefold() for a, _k in b["_aliases"])
        or q in b["name_th"].casefold()
    ]
    awards = [
        {**a, "name_th": names.get(a["recipient"], "?")}
        for a in bundle.awards
        if not q or q in a["recipient"] or q in names.get(a["recipient"], "").casefold()
    ]
    fact_rows = [
        (fid, value)
        for fid, value in facts.fact_ids(paths).items()
        if not q or q in fid.casefold() or q in str(value).casefold()
    ]
    return {
        "facts": fact_rows,
        "bodies": bodies[:200],
        "more": max(len(bodies) - 200, 0),
        "awards": awards,
        "categories": bundle.categories,
    }


def change_names(paths: Paths, user: str, form) -> str:
    """Alias and award edits through the functions of ``bot.admin alias/award``."""
    action = form.get("action") or ""
    body = (form.get("body") or "").strip()
    if action in ("alias_add", "alias_remove"):
        alias = (form.get("alias") or "").strip()
        fn = content.alias_add if action == "alias_add" else content.alias_remove
        result = fn(paths, body, alias)
        history.record(
            paths.url, user, "alias", body,
            f"{'เพิ่ม' if action == 'alias_add' else 'ลบ'}ชื่อเรียก '{alias}' ({body})",
            None if action == "alias_add" else {"alias": alias},
            {"alias": alias} if action == "alias_add" else None,
        )  # fmt: skip
        return result.message_th
    if action in ("award_add", "award_remove"):
        category = (form.get("category") or "").strip()
        before = None
        if action == "award_remove":
            before = next(
                (
                    {"category": a["category"], "recipient": a["recipient"],
                     "source": a["source_url"], "confidence": a["confidence"]}
                    for a in forms.bundle(paths).awards
                    if a["category"] == category and a["recipient"] == body
                ),
                None,
            )  # fmt: skip
        if action == "award_add":
            result = content.award_add(
                paths, category, body, (form.get("source") or "").strip(),
                form.get("confidence") or None,
            )  # fmt: skip
        else:
            result = content.award_remove(paths, category, body)
        after = {"category": category, "recipient": body}
        history.record(
            paths.url, user, "award", body, result.message_th, before,
            after if action == "award_add" else None,
        )  # fmt: skip
        return result.message_th
    if action == "fact_set":
        return set_fact(paths, user, form.get("fact") or "", form.get("value"))
    raise AdminError("คำสั่งไม่ถูกต้องค่ะ", "unknown action")


def set_fact(paths: Paths, user: str, fact_id: str, value) -> str:
    """``bot.admin set-fact`` (an empty value clears an optional fact)."""
    old = facts.fact_ids(paths).get(fact_id)
    clear = value is None or str(value).strip() == ""
    result = facts.set_fact(paths, fact_id, None if clear else str(value), clear)
    new = facts.fact_ids(paths).get(fact_id)
    history.record(
        paths.url, user, "fact", fact_id, f"{fact_id}: {old} → {new}",
        {"value": old}, {"value": new},
    )  # fmt: skip
    return result.message_th


def register(app: Sanic, paths: Paths) -> None:
    @app.get("/dashboard")
    async def dash(request: Request):
        days = 30 if request.args.get("days") == "30" else 7
        figs = await web.off_loop(dashboard.figures, days, paths.url)
        return web.render(
            request, "dashboard.html", figs=figs, days=days,
            min_conversations=dashboard.MIN_CONVERSATIONS,
        )  # fmt: skip

    async def names_page(request: Request, status: int = 200, **ctx):
        query = request.args.get("q", "") if request.method == "GET" else ""
        data = await web.off_loop(names_data, paths, query)
        return web.render(request, "names.html", status=status, q=query, **data, **ctx)

    @app.get("/names")
    async def names(request: Request):
        return await names_page(request)

    @app.post("/names")
    async def names_change(request: Request):
        try:
            done = await web.off_loop(
                change_names, paths, web.session(request).user.name, request.form
            )
        except AdminError as exc:
            return await names_page(request, 422, error=exc.th)
        return await names_page(request, done=done)
