"""Thai wording of the award answers: lists, counts and "did X win?".

The event's name, its year, the counts and the source links all come from the
content (``CategoryInfo`` / ``AwardInfo``), so ``set-fact`` changes every
answer that uses them. The first line is the answer itself.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from bot.replies import cards
from bot.replies.base import (
    Reply,
    button,
    display_name,
    join_lines,
    sourced,
    year_be,
)
from bot.replies.feedback import with_feedback

KIND_TH = {
    "department": "ส่วนราชการ/หน่วยงานระดับกรม",
    "state_enterprise": "รัฐวิสาหกิจ",
    "fund": "กองทุน",
    "public_organisation": "องค์การมหาชน",
    "province": "จังหวัด",
    "ministry_office": "สำนักงานปลัดกระทรวง",
    "ministry": "กระทรวง",
    "independent_body": "องค์กรอิสระ",
    "local_government": "องค์กรปกครองส่วนท้องถิ่น",
    "other": "หน่วยงานของรัฐ",
}
ORDER = ("department", "province", "nocopy")
LIST_ALL = "หน่วยงานไหนได้รางวัลรัฐบาลดิจิทัลบ้าง"
YES_NO_BUTTONS = [button("ใช่", "ใช่"), button("ไม่ใช่", "ไม่ใช่")]


def event_label(categories: Sequence) -> str:
    """'Digital Government Awards 2019 (ปี 2562)' from the content."""
    if not categories:
        return "รางวัลรัฐบาลดิจิทัล"
    c = categories[0]
    return f"{c.event} (ปี {year_be(c.year)})"


def english_event(categories: Sequence) -> str:
    """'Digital Government Awards 2019' from the content."""
    return categories[0].event if categories else "Digital Government Awards"


def _cat(categories: Sequence, key: str):
    return next((c for c in categories if c.key == key), None)


def _list_buttons(category: Optional[str]) -> List[dict]:
    out = []
    if category != "province":
        out.append(button("รางวัลระดับจังหวัด", "รางวัลระดับจังหวัดมีจังหวัดไหนบ้าง"))
    if category != "department":
        out.append(button("รางวัลระดับกรม", "รางวัลระดับกรมมีหน่วยงานไหนบ้าง"))
    out.append(button("พิธีมอบรางวัล", "พิธีมอบรางวัลจัดที่ไหนเมื่อไหร่"))
    return out


def _filter_words(ministry: Optional[str], kind: Optional[str]) -> str:
    words = []
    if ministry:
        full = ministry if ministry.startswith("กระทรวง") else "กระทรวง" + ministry
        words.append(f"สังกัด{full}")
    if kind:
        words.append(f"ประเภท{KIND_TH.get(kind, kind)}")
    return (" " + " ".join(words)) if words else ""


# ---------------------------------------------------------------- lists
def format_winners(
    awards,
    categories,
    category: Optional[str] = None,
    ministry: Optional[str] = None,
    kind: Optional[str] = None,
    english: bool = False,
) -> Reply:
    """The winners, grouped by category; the first line says how many."""
    event = event_label(categories)
    if english:
        reply = format_winners(awards, categories, category, ministry, kind)
        first = (
            f"The {english_event(categories)} winners on record ({len(awards)}), "
            "in Thai below:"
            if awards
            else f"No {english_event(categories)} winner on record matches this."
        )
        return Reply(f"{first}\n{reply.text}", reply.buttons, reply.sources)
    filt = _filter_words(ministry, kind)
    if not awards:
        return Reply(
            f"ไม่พบผู้ได้รับรางวัล {event}{filt} ในรายชื่อที่มีค่ะ",
            [button("รายชื่อทั้งหมด", LIST_ALL)],
        )
    groups = [(k, [a for a in awards if a.category == k]) for k in ORDER]
    groups = [(k, g) for k, g in groups if g]
    if len(groups) == 1 and not filt:
        cat = _cat(categories, groups[0][0])
        head = (
            f"{cat.name_th} ของ {event} มี {cat.count} รางวัล ได้แก่"
            if cat
            else f"ผู้ได้รับรางวัล {event} มีดังนี้ค่ะ"
        )
    else:
        head = f"ผู้ได้รับรางวัล {event}{filt} มีดังนี้ค่ะ"
    lines = [head]
    sources: List[str] = []
    for key, group in groups:
        cat = _cat(categories, key)
        if cat is not None and (len(groups) > 1 or filt):
            lines.append(f"{cat.name_th} ({cat.count} รางวัล)")
        lines += [f"{i}. {display_name(a.body)}" for i, a in enumerate(group, 1)]
        sources += [a.source_url for a in group]
        if cat is not None:
            if key == "nocopy" and len(group) < cat.count and not filt:
                lines.append(
                    f"รางวัลประเภทนี้มี {cat.count} หน่วยงาน แต่ยังไม่พบรายชื่อครบทั้งหมดที่เผยแพร่ "
                    "ที่ยืนยันได้คือหน่วยงานข้างต้นค่ะ"
                )
            sources.append(cat.source_url)
    reply = with_feedback(sourced("\n".join(lines), _list_buttons(category), sources))
    reply.custom = cards.winners(reply.text, groups, categories, reply.buttons)
    return reply


def format_count(result, asked: Optional[int] = None, english: bool = False) -> Reply:
    """How many: the number in the first line. ``asked``: the number a yes/no
    question put forward ("มี 10 รางวัลใช่ไหม"): yes or no first."""
    if english:
        reply = format_count(result, asked)
        event = english_event(result.categories)
        first = f"{result.count}: the {event} count, in Thai below."
        if asked is not None:
            first = ("Yes. " if asked == result.count else "No. ") + first
        return Reply(f"{first}\n{reply.text}", reply.buttons, reply.sources)
    cats = result.categories
    event = event_label(cats)
    if result.official and result.category:
        cat = _cat(cats, result.category)
        text = f"{cat.name_th} ของ {event} มี {cat.count} รางวัลค่ะ"
        if result.category == "nocopy" and result.listed < cat.count:
            text += (
                f"\nที่มีรายชื่อยืนยันได้ {result.listed} หน่วยงาน คือ กรมวิทยาศาสตร์บริการ "
                f"ยังไม่พบรายชื่อครบทั้ง {cat.count} หน่วยงานที่เผยแพร่ค่ะ"
                if result.listed == 1
                else f"\nยังไม่พบรายชื่อครบทั้ง {cat.count} หน่วยงานที่เผยแพร่ค่ะ"
            )
    elif result.official:
        parts = [
            f"• {c.name_th}: {result.by_category[c.key]} รางวัล"
            for c in cats
            if c.key in result.by_category
        ]
        text = join_lines(
            f"{event} มีผู้ได้รับรางวัลรวม {result.count} รางวัล แบ่งเป็นค่ะ", *parts
        )
    else:
        filt = _filter_words(result.ministry, result.kind)
        text = f"ผู้ได้รับรางวัล {event}{filt} ที่มีรายชื่อ มี {result.count} หน่วยงานค่ะ"
    if asked is not None and asked == result.count:
        text = f"ใช่ค่ะ {text}"
    elif asked is not None:
        text = f"ไม่ใช่ค่ะ {text}\nตัวเลขที่ถามมา ({asked}) ไม่ตรงกับข้อมูลค่ะ"
    return with_feedback(
        sourced(text, [button("ดูรายชื่อ", LIST_ALL)], result.source_urls)
    )


def other_year(asked: str, categories, english: bool = False) -> Reply:
    """An award question about a year the data does not cover."""
    event = event_label(categories)
    if not any("\u0e00" <= c <= "\u0e7f" or c.isdigit() for c in asked):
        asked = "ปีที่ถามถึง"  # "this year" asked in English
    lead = (
        f"Sorry, this service only has the {english_event(categories)} results.\n"
        if english
        else ""
    )
    return Reply(
        f"{lead}ขออภัยค่ะ ระบบมีข้อมูลเฉพาะรางวัล {event} ยังไม่มีข้อมูลรางวัล{asked}ค่ะ\n"
        "ผลรางวัลปีอื่นติดตามได้จากสำนักงานพัฒนารัฐบาลดิจิทัล (สพร.) ที่ https://www.dga.or.th ค่ะ",
        [button("รางวัลปี 2562", LIST_ALL)],
        ["https://www.dga.or.th"],
    )


# ---------------------------------------------------------------- "did X win?"
def _won_line(result) -> str:
    cats = " และ ".join(a.category_name_th for a in result.awards)
    return f"{display_name(result.body)} ได้รับ{cats}"


def _not_won_line(result, categories) -> str:
    name = display_name(result.body)
    if result.body.kind == "province":
        cat = _cat(categories, "province")
        n = f" ({cat.count} จังหวัด)" if cat else ""
        return f"{name} ไม่อยู่ในรายชื่อจังหวัดที่ได้รับรางวัลระดับจังหวัด{n}"
    cat = _cat(categories, "department")
    n = f" ({cat.count} หน่วยงาน)" if cat else ""
    return f"{name} ไม่อยู่ในรายชื่อผู้ได้รับโล่รางวัลระดับกรม{n}"


def _nocopy_caveat(categories) -> Optional[str]:
    cat = _cat(categories, "nocopy")
    if cat is None:
        return None
    return (
        f"ส่วนรางวัลสนับสนุนโครงการยกเลิกสำเนาเอกสาร ({cat.count} หน่วยงาน) "
        "ยังไม่พบรายชื่อครบที่เผยแพร่ จึงยืนยันส่วนนี้ไม่ได้ค่ะ"
    )


def _check_sources(result, categories) -> List[str]:
    if result.status == "winner":
        return [a.source_url for a in result.awards]
    key = "province" if result.body and result.body.kind == "province" else "department"
    cat = _cat(categories, key)
    return [cat.source_url] if cat else []


def _lead_for_category(result, asked: Optional[str], categories) -> Optional[str]:
    """The answer when the question names an award category: "ระดับกรม" asked
    of a No-Copy recipient is a no; "ยกเลิกสำเนา" can rarely be confirmed,
    because the 60 No-Copy recipients were never published in full."""
    if asked not in ("department", "nocopy") or result.body is None:
        return None
    won = {a.category for a in result.awards}
    if asked in won:
        return None
    cat = _cat(categories, asked)
    name = display_name(result.body)
    if asked == "nocopy":
        n = f" ({cat.count} หน่วยงาน)" if cat else ""
        return (
            f"ยืนยันไม่ได้ค่ะ รางวัลสนับสนุนโครงการยกเลิกสำเนาเอกสาร{n} ยังไม่พบรายชื่อครบ"
            f"ที่เผยแพร่ จึงยืนยันไม่ได้ว่า{name}ได้รับหรือไม่ค่ะ"
        )
    if result.status == "winner":
        return f"ไม่ใช่ค่ะ {name} ไม่ได้รับ{cat.name_th if cat else 'รางวัลระดับกรม'}ค่ะ"
    return None


def format_check(
    result,
    categories,
    yes_no: bool = True,
    english: bool = False,
    asked_category: Optional[str] = None,
):
    """One name: yes or no first (or the award, for "ได้รางวัลอะไร")."""
    event = event_label(categories)
    first = None
    if english:
        first = _english_line(result, event)
    by_category = _lead_for_category(result, asked_category, categories)
    if result.status == "winner":
        name = display_name(result.body)
        line = f"{_won_line(result)} ใน {event} ค่ะ"
        lines = [first, "ใช่ค่ะ " + line if yes_no else line]
        if by_category:
            lines = [first, by_category, f"ที่มีข้อมูลคือ {line}"]
        if not result.exact:
            lines.append(f"(ชื่อที่พิมพ์มาใกล้เคียงกับ {name} จึงเข้าใจว่าหมายถึงหน่วยงานนี้ค่ะ)")
        buttons = [
            button("ใครได้รางวัลอีกบ้าง", LIST_ALL),
            button("พิธีมอบรางวัล", "พิธีมอบรางวัลจัดที่ไหนเมื่อไหร่"),
        ]
        return _with_card(
            with_feedback(
                sourced(join_lines(*lines), buttons, _check_sources(result, categories))
            ),
            result,
            categories,
        )
    if result.status == "not_winner":
        line = f"{_not_won_line(result, categories)} ของ {event} ค่ะ"
        lines = [first, "ไม่ใช่ค่ะ " + line if yes_no else line]
        if by_category:
            lines = [first, by_category, line]
        if result.body.kind == "province" and result.category_winners:
            names = " ".join(w.name_th for w in result.category_winners)
            lines.append(f"จังหวัดที่ได้รับรางวัล ได้แก่ {names} ค่ะ")
        elif not by_category:
            lines.append(_nocopy_caveat(categories))
        if result.suggestion is not None:
            lines.append(f"หรือหมายถึง {display_name(result.suggestion)} หรือไม่คะ")
            return sourced(
                join_lines(*lines), YES_NO_BUTTONS, _check_sources(result, categories)
            )
        return _with_card(
            with_feedback(
                sourced(
                    join_lines(*lines),
                    [button("ดูรายชื่อทั้งหมด", LIST_ALL)],
                    _check_sources(result, categories),
                )
            ),
            result,
            categories,
        )
    return _unknown(result, event, first)


def _with_card(reply: Reply, result, categories) -> Reply:
    """The check's reply with its card (body, award, source)."""
    reply.custom = cards.check(
        reply.text, result, reply.buttons, _check_sources(result, categories)
    )
    return reply


