"""Read-only views of the content for staff: lists and ``show``."""

from __future__ import annotations

from typing import List

from bot.admin.edit import load_bundle, unknown
from bot.admin.facts import facts_of
from bot.admin.paths import Paths


def list_answers(paths: Paths) -> List[str]:
    bundle = load_bundle(paths)
    out = []
    for key, a in bundle.answers.items():
        first = a["text_th"].splitlines()[0]
        out.append(f"{key}\t{a['confidence']}\t{first[:70]}")
    return out


def list_bodies(paths: Paths, provinces: bool = False) -> List[str]:
    bundle = load_bundle(paths)
    winners = {a["recipient"] for a in bundle.awards}
    out = []
    for b in bundle.bodies:
        if (b["kind"] == "province") != provinces:
            continue
        aliases = [a for a, k in b["_aliases"] if k in ("alias", "abbr")]
        mark = "🏆" if b["key"] in winners else "-"
        out.append(f"{b['key']}\t{mark}\t{b['name_th']}\t{', '.join(aliases)}")
    return out


def list_awards(paths: Paths) -> List[str]:
    bundle = load_bundle(paths)
    names = {b["key"]: b["name_th"] for b in bundle.bodies}
    out = []
    for c in bundle.categories:
        listed = [a for a in bundle.awards if a["category"] == c["key"]]
        out.append(
            f"[{c['key']}] {c['name_th']}: {c['count']} รางวัล "
            f"(มีรายชื่อ {len(listed)} / listed {len(listed)}) {c['source_url']}"
        )
        for a in listed:
            out.append(
                f"  {a['recipient']}\t{names.get(a['recipient'], '?')}\t"
                f"{a['confidence'] or '-'}\t{a['source_url']}"
            )
    return out


def show(paths: Paths, key: str) -> List[str]:
    """Everything known under ``key``: an answer, body/province, award
    category, business type or document type."""
    bundle = load_bundle(paths)
    out: List[str] = []
    if key in bundle.answers:
        a = bundle.answers[key]
        out += [f"คำตอบ / answer {key} (confidence {a['confidence']})", a["text_th"]]
        out += [f"ที่มา / source: {s['url']} — {s['title']}" for s in a["sources"]]
        out += [f"ปุ่ม / button: {b['title']} → {b['payload']}" for b in a["buttons"]]
    for b in bundle.bodies:
        if b["key"] != key:
            continue
        what = "จังหวัด / province" if b["kind"] == "province" else "หน่วยงาน / body"
        out.append(f"{what} {key}: {b['name_th']} ({b['name_en'] or '-'})")
        out.append("ชื่อเรียก / names: " + ", ".join(a for a, _k in b["_aliases"]))
        won = [a for a in bundle.awards if a["recipient"] == key]
        out += [f"รางวัล / award: {a['category']} ({a['source_url']})" for a in won]
    out += facts_of(paths, key)
    if not out:
        keys = (
            list(bundle.answers)
            + [b["key"] for b in bundle.bodies]
            + [c["key"] for c in bundle.categories]
            + [x["key"] for x in bundle.business_types + bundle.document_types]
        )
        raise unknown("รหัส", "key", key, keys)
    return out
