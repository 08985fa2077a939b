"""Tokens and their offsets from the Thai tokenizer, on raw text."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.thai_tokenizer import ThaiTokenizer, read_dictionary

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def make_tokenizer(storage: LocalModelStorage, dictionary: str | None) -> ThaiTokenizer:
    config = {**ThaiTokenizer.get_default_config(), "dictionary_path": dictionary}
    return ThaiTokenizer.create(
        config, storage, Resource("tok"), ExecutionContext(GraphSchema({}), "1")
    )


@pytest.fixture()
def tokenizer(storage: LocalModelStorage, tmp_path: Path) -> ThaiTokenizer:
    words = tmp_path / "words.txt"
    words.write_text("# comment\nกฟน.\nป.ป.ส.\nสปสช.\nBiz Portal\n", encoding="utf-8")
    return make_tokenizer(storage, str(words))


def texts_and_offsets(
    tokenizer: ThaiTokenizer, text: str
) -> list[tuple[str, int, int]]:
    tokens = tokenizer.tokenize(Message({TEXT: text}), TEXT)
    for token in tokens:
        # Offsets always point at the token's own text in the raw message.
        assert text[token.start : token.end] == token.text
    return [(t.text, t.start, t.end) for t in tokens]


def test_keeps_dictionary_terms_whole(tokenizer: ThaiTokenizer) -> None:
    assert texts_and_offsets(tokenizer, "กฟน.ได้รางวัลไหม") == [
        ("กฟน.", 0, 4),
        ("ได้", 4, 7),
        ("รางวัล", 7, 13),
        ("ไหม", 13, 16),
    ]
    assert [t for t, _, _ in texts_and_offsets(tokenizer, "สำนักงานป.ป.ส.")] == [
        "สำนักงาน",
        "ป.ป.ส.",
    ]


def test_mixed_thai_english_and_stray_spaces(tokenizer: ThaiTokenizer) -> None:
    text = "  Biz Portal  คืออะไร ครับ"
    assert texts_and_offsets(tokenizer, text) == [
        ("Biz Portal", 2, 12),
        ("คือ", 14, 17),
        ("อะไร", 17, 21),
        ("ครับ", 22, 26),
    ]


def test_thai_and_arabic_digits(tokenizer: ThaiTokenizer) -> None:
    tokens = texts_and_offsets(tokenizer, "ปี๒๕๖๒ได้ 10 รางวัล")
    assert ("๒๕๖๒", 2, 6) in tokens
    assert ("10", 10, 12) in tokens


def test_punctuation_and_emoji_are_separate_tokens(tokenizer: ThaiTokenizer) -> None:
    tokens = [t for t, _, _ in texts_and_offsets(tokenizer, "ขอบคุณ!!😀ครับ?")]
    assert tokens == ["ขอบคุณ", "!", "!", "😀", "ครับ", "?"]


def test_zero_width_space_separates_and_is_never_a_token(
    tokenizer: ThaiTokenizer,
) -> None:
    text = "สวัสดี\u200bครับ\u200b"
    tokens = texts_and_offsets(tokenizer, text)
    assert tokens == [("สวัสดี", 0, 6), ("ครับ", 7, 11)]


def test_repeated_letters_keep_exact_offsets(tokenizer: ThaiTokenizer) -> None:
    tokens = texts_and_offsets(tokenizer, "ดีมากกกกก 555")
    assert "".join(t for t, _, _ in tokens) == "ดีมากกกกก555"
    assert tokens[-1] == ("555", 10, 13)


def test_never_changes_the_text(tokenizer: ThaiTokenizer) -> None:
    text = " ยกเลิก\tสำเนา\n บัตร ปชช. 😀 "
    message = Message({TEXT: text})
    tokenizer.process([message])
    assert message.get(TEXT) == text


def test_dictionary_survives_persist_and_load(
    storage: LocalModelStorage, tokenizer: ThaiTokenizer
) -> None:
    tokenizer.train(TrainingData([Message({TEXT: "สวัสดี"})]))
    loaded = ThaiTokenizer.load(
        tokenizer._config,  # noqa: SLF001 - same config as trained with
        storage,
        Resource("tok"),
        ExecutionContext(GraphSchema({}), "1"),
    )
    assert loaded.custom_words == tokenizer.custom_words
    assert [t.text for t in loaded.tokenize(Message({TEXT: "สปสช.ไหม"}), TEXT)] == [
        "สปสช.",
        "ไหม",
    ]


def test_fingerprint_follows_dictionary_content(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("กฟน.\n", encoding="utf-8")
    before = ThaiTokenizer.fingerprint_addon({"dictionary_path": str(words)})
    words.write_text("กฟน.\nกปภ.\n", encoding="utf-8")
    assert ThaiTokenizer.fingerprint_addon({"dictionary_path": str(words)}) != before


def test_project_dictionary_folder_is_read() -> None:
    words = read_dictionary(str(REPO / "bot" / "nlu" / "dictionary"))
    assert "Biz Portal" in words
    assert not any(word.startswith("#") for word in words)


def test_domain_term_is_repaired_when_newmm_splits_it_across_a_word(
    storage: LocalModelStorage, tmp_path: Path
) -> None:
    words = tmp_path / "words.txt"
    words.write_text("เชียงราย\nบัตรประชาชน\nซีร็อกซ์บัตร\n", encoding="utf-8")
    tokenizer = make_tokenizer(storage, str(words))
    # newmm alone may give "เชียง" + "รายได้" (a tie it breaks either way).
    assert [t for t, _, _ in texts_and_offsets(tokenizer, "เชียงรายได้รางวัลไหม")][:2] == [
        "เชียงราย",
        "ได้",
    ]
    # A repair never cuts another domain term.
    tokens = [t for t, _, _ in texts_and_offsets(tokenizer, "ขอซีร็อกซ์บัตรประชาชน")]
    assert "ซีร็อกซ์บัตร" in tokens or "บัตรประชาชน" in tokens