def _unknown(result, event: str, first: Optional[str]) -> Reply:
    lines = [first, f"ไม่พบ “{result.query}” ในรายชื่อผู้ได้รับรางวัล {event} ค่ะ"]
    if result.suggestion is not None:
        lines.append(f"หมายถึง {display_name(result.suggestion)} หรือไม่คะ")
        return Reply(join_lines(*lines), YES_NO_BUTTONS)
    lines.append("ถ้าเป็นชื่อย่อหรือชื่อเล่น ลองพิมพ์ชื่อเต็มของหน่วยงานอีกครั้งได้ค่ะ")
    return Reply(join_lines(*lines), [button("ดูรายชื่อทั้งหมด", LIST_ALL)])


def _english_line(result, event: str) -> str:
    name = (result.body.name_en or result.body.name_th) if result.body else result.query
    if result.status == "winner":
        return f"Yes: {name} is on the {event} winners list."
    if result.status == "not_winner":
        return f"No: {name} is not on the {event} winners list."
    return f"No: “{name}” is not on the {event} winners list."


def format_checks(
    results,
    categories,
    yes_no: bool = True,
    english: bool = False,
    asked_category: Optional[str] = None,
):
    """Several names in one question: one honest line per name."""
    if len(results) == 1:
        return format_check(results[0], categories, yes_no, english, asked_category)
    event = event_label(categories)
    lines: List[str] = []
    if english:
        lines += [_english_line(r, event) for r in results]
    won = sum(r.status == "winner" for r in results)
    if won == len(results):
        lines.append(f"ใช่ค่ะ ทั้ง {won} ชื่อได้รับรางวัลใน {event} ค่ะ")
    elif won == 0:
        lines.append(f"ไม่ใช่ค่ะ ทั้ง {len(results)} ชื่อไม่อยู่ในรายชื่อผู้ได้รับรางวัล {event} ค่ะ")
    else:
        lines.append(f"ได้รับรางวัล {won} จาก {len(results)} ชื่อ ใน {event} ค่ะ")
    sources: List[str] = []
    suggestion = None
    for r in results:
        if r.status == "winner":
            cats = " และ ".join(a.category_name_th for a in r.awards)
            lines.append(f"• {display_name(r.body)}: ใช่ค่ะ ได้รับ{cats}")
        elif r.status == "not_winner":
            lines.append(f"• {display_name(r.body)}: ไม่ใช่ค่ะ ไม่อยู่ในรายชื่อ")
        else:
            lines.append(f"• “{r.query}”: ไม่พบชื่อนี้ในรายชื่อค่ะ")
        if r.status != "unknown":
            sources += _check_sources(r, categories)
        if r.status != "winner" and suggestion is None:
            suggestion = r.suggestion
    if any(r.status == "not_winner" and r.body.kind != "province" for r in results):
        lines.append(_nocopy_caveat(categories))
    if suggestion is not None:
        lines.append(f"หมายถึง {display_name(suggestion)} หรือไม่คะ")
        return sourced(join_lines(*lines), YES_NO_BUTTONS, sources)
    return with_feedback(
        sourced(join_lines(*lines), [button("ดูรายชื่อทั้งหมด", LIST_ALL)], sources)
    )


def ask_body() -> Reply:
    return Reply(
        "อยากให้ตรวจสอบหน่วยงานหรือจังหวัดไหนคะ พิมพ์ชื่อหรือชื่อย่อ เช่น กฟน. หรือ จังหวัดลำพูน ได้เลยค่ะ",
        [
            button("การไฟฟ้านครหลวง", "การไฟฟ้านครหลวงได้รางวัลไหม"),
            button("จังหวัดลำพูน", "จังหวัดลำพูนได้รางวัลไหม"),
        ],
    )


def suggestion_denied() -> Reply:
    return Reply("ขออภัยค่ะ ช่วยพิมพ์ชื่อหน่วยงานหรือจังหวัดที่ต้องการอีกครั้งได้ไหมคะ")
