"""The name-resolution rules (bot.content.resolution), on the real content."""

import pytest

from bot.content.importer import load_content
from bot.content.resolution import MAX_SPAN, Name, Resolver, typo_limit


@pytest.fixture(scope="module")
def res():
    b = load_content()
    names = [
        Name(x["key"], alias, kind, x["scan_needs_prefix"])
        for x in b.bodies
        for alias, kind in x["_aliases"]
    ]
    provinces = {x["key"] for x in b.bodies if x["kind"] == "province"}
    return Resolver(names, {a["recipient"] for a in b.awards}, provinces)


def keys(res, text):
    return [(n.key, n.exact) for n in res.named(text)]


@pytest.mark.parametrize(
    "text,key",
    [
        ("การไฟฟ้านครหลวง", "mea"),
        ("กฟน.", "mea"),
        ("กฟน", "mea"),
        ("MEA", "mea"),
        ("ป.ป.ส.", "oncb"),
        ("สำนักงาน ป.ป.ส.", "oncb"),
        ("กรมพัฒน์", "dbd"),
        ("โคราช", "nakhon-ratchasima"),
        ("จังหวัดร้อยเอ็ด", "roi-et"),
        ("การประปานครหลวง", "mwa"),
        ("สำนักงานสถิติแห่งชาติ", "nso"),
    ],
)
def test_whole_names_and_abbreviations(res, text, key):
    found = res.resolve(text)
    assert found is not None and found.key == key and found.exact


def test_typo_of_the_whole_name_only(res):
    typo = res.resolve("กรมพัฒนาธุรกิจการค้")
    assert typo.key == "dbd" and not typo.exact
    assert res.resolve("การประปาส่วนภูมภาค").key == "pwa"
    # abbreviations never match fuzzily: three different bodies
    assert res.resolve("กฟน").key == "mea"
    assert res.resolve("กฟภ").key == "pea"
    assert res.resolve("กปน").key == "mwa"
    assert res.resolve("สปสข") is None
    assert res.resolve("กฟม") is None or res.resolve("กฟม").key not in ("mea", "pea")
    assert typo_limit(5) == 0 and typo_limit(10) == 1 and typo_limit(20) == 2


@pytest.mark.parametrize("text", ["สวัสดีค่ะ", "กรม", "การไฟฟ้า", "xyz", "ประปา"])
def test_no_false_match(res, text):
    assert res.resolve(text) is None


def test_names_in_a_message(res):
    assert keys(res, "NHSO กับ ONCB ได้รางวัลมั้ย") == [("nhso", True), ("oncb", True)]
    assert keys(res, "กฟน. กับ กปภ. ได้รางวัลไหม") == [("mea", True), ("pwa", True)]
    assert keys(res, "กฟน.กับกปภ.ได้ไหม") == [("mea", True), ("pwa", True)]
    assert keys(res, "การไฟฟ้านครหลวงงได้รางวัลไหม") == [("mea", False)]
    assert keys(res, "ไม่เคยไปเลยค่ะ") == []  # เลย only counts after จังหวัด
    assert keys(res, "จังหวัดเลยได้รางวัลไหม") == [("loei", True)]
    assert keys(res, "ตากได้รางวัลไหม") == [("tak", True)]
    assert keys(res, "measure the time") == []  # latin names need word boundaries


def test_abbreviations_stand_alone(res):
    # สบน (a winner's abbreviation) inside ประสบน้ำท่วม names nobody
    assert keys(res, "ประสบน้ำท่วมได้รับความช่วยเหลือไหม") == []
    assert keys(res, "สปสชได้รางวัลไหม") == [("nhso", True)]


def test_a_name_inside_a_longer_name_is_not_that_name(res):
    names = [n for n in res.named("มหาวิทยาลัยราชภัฏเพชรบูรณ์ได้รางวัลไหม")]
    assert all(n.key != "phetchabun" for n in names)
    assert all(n.key != "lamphun" for n in res.named("อบจ.ลำพูนได้รางวัลไหม"))
    assert all(n.key != "dbd" for n in res.named("กรมพัฒน์ที่ดินได้รางวัลไหม"))
    # a winner's name run into a province is neither of them: not on the list
    assert keys(res, "กรมพัฒนาธุรกิจการค้าจังหวัดลำพูนได้ไหม") == [(None, False)]


def test_unknown_names_are_reported_with_the_citizens_words(res):
    found = res.named("ยายอยากทราบว่ากรมส่งเสริมการเลี้ยงไหมแห่งชาติได้รางวัลไหม")
    assert [n.key for n in found] == [None]
    assert found[0].span.startswith("กรมส่งเสริมการเลี้ยง")
    long = "กรม" + "ก" * 200
    assert len(res.named(long + "ได้รางวัลไหม")[0].span) <= MAX_SPAN


def test_hints_from_the_model_become_candidates(res):
    text = "NSOX ได้รางวัลไหม"
    assert [n.key for n in res.named(text, hints=[(0, 4)])] == [None]
    assert res.named(text, hints=[(0, 4)])[0].span == "NSOX"


def test_and_joins_two_names_only_when_a_name_follows(res):
    # "สำนักงานบริหารหนี้สาธารณะและการคลัง" is one (unknown) name, not PDMO
    assert keys(res, "สำนักงานบริหารหนี้สาธารณะและการคลังได้รางวัลไหม") == [(None, False)]
    assert keys(res, "สปสช.และกรมที่ดินได้รางวัลไหม") == [
        ("nhso", True),
        ("dol", True),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "สาธารณสุขจังหวัดร้อยเอ็ด",
        "ตำรวจภูธรจังหวัดลำพูน",
        "ด่านศุลกากรระนอง",
        "ร้านอาหารเพชรบูรณ์",
        "บริษัท ลำพูน จำกัด",
        "ทีมร้อยเอ็ด",
        "สสจ.อุตรดิตถ์",
        "สสจ อุตรดิตถ์",
        "มทบ.อุตรดิตถ์",
        "สหกรณ์ออมทรัพย์การไฟฟ้านครหลวง",
        "มูลนิธิกรมพัฒนาธุรกิจการค้า",
        "กองทุนบำเหน็จบำนาญข้าราชการกรุงเทพมหานคร",
        "Local Government Pension Fund",
        "กรมพัฒนา",
    ],
)
def test_a_winners_name_inside_an_organisation_names_nobody(res, name):
    """Found by review: offices, shops, teams and funds that carry a winning
    province's or body's name are not that winner."""
    winners = {"roi-et", "lamphun", "ranong", "phetchabun", "uttaradit", "mea"}
    winners |= {"dbd", "gpf"}
    for text in (f"{name}ได้รางวัลไหม", f"แล้ว{name}ล่ะ"):
        assert not [n.key for n in res.named(text) if n.key in winners], text
