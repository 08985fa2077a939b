from sqlalchemy import update

from bot.content import checks, results
from bot.content import repository as r
from bot.content.db import session_scope
from bot.content.loader import load_content
from bot.content.models import Answer


def content():
    """What the content says, so the expectations follow a supported staff
    edit (``bot.admin award add``) instead of breaking on it."""
    bundle = load_content()
    bodies = {b["key"]: b for b in bundle.bodies}
    return bundle, bodies


def test_winners_and_filters(loaded):
    bundle, bodies = content()
    listed = bundle.awards
    assert len(r.winners()) == len(listed)
    departments = [a for a in listed if a["category"] == "department"]
    assert len(r.winners("department")) == len(departments)
    provinces = [
        bodies[a["recipient"]]["name_th"] for a in listed if a["category"] == "province"
    ]
    assert [w.body.name_th for w in r.winners("ระดับจังหวัด")] == provinces
    assert len(provinces) == 5  # the certificates the source article lists

    def keys(where):
        return {a["recipient"] for a in listed if where(bodies[a["recipient"]])}

    assert {w.body.key for w in r.winners(kind="รัฐวิสาหกิจ")} == keys(
        lambda b: b["kind"] == "state_enterprise"
    )
    commerce = keys(lambda b: b["parent_ministry"] == "กระทรวงพาณิชย์")
    assert {"dbd", "ops-moc"} <= commerce
    assert {w.body.key for w in r.winners(ministry="กระทรวงพาณิชย์")} == commerce
    assert {w.body.key for w in r.winners(ministry="มหาดไทย")} == keys(
        lambda b: b["parent_ministry"] == "กระทรวงมหาดไทย"
    )


def test_counts(loaded):
    bundle, bodies = content()
    official = {c["key"]: c["count"] for c in bundle.categories}
    assert r.count_winners().count == sum(official.values())
    assert r.count_winners("nocopy").count == official["nocopy"]
    assert r.count_winners("nocopy").listed == sum(
        1 for a in bundle.awards if a["category"] == "nocopy"
    )
    kinds = {a["recipient"]: bodies[a["recipient"]]["kind"] for a in bundle.awards}
    funds = {key for key, kind in kinds.items() if kind == "fund"}
    assert r.count_winners(kind="กองทุน").count == len(funds) > 0


def test_check_winner(loaded):
    res = checks.check_winner("กฟน.")
    assert (
        res.status == results.WINNER
        and res.body.key == "mea"
        and res.awards[0].category == "department"
    )
    # a non-winner gets a suggestion only where the content names one
    res = checks.check_winner("การประปานครหลวง")
    assert (
        res.status == results.NOT_WINNER
        and res.body.key == "mwa"
        and res.suggestion.key == "pwa"
    )
    res = checks.check_winner("เชียงใหม่")
    assert res.status == results.NOT_WINNER and len(res.category_winners) == 5
    assert res.suggestion is None
    # a typo of the whole name is the winner; an abbreviation never fuzzily
    res = checks.check_winner("กรมพัฒนาธุรกิจการค้")
    assert res.status == results.WINNER and not res.exact
    assert checks.check_winner("สปสข").status == results.UNKNOWN
    assert checks.check_winner("กรมวิทยาศาสตร์บริการ").awards[0].category == "nocopy"
    assert checks.check_winner("หน่วยงานที่ไม่มีจริง").status == results.UNKNOWN


def test_check_message_one_result_per_name(loaded):
    found = checks.check_message("NHSO กับ ONCB และกรมพัฒนาที่ดินได้รางวัลไหม")
    assert [(x.status, x.body.key if x.body else None) for x in found] == [
        (results.WINNER, "nhso"),
        (results.WINNER, "oncb"),
        (results.NOT_WINNER, "ldd"),
    ]
    unknown = checks.check_message("สำนักงานส่งเสริมการเลี้ยงผึ้งแห่งชาติได้รางวัลไหม")
    assert [x.status for x in unknown] == [results.UNKNOWN]
    assert unknown[0].query == "สำนักงานส่งเสริมการเลี้ยงผึ้งแห่งชาติ"


def test_answer_edit_shows_without_restart(loaded):
    assert "ประชาชนไม่ต้องจ่าย" in r.answer("nocopy_who_pays").text_th
    with session_scope(loaded) as s:
        s.execute(
            update(Answer)
            .where(Answer.key == "nocopy_who_pays")
            .values(text_th="ข้อความใหม่ค่ะ")
        )
    assert r.answer("nocopy_who_pays").text_th == "ข้อความใหม่ค่ะ"


def test_licences_and_documents(loaded):
    res = r.licences_for("อยากเปิดร้านอาหาร")
    assert res.key == "restaurant" and any("สอ.4" in x["name"] for x in res.licences)
    assert r.licences_for("ขายเหล้า").key == "alcohol"
    assert r.licences_for("ร้านขายของชำ").related
    assert r.licences_for("ยานอวกาศ") is None
    assert r.document_type("ซีร็อกซ์บัตร").nocopy == "yes"
    assert r.document_type("หนังสือมอบอำนาจ").nocopy == "no"
    assert checks.resolve_body("โคราช").key == "nakhon-ratchasima"
