import pytest

from bot.content.matcher import NameMatcher, normalise


@pytest.fixture(scope="module")
def m():
    return NameMatcher.from_content()


def test_normalise():
    assert normalise(" ป.ป.ส. ") == "ปปส"
    assert normalise("MEA") == "mea"
    assert normalise("กฟน\u200b.") == "กฟน"
    assert normalise("๒๕๖๒") == "2562"
    assert normalise("กรุงเทพฯ") == "กรุงเทพ"
    assert normalise("น\u0e4d\u0e32") == "นำ"


@pytest.mark.parametrize(
    "text,key",
    [
        ("การไฟฟ้านครหลวง", "mea"),
        ("กฟน.", "mea"),
        ("กฟน", "mea"),
        ("MEA", "mea"),
        ("ป.ป.ส.", "oncb"),
        ("ปปส", "oncb"),
        ("สำนักงาน ป.ป.ส.", "oncb"),
        ("สปสช.", "nhso"),
        ("กรมพัฒน์", "dbd"),
        ("dbd", "dbd"),
        ("โคราช", "nakhon-ratchasima"),
        ("กทม.", "bangkok"),
        ("จังหวัดร้อยเอ็ด", "roi-et"),
        ("การประปานครหลวง", "mwa"),
    ],
)
def test_exact(m, text, key):
    r = m.resolve(text)
    assert r is not None and r.body_key == key and r.exact


@pytest.mark.parametrize(
    "text,key",
    [
        ("การไฟฟ้านครหลวงง", "mea"),
        ("สปสข", "nhso"),
        ("กรมพัฒนาธุรกิจการค้", "dbd"),
        ("การประปาส่วนภูมภาค", "pwa"),
    ],
)
def test_fuzzy_typos(m, text, key):
    r = m.resolve(text)
    assert r is not None and r.body_key == key and not r.exact and r.score >= 0.75


@pytest.mark.parametrize("text", ["สวัสดีค่ะ", "กรม", "การไฟฟ้า", "xyz", "ประปา"])
def test_no_false_match(m, text):
    assert m.resolve(text) is None


def test_near_miss_stays_non_winner(m):
    assert m.resolve("การประปานครหลวง").body_key == "mwa"
    assert m.resolve("กปน.").body_key == "mwa"


def test_find_mentions(m):
    keys = lambda t: [x.body_key for x in m.find_mentions(t)]  # noqa: E731
    assert keys("การไฟฟ้านครหลวงได้รางวัลไหม") == ["mea"]
    assert keys("กฟน. กับ กปภ. ได้รางวัลไหม") == ["mea", "pwa"]
    assert keys("การไฟฟ้านครหลวงงได้รางวัลไหม") == ["mea"]
    assert keys("สปสข ได้รางวัลไหม") == ["nhso"]
    assert keys("ไม่เคยไปเลยค่ะ") == []  # เลย only counts after จังหวัด
    assert keys("จังหวัดเลยได้รางวัลไหม") == ["loei"]
    assert keys("measure the time") == []  # latin aliases need word boundaries
    assert keys("จังหวัดเชียงใหม่ล่ะ") == ["chiang-mai"]
