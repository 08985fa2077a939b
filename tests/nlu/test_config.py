"""The pipeline in config.yml is the offline Thai pipeline the project promises."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.count_vectors import ThaiCountVectorsFeaturizer
from bot.nlu.thai_tokenizer import ThaiTokenizer

REPO = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))


def components(name: str) -> list[dict]:
    return [c for c in CONFIG["pipeline"] if c["name"].split(".")[-1] == name]


def test_language_and_tokenizer() -> None:
    assert CONFIG["language"] == "th"
    first = CONFIG["pipeline"][0]
    assert first["name"] == "bot.nlu.thai_tokenizer.ThaiTokenizer"
    assert (REPO / first["dictionary_path"]).is_dir()
    assert "th" in ThaiTokenizer.supported_languages()


def test_regex_features_ignore_word_boundaries() -> None:
    (regex,) = components("RegexFeaturizer")
    assert regex["use_word_boundaries"] is False
    for extractor in components("RegexEntityExtractor"):
        assert extractor["use_word_boundaries"] is False


def test_word_and_char_count_vectors() -> None:
    analyzers = {c["analyzer"] for c in components("ThaiCountVectorsFeaturizer")}
    assert analyzers == {"word", "char_wb"}
    assert not components("CountVectorsFeaturizer"), "stock CVF cuts Thai at marks"


def test_offline_components_only() -> None:
    names = {c["name"] for c in CONFIG["pipeline"]}
    assert not names & {
        "LanguageModelFeaturizer",
        "WhitespaceTokenizer",
        "SpacyNLP",
        "MitieNLP",
    }
    assert {
        "bot.nlu.linear_intent.LinearIntentClassifier",
        "CRFEntityExtractor",
        "EntitySynonymMapper",
        "FallbackClassifier",
    } <= names
    (fallback,) = components("FallbackClassifier")
    assert 0 < fallback["threshold"] < 1
    assert 0 < fallback["ambiguity_threshold"] < 1


def test_policies() -> None:
    # every intent has a rule; the short stories are memorised (no TED: it
    # cost most of the training time and decided nothing the stories need)
    assert [p["name"] for p in CONFIG["policies"]] == [
        "RulePolicy",
        "MemoizationPolicy",
    ]


def test_word_counts_keep_thai_tokens_whole(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "1")
    tokenizer = ThaiTokenizer.create(
        {**ThaiTokenizer.get_default_config()}, storage, Resource("t"), context
    )
    featurizer = ThaiCountVectorsFeaturizer.create(
        {**ThaiCountVectorsFeaturizer.get_default_config(), "analyzer": "word"},
        storage,
        Resource("cv"),
        context,
    )
    messages = [
        Message({TEXT: "ได้รางวัลไหม", "intent": "a"}),
        Message({TEXT: "สำนักงานที่ไหน", "intent": "b"}),
    ]
    data = TrainingData(messages)
    tokenizer.process_training_data(data)
    featurizer.train(data)
    vocabulary = set(featurizer.vectorizers[TEXT].vocabulary_)
    assert {"ได้", "รางวัล", "สำนักงาน", "ที่ไหน"} <= vocabulary
