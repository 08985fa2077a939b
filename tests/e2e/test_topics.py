"""Questions on every topic through the running bot (REST channel, actions and
service database included): correct Thai answers with their sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.support.servers import Servers

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "data" / "content"
# a source line, or the official page shown instead of an unofficial source
SOURCE = re.compile(r"(ที่มา:|ตรวจสอบ/ยื่นคำขอได้ที่|ข้อมูลโครงการจาก สพร.:) https://\S+")
YES = "ใช่ค่ะ "  # a yes/no question about a winner: yes first
EVENT = "Digital Government Awards 2019 (ปี 2562)"
NOT_LISTED = "ไม่อยู่ในรายชื่อ"


def won(reply: str, name: str) -> bool:
    """The reply says yes for ``name`` first, and names the event."""
    return reply.startswith(YES + name + " ได้รับ") and EVENT in reply


def joined(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def load(name: str) -> dict | list:
    return yaml.safe_load((CONTENT / name).read_text(encoding="utf-8"))


def winners() -> dict[str, set[str]]:
    """Recipient keys per award category, straight from the content file."""
    awards = load("awards.yml")
    rows = awards["awards"] if isinstance(awards, dict) else awards
    result: dict[str, set[str]] = {}
    for row in rows:
        result.setdefault(row["category"], set()).add(row["recipient"])
    return result


def test_department_winners_then_province_follow_up(servers: Servers) -> None:
    first = joined(servers.chat("t-list", "ใครได้รางวัลรัฐบาลดิจิทัลระดับกรมบ้างคะ"))
    for name in ["กรมพัฒนาธุรกิจการค้า", "การไฟฟ้านครหลวง", "การประปาส่วนภูมิภาค"]:
        assert name in first
    assert SOURCE.search(first)
    follow = joined(servers.chat("t-list", "แล้วระดับจังหวัดล่ะ"))
    for province in ["ร้อยเอ็ด", "ลำพูน", "ระนอง", "เพชรบูรณ์", "อุตรดิตถ์"]:
        assert province in follow
    assert "กรมพัฒนาธุรกิจการค้า" not in follow


def test_follow_up_about_another_body(servers: Servers) -> None:
    first = joined(servers.chat("t-body", "กปภ.ได้รางวัลไหมครับ"))
    assert won(first, "การประปาส่วนภูมิภาค")
    follow = joined(servers.chat("t-body", "แล้ว กฟน. ล่ะ"))
    assert won(follow, "การไฟฟ้านครหลวง")


def test_near_miss_name_is_not_a_winner_and_gets_a_suggestion(
    servers: Servers,
) -> None:
    reply = joined(servers.chat("t-near", "การประปานครหลวงได้รางวัลด้วยรึเปล่า"))
    assert reply.startswith("ไม่ใช่ค่ะ การประปานครหลวง " + NOT_LISTED)
    assert not reply.startswith("ใช่")
    assert "หมายถึง การประปาส่วนภูมิภาค หรือไม่" in reply
    confirmed = joined(servers.chat("t-near", "ใช่ค่ะ"))
    assert won(confirmed, "การประปาส่วนภูมิภาค")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("สปสชได้รางวัลป่าวคะ", "สำนักงานหลักประกันสุขภาพแห่งชาติ"),
        ("ป.ป.ส. ได้รางวัลไหม", "สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด"),
        ("MEA ได้ DG Awards 2019 มั้ย", "การไฟฟ้านครหลวง"),
    ],
)
def test_abbreviations_resolve_to_the_winner(
    servers: Servers, question: str, expected: str
) -> None:
    reply = joined(servers.chat(f"t-abbr-{expected}", question))
    assert won(reply, expected)


def test_no_non_winner_is_ever_answered_as_a_winner(servers: Servers) -> None:
    won = set().union(*winners().values())
    bodies = load("bodies.yml")
    provinces = load("provinces.yml")
    body_rows = bodies["bodies"] if isinstance(bodies, dict) else bodies
    province_rows = provinces["provinces"] if isinstance(provinces, dict) else provinces
    questions = [
        f"{r['name_th']}ได้รางวัลรัฐบาลดิจิทัลไหม" for r in body_rows if r["key"] not in won
    ] + [
        f"จังหวัด{r['name_th']}ได้รางวัลไหมคะ" for r in province_rows if r["key"] not in won
    ]
    assert len(questions) > 80
    claimed, misrouted = [], []
    for index, question in enumerate(questions):
        reply = joined(servers.chat(f"t-loser-{index}", question))
        if reply.startswith("ใช่"):
            claimed.append(f"{question} -> {reply[:120]}")
        elif NOT_LISTED not in reply:
            misrouted.append(f"{question} -> {reply[:120]}")
    # The promise: a body or province that did not win is never a winner.
    assert not claimed, "\n".join(claimed)
    # Nearly all get the explicit "not in the list" answer; a rare NLU
    # misroute (e.g. DGA's own full name read as "what is DGA") is tolerated.
    assert len(misrouted) <= len(questions) // 20, "\n".join(misrouted)


def test_count_with_thai_digits(servers: Servers) -> None:
    reply = joined(servers.chat("t-count", "รางวัลปี ๒๕๖๒ มีทั้งหมดกี่รางวัล"))
    # the counts themselves, not digits that happen to be in a source URL
    for number in ("10", "5", "60"):
        assert f": {number} รางวัล" in reply
    assert "รวม 75 รางวัล" in reply
    assert SOURCE.search(reply)


@pytest.mark.parametrize(
    ("question", "must_contain"),
    [
        ("ติดต่อราชการต้องเอาอะไรไปแทนสำเนาบัตรประชาชน", "ตัวจริง"),
        ("เจ้าหน้าที่ยังขอสำเนาอยู่ ทำไงดีคะ", "1111"),
        ("มอบอำนาจยังต้องใช้สำเนาบัตรไหม", "มอบอำนาจ"),
        ("No Copy เริ่มตั้งแต่เมื่อไหร่ ใช้กฎหมายอะไร", "2561"),
        ("Biz Portal คืออะไรครับ", "bizportal.go.th"),
        ("ขอใบอนุญาตผ่าน biz portal ต้องทำยังไงบ้าง", "Digital ID"),
        ("ติดต่อเจ้าหน้าที่ bizportal เบอร์อะไร", "02-612-6060"),
        ("DGA คือหน่วยงานอะไร", "สำนักงานพัฒนารัฐบาลดิจิทัล"),
        ("พ.ร.บ.รัฐบาลดิจิทัลมีผลบังคับใช้วันไหน", "23"),
        ("งานมอบรางวัลจัดที่ไหน", "ทำเนียบรัฐบาล"),
    ],
)
def test_fact_answers_are_correct_thai_with_sources(
    servers: Servers, question: str, must_contain: str
) -> None:
    reply = joined(servers.chat(f"t-fact-{question}", question))
    assert must_contain in reply, reply
    assert SOURCE.search(reply), reply


def test_licences_for_a_business_type_and_follow_up(servers: Servers) -> None:
    food = joined(servers.chat("t-lic", "อยากเปิดร้านอาหาร ต้องขอใบอนุญาตอะไรบ้าง"))
    assert "สถานที่จำหน่ายหรือสะสมอาหาร" in food
    assert SOURCE.search(food)
    hotel = joined(servers.chat("t-lic", "แล้วโรงแรมล่ะคะ"))
    assert "ใบอนุญาตประกอบธุรกิจโรงแรม" in hotel


def test_missing_entity_is_asked_for(servers: Servers) -> None:
    reply = joined(servers.chat("t-missing", "หน่วยงานนี้ได้รางวัลไหมคะ"))
    assert not reply.startswith("ใช่") and NOT_LISTED not in reply
    assert reply.startswith("อยากให้ตรวจสอบหน่วยงานหรือจังหวัดไหนคะ"), reply


def test_content_edit_shows_in_the_next_answer_without_restart(
    servers: Servers,
) -> None:
    engine = create_engine(servers.env["DATABASE_URL"], future=True)
    with engine.begin() as connection:
        original = connection.execute(
            text("SELECT text_th FROM answers WHERE key = 'bizportal_contact'")
        ).scalar_one()
        connection.execute(
            text("UPDATE answers SET text_th = :t WHERE key = 'bizportal_contact'"),
            {"t": "ทดสอบแก้ไข: โทร 02-000-0000 ค่ะ"},
        )
    try:
        reply = joined(servers.chat("t-edit", "ติดต่อเจ้าหน้าที่ bizportal เบอร์อะไร"))
        assert "ทดสอบแก้ไข: โทร 02-000-0000" in reply
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE answers SET text_th = :t WHERE key = 'bizportal_contact'"),
                {"t": original},
            )
        engine.dispose()
