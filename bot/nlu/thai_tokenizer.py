"""Thai word tokenizer for Rasa 3, built on pythainlp's newmm engine.

Written the way ``rasa/nlu/tokenizers/jieba_tokenizer.py`` is written: a
trainable ``MESSAGE_TOKENIZER`` component that copies its custom dictionary
into the model storage, so a trained model needs nothing but itself.

The tokenizer never changes the text. Every token's ``start``/``end`` are
offsets into the raw message; whitespace and zero-width characters separate
tokens and are never tokens themselves.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

THAI_BLOCK = "\u0e00-\u0e7f"
# Characters that separate tokens but are never part of one.
INVISIBLE = "\u200b-\u200f\u2060\ufeff\ufe0f"
# A run of letters/digits (Latin, Thai, Thai digits, Thai combining marks),
# or one other visible character (punctuation, emoji, symbols).
_PIECE = re.compile(rf"[\w{THAI_BLOCK}]+|[^\s\w{THAI_BLOCK}{INVISIBLE}]")


def read_dictionary(path: Optional[Text]) -> FrozenSet[Text]:
    """Reads custom words: one per line, from a ``.txt`` file or every ``.txt``
    file in a folder. Blank lines and lines starting with ``#`` are skipped."""
    if not path:
        return frozenset()
    location = Path(path)
    files = sorted(location.glob("*.txt")) if location.is_dir() else [location]
    words = set()
    for file in files:
        if not file.exists():
            logger.warning(
                f"Thai dictionary file '{file}' not found; domain terms may be "
                f"split. Run `python -m bot.content.nlu_export` to create it."
            )
            continue
        for line in file.read_text(encoding="utf-8").splitlines():
            word = line.strip()
            if word and not word.startswith("#"):
                words.add(word)
    return frozenset(words)


def split_pieces(text: Text, start: int) -> List[Token]:
    """Splits one newmm segment into visible pieces with raw-text offsets."""
    return [
        Token(match.group(), start + match.start()) for match in _PIECE.finditer(text)
    ]


def build_custom_pattern(words: Iterable[Text]) -> Optional["re.Pattern[str]"]:
    """One regex for all domain terms, longest first. Latin-only terms must
    stand alone ("MEA" is not cut out of "MEASURE"); Thai has no spaces, so
    Thai terms match anywhere."""
    alternatives = []
    for word in sorted(words, key=lambda w: (-len(w), w)):
        escaped = re.escape(word)
        if word.isascii():
            escaped = rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])"
        alternatives.append(escaped)
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class ThaiTokenizer(Tokenizer):
    """Tokenizes Thai (and mixed Thai/English) text with pythainlp newmm."""

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Supported languages (see parent class for full docstring)."""
        return ["th"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns default config (see parent class for full docstring)."""
        return {
            # A .txt file or a folder of .txt files: one domain term per line.
            "dictionary_path": None,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        """Any extra python dependencies required for this component to run."""
        return ["pythainlp"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        custom_words: Iterable[Text] = (),
    ) -> None:
        """Initialises the tokenizer with the given custom words."""
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self.custom_words = frozenset(custom_words)
        self._trie = self._build_trie(self.custom_words)
        self._custom_pattern = build_custom_pattern(self.custom_words)

    @staticmethod
    @functools.lru_cache(maxsize=2)
    def _build_trie(custom_words: FrozenSet[Text]) -> Any:
        """pythainlp's word list plus `custom_words`, as newmm's Trie. Built
        once per process for the same words (~2 s): training creates the
        component and then loads it, and a new model swapped into the
        running bot usually has the same dictionary. newmm only reads it."""
        from pythainlp.corpus import thai_words
        from pythainlp.util import Trie

        return Trie(set(thai_words()) | set(custom_words))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ThaiTokenizer:
        """Creates a new component (see parent class for full docstring)."""
        words = read_dictionary(config.get("dictionary_path"))
        return cls(config, model_storage, resource, words)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrains when the dictionary's content changes, not only its path."""
        words = read_dictionary(config.get("dictionary_path"))
        return hashlib.sha256("\n".join(sorted(words)).encode("utf-8")).hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        """Copies the custom dictionary to the model storage."""
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Stores the custom words as one file in the model storage."""
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / "custom_words.txt").write_text(
                "\n".join(sorted(self.custom_words)), encoding="utf-8"
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ThaiTokenizer:
        """Loads the custom dictionary from the model storage."""
        words: FrozenSet[Text] = frozenset()
        try:
            with model_storage.read_from(resource) as directory:
                words = read_dictionary(str(Path(directory) / "custom_words.txt"))
        except ValueError:
            logger.debug(
                f"Resource '{resource.name}' not in the model storage; "
                f"{cls.__name__} runs without custom words."
            )
        return cls(config, model_storage, resource, words)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenizes the text of the provided attribute of the incoming message."""
        text = message.get(attribute)
        return self._apply_token_pattern(self.tokenize_text(text))

    def tokenize_text(self, text: Text) -> List[Token]:
        """Splits raw text into tokens whose offsets point into that text.

        newmm breaks ties between equally short segmentations arbitrarily, so
        "เชียงรายได้" may come out as "เชียง" + "รายได้". A domain term that
        starts at a token but ends inside another is therefore repaired:
        the term becomes one token and the rest is segmented again, unless
        the tokens it would cut are domain terms themselves.
        """
        tokens = self._segment(text, 0)
        if self._custom_pattern is None:
            return tokens
        repaired: List[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            match = self._custom_pattern.match(text, token.start)
            if match is None or match.end() <= token.end:
                repaired.append(token)
                index += 1
                continue
            last = index
            while last + 1 < len(tokens) and tokens[last + 1].start < match.end():
                last += 1
            cut = tokens[index : last + 1]
            if tokens[last].end == match.end() or any(
                t.text in self.custom_words for t in cut
            ):
                # Already whole (spans several tokens exactly), or it would
                # cut another domain term: keep newmm's tokens.
                if tokens[last].end == match.end():
                    repaired.append(Token(match.group(), match.start()))
                    index = last + 1
                else:
                    repaired.append(token)
                    index += 1
                continue
            repaired.append(Token(match.group(), match.start()))
            rest = text[match.end() : tokens[last].end]
            repaired.extend(self._segment(rest, match.end()))
            index = last + 1
        return repaired

    def _segment(self, text: Text, start: int) -> List[Token]:
        """newmm segmentation of a stretch of text that starts at ``start``."""
        from pythainlp.tokenize import word_tokenize

        if not text:
            return []
        segments = word_tokenize(
            text, custom_dict=self._trie, engine="newmm", keep_whitespace=True
        )
        tokens: List[Token] = []
        offset = 0
        for segment in segments:
            # newmm returns segments that concatenate to the input; search
            # anyway so an engine change can never shift the offsets.
            found = text.find(segment, offset)
            if found < 0:  # pragma: no cover - defensive
                found = offset
            offset = found + len(segment)
            if segment in self.custom_words:
                tokens.append(Token(segment, start + found))
            else:
                tokens.extend(split_pieces(segment, start + found))
        return tokens
