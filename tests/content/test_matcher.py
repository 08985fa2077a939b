"""NameMatcher (business and document types) and the shared normalisation.
Bodies and provinces are resolved in bot.content.resolution (test_resolution)."""

import pytest

from bot.content.matcher import NameMatcher, normalise


@pytest.fixture(scope="module")
def m():
    return NameMatcher.from_pairs(
        [
            ("restaurant", "ร้านอาหาร"),
            ("restaurant", "restaurant"),
            ("cafe", "ร้านกาแฟ"),
            ("cafe", "คาเฟ่"),
            ("hotel", "โรงแรมและรีสอร์ทขนาดเล็ก"),
        ]
    )


def test_normalise():
    assert normalise(" ป.ป.ส. ") == "ปปส"
    assert normalise("MEA") == "mea"
    assert normalise("กฟน\u200b.") == "กฟน"
    assert normalise("๒๕๖๒") == "2562"
    assert normalise("กรุงเทพฯ") == "กรุงเทพ"
    assert normalise("น\u0e4d\u0e32") == "นำ"


def test_exact_and_typo(m):
    assert m.resolve("ร้านกาแฟ").body_key == "cafe"
    assert m.resolve("Restaurant").body_key == "restaurant"
    typo = m.resolve("โรงแรมและรีสอทขนาดเล็ก")
    assert typo.body_key == "hotel" and not typo.exact
    assert m.resolve("ร้านตัดผม") is None


def test_find_mentions(m):
    keys = lambda t: [x.body_key for x in m.find_mentions(t)]  # noqa: E731
    assert keys("จะเปิดร้านอาหารกับคาเฟ่ต้องขออะไร") == ["restaurant", "cafe"]
    assert keys("restaurants are nice") == []  # latin aliases need word boundaries
