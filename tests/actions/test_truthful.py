"""Truthful, direct answers through the actions: the answer first, yes or no
for a yes/no question, follow-ups on every topic, several names, English,
other services and other years."""

import pytest

from actions.awards import ActionCheckWinner, ActionCountWinners, ActionListWinners
from actions.facts import ActionAnswerFact, ActionSources
from actions.followup import ActionFollowup
from actions.scope import ActionOutOfScope
from tests.actions.test_actions import run, texts, tracker


def first_line(msgs):
    return texts(msgs).splitlines()[0]


@pytest.mark.parametrize(
    "question,intent,lead",
    [
        ("ต้องใช้สำเนาบัตรประชาชนไหม", "nocopy_what_to_bring", "ไม่ต้องค่ะ"),
        ("ต้องถ่ายเอกสารทะเบียนบ้านไปด้วยไหม", "nocopy_what_to_bring", "ไม่ต้องค่ะ"),
        ("ต้องถ่ายเอกสารทะเบียนบ้านไปด้วยไหม", "nocopy_what", "ไม่ต้องค่ะ"),
        ("ต้องเอาบัตรประชาชนตัวจริงไปไหม", "nocopy_what_to_bring", "ต้องค่ะ"),
        ("มอบอำนาจต้องใช้สำเนาไหม", "nocopy_exceptions", "ต้องค่ะ"),
        ("ต้องจ่ายค่าถ่ายเอกสารเองไหม", "nocopy_who_pays", "ไม่ต้องจ่ายค่ะ"),
    ],
)
def test_yes_no_questions_get_yes_or_no_first(loaded, question, intent, lead):
    msgs, _ = run(ActionAnswerFact(), tracker(question, intent))
    assert first_line(msgs).startswith(lead)
    assert len(first_line(msgs)) <= 120


def test_what_questions_keep_the_answer_first(loaded):
    msgs, _ = run(ActionAnswerFact(), tracker("No Copy คืออะไร", "nocopy_what"))
    assert first_line(msgs).startswith("โครงการยกเลิกสำเนาเอกสารราชการ (No Copy) คือ")
    msgs, _ = run(ActionCheckWinner(), tracker("ลำพูนได้รางวัลอะไร", "award_check"))
    assert first_line(msgs).startswith("จังหวัดลำพูน ได้รับรางวัลรัฐบาลดิจิทัลระดับจังหวัด")


def test_non_winners_and_unknown_names(loaded):
    msgs, slots = run(
        ActionCheckWinner(), tracker("สำนักงานสถิติแห่งชาติได้รางวัลไหม", "award_check")
    )
    t = texts(msgs)
    assert t.startswith("ไม่ใช่ค่ะ สำนักงานสถิติแห่งชาติ ไม่อยู่ในรายชื่อ")
    assert "สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด" not in t
    assert slots["suggested_body"] is None
    msgs, slots = run(
        ActionCheckWinner(),
        tracker("กรมส่งเสริมการเลี้ยงผึ้งแห่งชาติได้รางวัลไหม", "award_check"),
    )
    assert texts(msgs).startswith("ไม่พบ “กรมส่งเสริมการเลี้ยงผึ้งแห่งชาติ”")


def test_several_names_one_line_each(loaded):
    msgs, _ = run(
        ActionCheckWinner(), tracker("NHSO กับ ONCB และ กปน. ได้รางวัลมั้ย", "award_check")
    )
    lines = texts(msgs).splitlines()
    assert lines[0].startswith("ได้รับรางวัล 2 จาก 3 ชื่อ")
    assert any(ln.startswith("• สำนักงานหลักประกันสุขภาพแห่งชาติ: ใช่ค่ะ") for ln in lines)
    assert any(
        ln.startswith("• สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด: ใช่ค่ะ")
        for ln in lines
    )
    assert any(ln.startswith("• การประปานครหลวง: ไม่ใช่ค่ะ") for ln in lines)
    msgs, _ = run(ActionCheckWinner(), tracker("กฟน. กับ กปภ. ได้ไหม", "award_check"))
    assert first_line(msgs).startswith("ใช่ค่ะ ทั้ง 2 ชื่อ")


