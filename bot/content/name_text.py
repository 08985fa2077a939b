"""Names and words in a message, for the name resolver (bot/content/resolution.py):
the known names, a name found in a message, how a message is cut into words
(newmm with the content's names added) and the small tests the resolver's
rules use.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from bot.content.matcher import normalise
from bot.content.name_words import FRAME_WORDS, JOIN_WORDS

PROVINCE_PREFIXES = ("จังหวัด", "จ")
LATIN_ACRONYM = re.compile(r"^[A-Z]{2,8}$")
_DOTTED = re.compile(
    r"(?<![\u0e01-\u0e4e])[\u0e01-\u0e2e][\u0e01-\u0e4e]{0,3}\.(?:[\u0e01-\u0e4e]{1,4}\.)*"
)
PROVINCE_WORDS = frozenset({"จังหวัด", "จ"})


def typo_limit(length: int) -> int:
    """How many edits a typo of a whole name of this length may have."""
    if length < 9:
        return 0
    if length < 14:
        return 1
    return 2


@dataclass(frozen=True)
class Name:
    """One name the content knows: a body's key, the name as written, and its
    kind (``name`` | ``abbr`` | ``alias`` | ``en``)."""

    key: str
    alias: str
    kind: str
    needs_prefix: bool = False
    norm: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "norm", normalise(self.alias))


@dataclass(frozen=True)
class Named:
    """A name found in a message: the citizen's own words (``span``), the body
    they name (``key``; None when unknown) and whether they matched exactly."""

    span: str
    key: Optional[str]
    exact: bool
    start: int


def is_abbreviation(name: Name) -> bool:
    n = name.norm
    return name.kind == "abbr" or len(n) <= 4 or (n.isascii() and len(n) <= 10)


def plain_neighbour(
    text: str, tokens: List[Tuple[int, int]], i: int, known: Dict[str, "Name"]
) -> bool:
    """Token ``i`` (or the edge of the text) may stand next to an
    abbreviation: nothing, punctuation or spaces, or a word of the question."""
    if i < 0 or i >= len(tokens):
        return True
    word = text[tokens[i][0] : tokens[i][1]]
    norm = normalise(word)
    if not norm or not any(c.isalnum() for c in norm):
        return True
    return norm in FRAME_WORDS or norm in JOIN_WORDS or norm in known


def with_province_prefix(text: str, start: int) -> int:
    """Start of "จังหวัด"/"จ." written just before a province's name."""
    head = text[:start].rstrip()
    for p in ("จังหวัด", "จ.", "จ"):
        before = head[: len(head) - len(p)]
        if head.endswith(p) and not (before and before[-1].isalpha()):
            return len(head) - len(p)
    return start


_TRIE = None
_TRIE_LOCK = threading.Lock()


def names_trie(words: FrozenSet[str]):
    """newmm's dictionary with the content's names added. The base dictionary
    is loaded once per process (:func:`warm_up`); names are only ever added, so
    a staff edit costs microseconds, not a reload."""
    global _TRIE
    with _TRIE_LOCK:
        if _TRIE is None:
            from pythainlp.corpus import thai_words
            from pythainlp.util import Trie

            _TRIE = Trie(set(thai_words()))
        for w in words:
            if w not in _TRIE:
                _TRIE.add(w)
    return _TRIE


def warm_up() -> None:
    """Loads the word list now (about 2 s), not in a citizen's first turn."""
    names_trie(frozenset())


def word_boundaries(text: str, trie: Any) -> FrozenSet[int]:
    """Word boundaries (offsets into ``text``) from newmm with the names."""
    from pythainlp.tokenize import word_tokenize

    out = {0, len(text)}
    pos = 0
    for tok in word_tokenize(
        text, custom_dict=trie, engine="newmm", keep_whitespace=True
    ):
        out.add(pos)
        pos += len(tok)
        out.add(pos)
    # a dotted Thai abbreviation (สสจ., ป.ป.ส., ก.พ.ร.) is one word
    for m in _DOTTED.finditer(text):
        out -= set(range(m.start() + 1, m.end()))
        out |= {m.start(), m.end()}
    return frozenset(out)


def word_spans(text: str, trie: Any) -> List[Tuple[int, int]]:
    """(start, end) of every word of ``text`` that is not only spaces."""
    bounds = sorted(word_boundaries(text, trie))
    pairs = zip(bounds, bounds[1:], strict=False)
    return [(a, b) for a, b in pairs if text[a:b].strip()]
