"""Thai wording and formatting of the bot's replies (one register: polite, ค่ะ/คะ).

Every function returns a :class:`Reply` (text + buttons). Buttons carry Thai
questions as payloads, never ``/intent`` strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence

CONTACT = "DGA Contact Center โทร 02-612-6060 (contact@dga.or.th)"
SOURCE_PREFIX = "ที่มา: "

KIND_TH = {
    "department": "ส่วนราชการ/หน่วยงานระดับกรม",
    "state_enterprise": "รัฐวิสาหกิจ",
    "fund": "กองทุน",
    "public_organisation": "องค์การมหาชน",
    "province": "จังหวัด",
    "ministry_office": "สำนักงานปลัดกระทรวง",
}


@dataclass
class Reply:
    text: str
    buttons: List[dict] = field(default_factory=list)

    def as_kwargs(self) -> dict:
        """Arguments for ``dispatcher.utter_message``."""
        kwargs = {"text": self.text}
        if self.buttons:
            kwargs["buttons"] = self.buttons
        return kwargs


def button(title: str, payload: str) -> dict:
    return {"title": title[:20], "payload": payload}


# ---------------------------------------------------------------- 👍 / 👎 on answers
# Payloads carry Thai words: the channels reject emoji-only messages, and NLU
# maps these texts to feedback_good / feedback_bad (data/nlu/feedback.yml).
FEEDBACK_GOOD = "👍 มีประโยชน์"
FEEDBACK_BAD = "👎 ไม่มีประโยชน์"
MAX_BUTTONS = 13  # LINE shows at most 13 quick replies


def feedback_buttons() -> List[dict]:
    return [button("👍", FEEDBACK_GOOD), button("👎", FEEDBACK_BAD)]


def with_feedback(reply: "Reply") -> "Reply":
    """The reply with 👍 / 👎 after its own buttons, at most MAX_BUTTONS in all
    (the answer's own buttons are cut, never the rating)."""
    rating = feedback_buttons()
    own = [
        b
        for b in reply.buttons
        if b.get("payload") not in (FEEDBACK_GOOD, FEEDBACK_BAD)
    ]
    return Reply(reply.text, own[: MAX_BUTTONS - len(rating)] + rating)


def feedback_thanks(rating: str, recorded: bool = True) -> "Reply":
    """Thanks for a 👍 / 👎."""
    if not recorded:
        return Reply(
            "ขอบคุณค่ะ ถ้ามีคำถามเรื่องรางวัลรัฐบาลดิจิทัล การยกเลิกสำเนาเอกสาร "
            "หรือ Biz Portal พิมพ์มาได้เลยนะคะ",
            HELP_BUTTONS,
        )
    if rating == "good":
        return Reply("ขอบคุณสำหรับคะแนนค่ะ ดีใจที่ข้อมูลเป็นประโยชน์ค่ะ มีอะไรให้ช่วยอีกไหมคะ")
    return Reply(
        "ขอบคุณที่บอกค่ะ เจ้าหน้าที่จะนำไปปรับปรุงคำตอบค่ะ ลองพิมพ์คำถามใหม่ด้วยคำอื่น "
        f"หรือติดต่อ {CONTACT} ได้ค่ะ",
        HELP_BUTTONS,
    )


def _sources(urls: Iterable[str]) -> str:
    seen: List[str] = []
    for u in urls:
        if u and u not in seen:
            seen.append(u)
    return "\n".join(SOURCE_PREFIX + u for u in seen)


def _join(*parts: Optional[str]) -> str:
    return "\n".join(p for p in parts if p)


def display_name(body) -> str:
    """'จังหวัดร้อยเอ็ด' for provinces, the Thai name otherwise."""
    return f"จังหวัด{body.name_th}" if body.kind == "province" else body.name_th


# ---------------------------------------------------------------- single facts
def format_answer(answer) -> Reply:
    """An answers.yml entry: its text, then one "ที่มา: <url>" line per source."""
    urls = [s.get("url") for s in answer.sources]
    buttons = [button(b["title"], b["payload"]) for b in answer.buttons]
    return with_feedback(Reply(_join(answer.text_th.strip(), _sources(urls)), buttons))


def no_answer() -> Reply:
    return Reply(
        "ขออภัยค่ะ ตอนนี้ยังไม่มีข้อมูลเรื่องนี้ในระบบค่ะ ลองถามเรื่องรางวัลรัฐบาลดิจิทัล "
        "การยกเลิกสำเนาเอกสาร หรือ Biz Portal ได้นะคะ",
        HELP_BUTTONS,
    )


HELP_BUTTONS = [
    button("รางวัลรัฐบาลดิจิทัล", "รางวัลรัฐบาลดิจิทัลปี 62 คืออะไร"),
    button("ยกเลิกสำเนาเอกสาร", "โครงการยกเลิกสำเนาเอกสารราชการคืออะไร"),
    button("Biz Portal", "Biz Portal คืออะไร"),
]


# ---------------------------------------------------------------- faults and prompts
def apology() -> Reply:
    return Reply(
        "ขออภัยค่ะ ระบบขัดข้องชั่วคราว ยังตอบคำถามนี้ไม่ได้ในตอนนี้ "
        f"กรุณาลองใหม่อีกครั้งในอีกสักครู่ หรือติดต่อ {CONTACT} ค่ะ"
    )


def ask_body() -> Reply:
    return Reply(
        "อยากให้ตรวจสอบหน่วยงานหรือจังหวัดไหนคะ พิมพ์ชื่อหรือชื่อย่อได้เลยค่ะ เช่น กฟน. หรือ จังหวัดลำพูน",
        [
            button("การไฟฟ้านครหลวง", "การไฟฟ้านครหลวงได้รางวัลไหม"),
            button("จังหวัดลำพูน", "จังหวัดลำพูนได้รางวัลไหม"),
        ],
    )


def ask_business_type(
    examples: Sequence[str] = ("ร้านอาหาร", "ร้านกาแฟ", "โรงแรมและรีสอร์ทขนาดเล็ก"),
) -> Reply:
    buttons = [button(x, f"เปิด{x}ต้องขอใบอนุญาตอะไรบ้าง") for x in examples[:3]]
    return Reply(
        "จะเปิดธุรกิจประเภทไหนคะ เช่น ร้านอาหาร ร้านกาแฟ โรงแรม หรือร้านค้าปลีก บอกได้เลยค่ะ",
        buttons,
    )


def ask_what_they_mean(
    entity_text: Optional[str] = None, options: Sequence[dict] = ()
) -> Reply:
    what = f"“{entity_text}”" if entity_text else "เรื่องนี้"
    return Reply(
        f"ขอโทษค่ะ ยังไม่แน่ใจว่าอยากทราบอะไรเกี่ยวกับ{what} ช่วยบอกเพิ่มอีกนิดได้ไหมคะ",
        list(options) or HELP_BUTTONS,
    )


def unknown_business_type(text: str, known: Sequence[str]) -> Reply:
    sample = " ".join(known[:6])
    return Reply(
        f"ขออภัยค่ะ ยังไม่มีข้อมูลใบอนุญาตของธุรกิจ “{text}” ค่ะ ตอนนี้มีข้อมูล เช่น {sample} "
        "หรือใช้ Smart Quiz “แนะนำใบอนุญาตสำหรับคุณ” ที่ https://bizportal.go.th ได้ค่ะ",
        [button(x, f"เปิด{x}ต้องขอใบอนุญาตอะไรบ้าง") for x in known[:3]],
    )


# ---------------------------------------------------------------- awards
def _category_heading(cat) -> str:
    return f"{cat.name_th} ({cat.count} รางวัล)"


def format_winners(
    awards,
    categories,
    category: Optional[str] = None,
    ministry: Optional[str] = None,
    kind: Optional[str] = None,
) -> Reply:
    """List of winners, grouped by category, with sources."""
    cats = {c.key: c for c in categories}
    filters = []
    if ministry:
        full = ministry if ministry.startswith("กระทรวง") else "กระทรวง" + ministry
        filters.append(f"สังกัด{full}")
    if kind:
        filters.append(f"ประเภท{KIND_TH.get(kind, kind)}")
    filt = (" " + " ".join(filters)) if filters else ""
    if not awards:
        return Reply(
            f"ไม่พบผู้ได้รับรางวัล Digital Government Awards 2019{filt} ในรายชื่อที่มีค่ะ",
            [button("รายชื่อทั้งหมด", "หน่วยงานไหนได้รางวัลรัฐบาลดิจิทัลบ้าง")],
        )
    lines = [f"ผู้ได้รับรางวัล Digital Government Awards 2019{filt} มีดังนี้ค่ะ"]
    urls = []
    order = [
        c
        for c in ("department", "province", "nocopy")
        if any(a.category == c for a in awards)
    ]
    for key in order:
        group = [a for a in awards if a.category == key]
        cat = cats.get(key)
        if cat is not None:
            lines.append(_category_heading(cat))
        for i, a in enumerate(group, 1):
            lines.append(f"{i}. {display_name(a.body)}")
            urls.append(a.source_url)
        if (
            key == "nocopy"
            and cat is not None
            and len(group) < cat.count
            and not filters
        ):
            lines.append(
                f"รางวัลประเภทนี้มี {cat.count} หน่วยงาน แต่ยังไม่พบรายชื่อครบทั้งหมดที่เผยแพร่ค่ะ "
                "ที่ยืนยันได้คือหน่วยงานข้างต้น"
            )
            urls.append(cat.source_url)
        elif cat is not None:
            urls.append(cat.source_url)
    buttons = []
    if category != "province":
        buttons.append(button("รางวัลระดับจังหวัด", "รางวัลระดับจังหวัดมีจังหวัดไหนบ้าง"))
    if category != "department":
        buttons.append(button("รางวัลระดับกรม", "รางวัลระดับกรมมีหน่วยงานไหนบ้าง"))
    buttons.append(button("พิธีมอบรางวัล", "พิธีมอบรางวัลจัดที่ไหนเมื่อไหร่"))
    return with_feedback(Reply(_join("\n".join(lines), _sources(urls)), buttons))


def format_count(result) -> Reply:
    cats = {c.key: c for c in result.categories}
    if result.official:
        if result.category:
            cat = cats[result.category]
            text = f"{cat.name_th} มีทั้งหมด {cat.count} รางวัลค่ะ"
            if result.category == "nocopy":
                text += " เช่น กรมวิทยาศาสตร์บริการ (ยังไม่พบรายชื่อครบทั้ง 60 หน่วยงานที่เผยแพร่ค่ะ)"
        else:
            parts = [
                f"• {cats[k].name_th}: {n}"
                for k, n in result.by_category.items()
                if k in cats
            ]
            text = _join(
                f"Digital Government Awards 2019 มีผู้ได้รับรางวัลรวม {result.count} รางวัล "
                "แบ่งเป็นค่ะ",
                "\n".join(parts),
            )
    else:
        filters = []
        if result.ministry:
            filters.append(f"สังกัด{result.ministry}")
        if result.kind:
            filters.append(f"ประเภท{KIND_TH.get(result.kind, result.kind)}")
        text = f"ผู้ได้รับรางวัล{' '.join(filters)} ที่มีรายชื่อ มี {result.count} หน่วยงานค่ะ"
    return with_feedback(
        Reply(
            _join(text, _sources(result.source_urls)),
            [button("ดูรายชื่อ", "หน่วยงานไหนได้รางวัลรัฐบาลดิจิทัลบ้าง")],
        )
    )


def format_check(result) -> Reply:
    """Reply to "did X win?" for a :class:`~bot.content.repository.CheckResult`."""
    if result.status == "winner":
        name = display_name(result.body)
        lead = "" if result.exact else f"(เข้าใจว่าหมายถึง {name} นะคะ)\n"
        awards = "\n".join(f"• {a.category_name_th}" for a in result.awards)
        text = _join(
            f"{lead}ใช่ค่ะ {name} ได้รับรางวัลใน Digital Government Awards 2019 (ปี 2562) ค่ะ",
            awards,
            _sources(a.source_url for a in result.awards),
        )
        return with_feedback(
            Reply(
                text,
                [
                    button("ใครได้รางวัลอีกบ้าง", "หน่วยงานไหนได้รางวัลรัฐบาลดิจิทัลบ้าง"),
                    button("พิธีมอบรางวัล", "พิธีมอบรางวัลจัดที่ไหนเมื่อไหร่"),
                ],
            )
        )
    if result.status == "not_winner":
        name = display_name(result.body)
        lines = [
            f"{name} ไม่อยู่ในรายชื่อผู้ได้รับรางวัล Digital Government Awards 2019 ที่มีข้อมูลค่ะ"
        ]
        urls = []
        if result.body.kind == "province" and result.category_winners:
            names = " ".join(w.name_th for w in result.category_winners)
            lines.append(
                f"จังหวัดที่ได้รับรางวัลระดับจังหวัดมี {len(result.category_winners)} "
                f"จังหวัด ได้แก่ {names} ค่ะ"
            )
            if result.category:
                urls.append(result.category.source_url)
            urls.append("https://www.thaigov.go.th/news/contents/details/24149")
        else:
            lines.append(
                "หมายเหตุ: รางวัลยกเลิกสำเนาเอกสารมี 60 หน่วยงาน แต่ยังไม่พบรายชื่อครบที่เผยแพร่ "
                "จึงยืนยันได้เฉพาะรางวัลระดับกรมและระดับจังหวัดค่ะ"
            )
            urls.append("https://www.thaigov.go.th/news/contents/details/24149")
        buttons = []
        if result.suggestion is not None:
            sug = display_name(result.suggestion)
            lines.append(f"หรือหมายถึง {sug} หรือไม่คะ")
            buttons = [button("ใช่", "ใช่"), button("ไม่ใช่", "ไม่ใช่")]
        else:
            buttons = [button("ดูรายชื่อทั้งหมด", "หน่วยงานไหนได้รางวัลรัฐบาลดิจิทัลบ้าง")]
        reply = Reply(_join("\n".join(lines), _sources(urls)), buttons)
        # a "หมายถึง … หรือไม่คะ" question is not an answer to rate
        return reply if result.suggestion is not None else with_feedback(reply)
    # unknown
    q = result.query
    if result.suggestion is not None:
        sug = display_name(result.suggestion)
        return Reply(
            f"ไม่พบ “{q}” ในรายชื่อผู้ได้รับรางวัลค่ะ หมายถึง {sug} หรือไม่คะ",
            [button("ใช่", "ใช่"), button("ไม่ใช่", "ไม่ใช่")],
        )
    return Reply(
        f"ขออภัยค่ะ ไม่พบชื่อหน่วยงานหรือจังหวัด “{q}” ในข้อมูล ช่วยพิมพ์ชื่อเต็มของหน่วยงานอีกครั้งได้ไหมคะ",
        [button("ดูรายชื่อทั้งหมด", "หน่วยงานไหนได้รางวัลรัฐบาลดิจิทัลบ้าง")],
    )


def suggestion_denied() -> Reply:
    return Reply("ขอโทษค่ะ ช่วยพิมพ์ชื่อหน่วยงานหรือจังหวัดที่ต้องการอีกครั้งได้ไหมคะ")


def nothing_to_confirm(affirmed: bool) -> Reply:
    if affirmed:
        return Reply("รับทราบค่ะ มีอะไรให้ช่วยอีกไหมคะ", HELP_BUTTONS)
    return Reply("ได้ค่ะ ถ้าอยากถามเรื่องอื่น พิมพ์มาได้เลยนะคะ", HELP_BUTTONS)


# ---------------------------------------------------------------- licences
def format_licences(result) -> Reply:
    lines = []
    if not result.exact:
        lines.append(f"(เข้าใจว่าหมายถึงธุรกิจ{result.name_th} นะคะ)")
    if result.licences:
        lines.append(f"ธุรกิจ{result.name_th} บน Biz Portal มีใบอนุญาตที่เกี่ยวข้อง เช่น")
        for lic in result.licences:
            note = f" ({lic['note']})" if lic.get("note") else ""
            lines.append(f"• {lic['name']}{note}")
    elif not result.note_th:
        guide = f"“{result.guide_th}” " if result.guide_th else ""
        lines.append(f"Biz Portal มีคู่มือ {guide}สำหรับธุรกิจ{result.name_th} ค่ะ")
    for rel in result.related:
        for lic in rel["licences"]:
            lines.append(f"• ถ้า{rel['name_th']}: {lic['name']}")
    if result.note_th:
        lines.append(result.note_th)
    if result.catalogue_note:
        lines.append(result.catalogue_note)
    return with_feedback(
        Reply(
            _join(
                "\n".join(lines),
                _sources([result.source_url] if result.source_url else []),
            ),
            [
                button("ขั้นตอนยื่นออนไลน์", "ขอใบอนุญาตผ่าน Biz Portal ทำยังไง"),
                button("ติดตามสถานะคำขอ", "ติดตามสถานะคำขอใบอนุญาตยังไง"),
            ],
        )
    )
