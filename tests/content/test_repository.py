from sqlalchemy import update

from bot.content import repository as r
from bot.content.db import session_scope
from bot.content.models import Answer


def test_winners_and_filters(loaded):
    assert len(r.winners()) == 16
    assert len(r.winners("department")) == 10
    assert [w.body.name_th for w in r.winners("ระดับจังหวัด")] == [
        "ร้อยเอ็ด",
        "ลำพูน",
        "ระนอง",
        "เพชรบูรณ์",
        "อุตรดิตถ์",
    ]
    assert {w.body.key for w in r.winners(kind="รัฐวิสาหกิจ")} == {"mea", "pwa"}
    assert {w.body.key for w in r.winners(ministry="กระทรวงพาณิชย์")} == {
        "dbd",
        "ops-moc",
    }
    assert {w.body.key for w in r.winners(ministry="มหาดไทย")} == {"mea", "pwa"}


def test_counts(loaded):
    assert r.count_winners().count == 75
    assert r.count_winners("nocopy").count == 60
    assert r.count_winners("nocopy").listed == 1
    assert r.count_winners(kind="กองทุน").count == 2


def test_check_winner(loaded):
    res = r.check_winner("กฟน.")
    assert (
        res.status == r.WINNER
        and res.body.key == "mea"
        and res.awards[0].category == "department"
    )
    res = r.check_winner("การประปานครหลวง")
    assert (
        res.status == r.NOT_WINNER
        and res.body.key == "mwa"
        and res.suggestion.key == "pwa"
    )
    res = r.check_winner("เชียงใหม่")
    assert res.status == r.NOT_WINNER and len(res.category_winners) == 5
    res = r.check_winner("สปสข")
    assert res.status == r.WINNER and not res.exact
    assert r.check_winner("กรมวิทยาศาสตร์บริการ").awards[0].category == "nocopy"
    assert r.check_winner("หน่วยงานที่ไม่มีจริง").status == r.UNKNOWN


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
    assert r.resolve_province("โคราช").name_th == "นครราชสีมา"
