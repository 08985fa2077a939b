import yaml

from bot import settings
from bot.content import nlu_export
from bot.content.importer import load_content


def test_deterministic():
    b = load_content()
    assert nlu_export.render_lookups(b) == nlu_export.render_lookups(load_content())
    assert nlu_export.render_custom_words(b) == nlu_export.render_custom_words(b)


def test_committed_files_up_to_date():
    assert nlu_export.stale_files() == [], "run: python -m bot.content.nlu_export"


def test_content_of_lookups():
    data = yaml.safe_load(settings.GENERATED_LOOKUPS.read_text(encoding="utf-8"))
    lookups = {x["lookup"]: x["examples"] for x in data["nlu"] if "lookup" in x}
    assert set(lookups) == {"body", "province", "business_type", "document_type"}
    assert "- กฟน." in lookups["body"] and "- โคราช" in lookups["province"]
    syn = {x["synonym"]: x["examples"] for x in data["nlu"] if "synonym" in x}
    assert "- กฟน" in syn["การไฟฟ้านครหลวง"] and "- MEA" in syn["การไฟฟ้านครหลวง"]
    assert "- กทม." in syn["กรุงเทพมหานคร"]
    words = settings.CUSTOM_WORDS.read_text(encoding="utf-8").splitlines()
    assert words == sorted(words) and "ป.ป.ส." in words and "ปปส" in words
