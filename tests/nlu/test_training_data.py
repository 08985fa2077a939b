"""Every entity annotation falls on token boundaries of the project tokenizer.

Rasa silently drops an entity whose span cuts a token, so a new alias in the
content (which feeds the tokenizer's dictionary) could quietly break training
examples. This test names every such example.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.thai_tokenizer import ThaiTokenizer, read_dictionary

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "data" / "nlu", REPO / "tests" / "nlu_heldout" / "heldout.yml"]


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> ThaiTokenizer:
    return ThaiTokenizer(
        ThaiTokenizer.get_default_config(),
        LocalModelStorage(tmp_path_factory.mktemp("storage")),
        Resource("tokenizer"),
        read_dictionary(str(REPO / "bot" / "nlu" / "dictionary")),
    )


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_entities_fall_on_token_boundaries(
    tokenizer: ThaiTokenizer, source: Path
) -> None:
    misaligned = []
    for message in load_data(str(source)).intent_examples:
        tokens = tokenizer.tokenize_text(message.get("text"))
        starts = {token.start for token in tokens}
        ends = {token.end for token in tokens}
        for entity in message.get("entities") or []:
            if entity["start"] not in starts or entity["end"] not in ends:
                misaligned.append(
                    f"{message.get('text')!r}: {entity['entity']} "
                    f"{message.get('text')[entity['start'] : entity['end']]!r} "
                    f"vs tokens {[t.text for t in tokens]}"
                )
    assert not misaligned, "\n".join(misaligned)


def test_heldout_is_never_trained_on() -> None:
    train = {m.get("text").strip() for m in load_data(str(SOURCES[0])).intent_examples}
    heldout = {
        m.get("text").strip() for m in load_data(str(SOURCES[1])).intent_examples
    }
    assert not train & heldout


def test_no_example_under_two_intents() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for message in load_data(str(SOURCES[0])).intent_examples:
        text = message.get("text").strip()
        intent = message.get("intent")
        if seen.setdefault(text, intent) != intent:
            clashes.append(f"{text!r}: {seen[text]} / {intent}")
    assert not clashes, "\n".join(clashes)


def test_every_button_the_bot_offers_is_a_training_example() -> None:
    """A citizen who taps a button must be understood: every Thai payload the
    bot sends (answers.yml, domain responses, the topic buttons, award and
    licence replies) is an example of some intent."""
    from bot.replies import phrases
    from bot.replies.awards import LIST_ALL, _list_buttons, ask_body

    trained = {
        m.get("text").strip() for m in load_data(str(SOURCES[0])).intent_examples
    }
    answers = yaml.safe_load(
        (REPO / "data/content/answers.yml").read_text(encoding="utf-8")
    )["answers"]
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    payloads = {b["payload"] for a in answers.values() for b in a.get("buttons") or []}
    payloads |= {
        b["payload"]
        for rs in domain["responses"].values()
        for r in rs
        for b in r.get("buttons") or []
    }
    payloads |= {b["payload"] for b in phrases.HELP_BUTTONS + ask_body().buttons}
    payloads |= {b["payload"] for b in _list_buttons(None)} | {LIST_ALL}
    missing = sorted(
        p for p in payloads if p not in trained and p not in ("ใช่", "ไม่ใช่")
    )
    assert not missing, missing
