"""Reading the kind of question (bot/question.py) and follow-up cues
(bot/followups.py)."""

import pytest

from bot import followups, question
from bot.channels.hygiene import clean_incoming


@pytest.mark.parametrize(
    "text,form",
    [
        ("กฟน.ได้รางวัลไหม", question.YES_NO),
        ("ต้องใช้สำเนาบัตรประชาชนหรือเปล่าคะ", question.YES_NO),
        ("ลำพูนได้รางวัลอะไร", question.WHAT),
        ("ใครได้รางวัลบ้าง", question.WHAT),
        ("ได้รางวัลอะไรไหม", question.YES_NO),
        ("Did MEA win an award?", question.YES_NO),
        ("Which provinces won?", question.WHAT),
        ("แล้ว กฟน. ล่ะ", question.STATEMENT),
    ],
)
def test_form(text, form):
    assert question.form(text) == form


def test_english():
    assert question.is_english("Do I still need a copy of my ID card?")
    assert not question.is_english("ต้องใช้สำเนา ID card ไหม")


@pytest.mark.parametrize(
    "text,asked",
    [
        ("ปีนี้ใครได้รางวัล", "ปีนี้"),
        ("รางวัลปี 2566 มีใครบ้าง", "ปี 2566"),
        ("รางวัลปี ๒๕๖๕", "ปี 2565"),
        ("แล้วปี 63 ล่ะ", "ปี 2563"),
        ("who won in 2020", "ปี 2020"),
        ("รางวัลปี 62 มีใครบ้าง", None),
        ("Digital Government Awards 2019", None),
        ("ใครได้รางวัลบ้าง", None),
    ],
)
def test_other_year(text, asked):
    assert question.other_year(text) == asked


def test_a_long_message_is_read_for_its_question():
    story = (
        "สวัสดีค่ะ ยายอายุเจ็ดสิบห้าแล้วนะคะ พิมพ์ช้าหน่อยนะลูก ลูกหลานไปทำงานกรุงเทพกันหมด "
        "หลานคนเล็กทำงานอยู่ที่การไฟฟ้านครหลวงค่ะ เมื่อวานดูข่าวว่ามีการมอบรางวัลกันที่ทำเนียบ "
        "ยายเลยอยากรู้ว่า การไฟฟ้านครหลวงได้รางวัลด้วยไหมคะ ขอบคุณมากนะคะลูก"
    )
    result = clean_incoming(story)
    assert result.text.endswith("การไฟฟ้านครหลวงได้รางวัลด้วยไหมคะ")
    assert len(result.text) < 120 and result.full_text == story
    assert result.metadata({"a": 1}) == {"a": 1, "full_text": story}
    # pasted news: a line break ends the news before the question
    news = "หน่วยงานที่ได้รับโล่ ได้แก่ " + "กรมพัฒนาธุรกิจการค้า " * 8 + "\nกรมการปกครองได้ด้วยไหมคะ"
    assert clean_incoming(news).text == "กรมการปกครองได้ด้วยไหมคะ"
    short = clean_incoming("กฟน.ได้รางวัลไหม")
    assert short.text == "กฟน.ได้รางวัลไหม" and short.full_text is None


def test_channel_normalises_thai_digits_and_sara_am():
    assert clean_incoming("รางวัลปี ๒๕๖๒ มีกี่รางวัล").text == "รางวัลปี 2562 มีกี่รางวัล"
    assert clean_incoming("เชคสถานะค\u0e4d\u0e32ขอ").text == "เชคสถานะคำขอ"


@pytest.mark.parametrize(
    "topic,text,key",
    [
        ("nocopy", "แล้วถ้ามอบอำนาจล่ะ", "nocopy_exceptions"),
        ("nocopy", "แล้วถ้าให้หลานไปทำแทนล่ะจ๊ะ", "nocopy_exceptions"),
        ("nocopy", "แล้วถ้าเป็นนิติบุคคลล่ะ", "nocopy_what"),
        ("nocopy", "ค่าถ่ายเอกสารใครจ่าย", "nocopy_who_pays"),
        ("nocopy", "แล้วไงต่อ", "nocopy_what"),
        ("bizportal", "ติดตามสถานะยังไง", "bizportal_tracking"),
        ("bizportal", "ใครดูแลระบบนี้", "bizportal_what"),
    ],
)
def test_follow_up_cues(topic, text, key):
    assert followups.answer_for(topic, text) == key


def test_refine_keeps_the_models_answer_without_a_specific_cue():
    assert followups.refine("nocopy_what", "No Copy คืออะไร") == "nocopy_what"
    assert followups.refine("nocopy_what_to_bring", "ให้ลูกไปแทนต้องใช้อะไร") == (
        "nocopy_exceptions"
    )
    assert followups.refine("ask_dga", "มอบอำนาจ") == "ask_dga"
    assert followups.cue("nocopy", "สวัสดีค่ะ") is None