def test_english_questions_get_an_english_first_line(loaded):
    msgs, _ = run(
        ActionCheckWinner(),
        tracker(
            "Did the Metropolitan Electricity Authority win an award?", "award_check"
        ),
    )
    lines = texts(msgs).splitlines()
    assert lines[0].startswith("Yes: Metropolitan Electricity Authority")
    assert lines[1].startswith("ใช่ค่ะ การไฟฟ้านครหลวง")
    msgs, _ = run(
        ActionAnswerFact(),
        tracker("Do I still need a copy of my ID card?", "nocopy_what_to_bring"),
    )
    assert first_line(msgs).startswith("No: you generally do not need photocopies")
    msgs, _ = run(
        ActionOutOfScope(), tracker("How do I renew my passport?", "out_of_scope")
    )
    assert first_line(msgs).startswith("Sorry, this is outside")


def test_followups_on_every_topic(loaded):
    # No Copy: "แล้วถ้ามอบอำนาจล่ะ"
    _, slots = run(ActionAnswerFact(), tracker("No Copy คืออะไร", "nocopy_what"))
    assert slots["topic"] == "nocopy"
    msgs, _ = run(ActionFollowup(), tracker("แล้วถ้ามอบอำนาจล่ะ", "inform", slots=slots))
    assert "มอบอำนาจ: ผู้รับมอบอำนาจต้องนำสำเนาบัตรประชาชน" in texts(msgs)
    # sources of the last answer, not of another topic
    msgs, slots = run(ActionCountWinners(), tracker("ได้รางวัลกี่หน่วยงาน", "award_count"))
    msgs, _ = run(ActionSources(), tracker("อ้างอิงจากไหน", "ask_source", slots=slots))
    t = texts(msgs)
    assert "dga.or.th/document-sharing/dga-news/18310" in t
    assert "kb-old" not in t and "cabinetDoc" not in t
    # "มีกี่หน่วยงาน" after the department list: its count, not the total
    _, slots = run(
        ActionListWinners(),
        tracker(
            "รางวัลระดับกรมมีใครบ้าง", "award_winners", [("award_category", "ระดับกรม")]
        ),
    )
    msgs, slots = run(
        ActionCountWinners(), tracker("มีกี่หน่วยงาน", "award_count", slots=slots)
    )
    assert first_line(msgs).endswith("มี 10 รางวัลค่ะ") and "75" not in texts(msgs)
    # "ขอรายชื่อทั้งหมด": the full list
    msgs, _ = run(
        ActionListWinners(), tracker("ขอรายชื่อทั้งหมด", "award_winners", slots=slots)
    )
    assert "จังหวัดร้อยเอ็ด" in texts(msgs) and "กรมพัฒนาธุรกิจการค้า" in texts(msgs)
    # licences: "แล้วร้านกาแฟล่ะ"
    msgs, slots = run(
        ActionFollowup(),
        tracker(
            "แล้วร้านกาแฟล่ะ",
            "inform",
            [("business_type", "ร้านกาแฟ")],
            {"topic": "licences"},
        ),
    )
    assert first_line(msgs).startswith("ธุรกิจร้านกาแฟ")


def test_sources_without_a_previous_answer(loaded):
    msgs, _ = run(ActionSources(), tracker("อ้างอิงจากไหน", "ask_source"))
    assert "ยังไม่มีคำตอบก่อนหน้า" in texts(msgs)


def test_other_services_are_out_of_scope_with_help(loaded):
    msgs, _ = run(
        ActionOutOfScope(),
        tracker("ต่อใบขับขี่ต้องทำยังไง", "out_of_scope", [("other_service", "ใบขับขี่")]),
    )
    t = texts(msgs)
    assert first_line(msgs) == "ขออภัยค่ะ เรื่องใบขับขี่อยู่นอกขอบเขตที่ระบบนี้ตอบได้ค่ะ"
    assert "1111" in t and "ทางรัฐ" in t and "ที่มา: https://www.1111.go.th" in t
    assert "Biz Portal คือ" not in t


