"""Generated negatives: no body or province that did not win is ever answered
as a winner, whatever its name looks like.

"Claims a win" means the resolver decides on a winner for a name that is not
that winner's, or the reply starts with ใช่ / Yes, or a line says the body
received an award. Covered:

* every registry body and every non-winning province, in several phrasings,
  through ``action_check_winner`` (the running bot adds nothing here);
* the same with a fifth of the registry withheld from the resolver, so the
  rules are tested on names they have never seen;
* synthetic names built from the words winners share.
"""

from __future__ import annotations

import asyncio
import random
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.awards import ActionCheckWinner
from bot.content.importer import load_content
from bot.content.resolution import Name, Resolver

PHRASINGS = (
    "{}ได้รางวัลไหม",
    "{} ได้รางวัลรัฐบาลดิจิทัลหรือเปล่าคะ",
    "อยากทราบว่า{}ได้รับรางวัลปี 62 ไหมครับ",
    "แล้ว{}ล่ะ ได้โล่ด้วยป่าว",
)
MINISTRIES = (
    "มหาดไทย",
    "การคลัง",
    "กลาโหม",
    "ยุติธรรม",
    "แรงงาน",
    "สาธารณสุข",
    "ศึกษาธิการ",
    "คมนาคม",
    "เกษตรและสหกรณ์",
    "อุตสาหกรรม",
    "พลังงาน",
    "วัฒนธรรม",
    "การต่างประเทศ",
    "ทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    "การพัฒนาสังคมและความมั่นคงของมนุษย์",
    "ดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "การท่องเที่ยวและกีฬา",
    "การอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม",
)
SHARED_WORDS = (
    [f"สำนักงานปลัดกระทรวง{m}" for m in MINISTRIES]
    + [f"สำนักงานปลัด{m}" for m in MINISTRIES[:6]]
    + [
        f"กรมพัฒนา{w}"
        for w in (
            "ที่ดิน",
            "ชุมชน",
            "ฝีมือแรงงาน",
            "การแพทย์แผนไทย",
            "สังคม",
            "พลังงานทดแทน",
            "ธุรกิจ",
            "การค้า",
            "ธุรกิจการ",
        )
    ]
    + [
        f"สำนักงาน{w}แห่งชาติ"
        for w in ("สถิติ", "พระพุทธศาสนา", "วิจัย", "สุขภาพ", "หลักประกัน", "ประกันสุขภาพ")
    ]
    + [
        f"กองทุน{w}"
        for w in (
            "หมู่บ้าน",
            "การออมแห่งชาติ",
            "เงินทดแทน",
            "สนับสนุนการสร้างเสริมสุขภาพ",
            "บำเหน็จ",
            "บำนาญ",
            "สนับสนุนการศึกษา",
            "วิจัย",
        )
    ]
    + [
        "การไฟฟ้า",
        "การไฟฟ้าส่วนภูมิภาค",
        "การประปา",
        "ประปานครหลวง",
        "สำนักงานเศรษฐกิจการเกษตร",
        "สำนักงานเศรษฐกิจการคลัง",
        "สำนักงานบริหารหนี้",
        "กรมพัฒน์ที่ดิน",
        "สำนักงานคณะกรรมการป้องกันอุบัติภัย",
    ]
)


def _bundle_names(bundle, drop=frozenset()):
    winners = {a["recipient"] for a in bundle.awards}
    names = []
    provinces = set()
    for b in bundle.bodies:
        if b["key"] in drop:
            continue
        if b["kind"] == "province":
            provinces.add(b["key"])
        for alias, kind in b["_aliases"]:
            names.append(Name(b["key"], alias, kind, b["scan_needs_prefix"]))
    return Resolver(names, winners, provinces), winners


@pytest.fixture(scope="module")
def bundle():
    return load_content()


def _claims_win(reply: str) -> bool:
    lines = [ln.lstrip("• ").strip() for ln in reply.splitlines() if ln.strip()]
    if lines and re.match(r"^(ใช่|Yes)", lines[0]):
        return True
    for ln in lines:
        if "ได้รับ" not in ln or ln.startswith(("ไม่", "จังหวัดที่ได้รับ", "ที่มา")):
            continue
        if "ไม่" not in ln.split("ได้รับ")[0]:
            return True
    return False


def _ask(text: str) -> str:
    msg = {
        "text": text,
        "intent": {"name": "award_check", "confidence": 0.9},
        "entities": [],
    }
    t = Tracker("neg", {}, msg, [], False, None, {}, "action_listen")
    d = CollectingDispatcher()
    asyncio.run(ActionCheckWinner().run(d, t, {}))
    return "\n".join(m.get("text") or "" for m in d.messages)


def _non_winners(bundle):
    winners = {a["recipient"] for a in bundle.awards}
    return [b for b in bundle.bodies if b["key"] not in winners]


def test_claims_win_detects_a_yes(loaded):
    """The detector itself: a winner's reply is a claim, a non-winner's is not."""
    assert _claims_win(_ask("การไฟฟ้านครหลวงได้รางวัลไหม"))
    assert _claims_win(_ask("ลำพูนได้รางวัลอะไร"))
    assert not _claims_win(_ask("การประปานครหลวงได้รางวัลไหม"))
    assert not _claims_win(_ask("จังหวัดเชียงใหม่ได้รางวัลไหม"))


def test_no_non_winner_is_answered_as_a_winner(loaded, bundle):
    """Every registry body and non-winning province, through the action."""
    bad = []
    rng = random.Random(7)
    for body in _non_winners(bundle):
        names = [body["name_th"]] + [a for a, k in body["_aliases"] if k == "abbr"][:1]
        for name in names:
            text = rng.choice(PHRASINGS).format(name)
            if _claims_win(_ask(text)):
                bad.append(text)
    assert not bad, f"{len(bad)} non-winners answered as winners: {bad[:10]}"


@pytest.mark.parametrize("seed", [1, 2])
def test_withheld_registry_names_are_never_winners(bundle, seed):
    """A fifth of the registry unknown to the resolver: still never a winner."""
    registry = [b for b in bundle.bodies if b.get("_names_only")]
    rng = random.Random(seed)
    held = {b["key"] for b in rng.sample(registry, len(registry) // 5)}
    resolver, winners = _bundle_names(bundle, drop=held)
    bad = []
    for body in (b for b in registry if b["key"] in held):
        for alias, _kind in body["_aliases"]:
            for phrasing in PHRASINGS:
                text = phrasing.format(alias)
                found = [n.key for n in resolver.named(text) if n.key in winners]
                if found:
                    bad.append((text, found))
    assert not bad, f"{len(bad)} withheld names resolved to winners: {bad[:10]}"


def test_shared_words_name_nobody(loaded, bundle):
    """Names built from the words winners share never pick a winner."""
    resolver, winners = _bundle_names(bundle)
    exact_winner_names = {
        alias
        for b in bundle.bodies
        if b["key"] in winners
        for alias, _k in b["_aliases"]
    }
    bad = []
    for name in SHARED_WORDS:
        if name in exact_winner_names:
            continue
        for phrasing in PHRASINGS:
            text = phrasing.format(name)
            if any(n.key in winners for n in resolver.named(text)):
                bad.append(text)
            elif _claims_win(_ask(text)):
                bad.append("reply: " + text)
    assert not bad, f"{len(bad)} shared-word names picked a winner: {bad[:10]}"