def test_other_years_are_answered_honestly(loaded):
    for question in ("ปีนี้ใครได้รางวัล", "รางวัลปี 2566 มีใครบ้าง"):
        msgs, _ = run(ActionListWinners(), tracker(question, "award_winners"))
        assert "มีข้อมูลเฉพาะรางวัล" in first_line(msgs)
        assert "กรมพัฒนาธุรกิจการค้า" not in texts(msgs)
    msgs, _ = run(ActionCountWinners(), tracker("ปี 2019 มีกี่รางวัล", "award_count"))
    assert "75" in texts(msgs)


def test_citizen_links_replace_unofficial_sources(loaded):
    msgs, _ = run(ActionAnswerFact(), tracker("ขั้นตอนขอใบอนุญาต", "bizportal_steps"))
    t = texts(msgs)
    assert "github.com" not in t
    assert "ตรวจสอบ/ยื่นคำขอได้ที่ https://bizportal.go.th" in t


def test_a_count_put_as_a_yes_no_question(loaded):
    msgs, _ = run(
        ActionCountWinners(),
        tracker("รางวัลปี 62 ระดับจังหวัดมี 5 รางวัลใช่ไหม", "award_count"),
    )
    assert first_line(msgs).startswith("ใช่ค่ะ รางวัลรัฐบาลดิจิทัลระดับจังหวัด")
    msgs, _ = run(
        ActionCountWinners(), tracker("ระดับกรมมี 12 รางวัลใช่ไหม", "award_count")
    )
    assert first_line(msgs).startswith("ไม่ใช่ค่ะ") and "มี 10 รางวัล" in first_line(msgs)
    # no body named but a category: the category's count
    msgs, _ = run(
        ActionCheckWinner(), tracker("ระดับกรมได้ 10 หน่วยงานใช่ไหม", "award_check")
    )
    assert first_line(msgs).startswith("ใช่ค่ะ โล่รางวัลรัฐบาลดิจิทัลระดับกรม")


def test_the_articles_subjects_win_over_a_broader_answer(loaded):
    msgs, _ = run(
        ActionAnswerFact(),
        tracker("บัตรสวัสดิการแห่งรัฐที่พูดในพิธีมอบรางวัลคืออะไร", "award_ceremony"),
    )
    assert "บัตรสวัสดิการแห่งรัฐ" in first_line(msgs)


def test_english_lists_counts_and_years(loaded):
    msgs, _ = run(
        ActionListWinners(), tracker("which provinces won the award", "award_winners")
    )
    lines = texts(msgs).splitlines()
    assert lines[0].startswith("The Digital Government Awards 2019 winners")
    assert "จังหวัดร้อยเอ็ด" in texts(msgs)
    msgs, _ = run(
        ActionCountWinners(), tracker("were there 10 department awards?", "award_count")
    )
    assert first_line(msgs).startswith("Yes. 10")
    msgs, _ = run(ActionListWinners(), tracker("who won this year", "award_winners"))
    assert first_line(msgs).startswith("Sorry, this service only has")
    assert "this year" not in texts(msgs).splitlines()[1]


def test_an_award_category_in_the_question_is_checked(loaded):
    msgs, _ = run(
        ActionCheckWinner(),
        tracker("กรมวิทยาศาสตร์บริการได้รางวัลระดับกรมใช่ไหม", "award_check"),
    )
    assert first_line(msgs).startswith("ไม่ใช่ค่ะ กรมวิทยาศาสตร์บริการ ไม่ได้รับ")
    msgs, _ = run(
        ActionCheckWinner(), tracker("กฟน.ได้รางวัลยกเลิกสำเนาไหม", "award_check")
    )
    assert first_line(msgs).startswith("ยืนยันไม่ได้ค่ะ")
