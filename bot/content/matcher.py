"""Name matching: normalisation, exact alias lookup, fuzzy matching of typos and
scanning a whole message for names.

Rules
-----
* An exact (normalised) alias match always wins over a fuzzy one.
* A fuzzy match only counts when it is clearly close: a small edit distance that
  grows with the alias length (see :func:`allowed_distance`) and a unique best
  candidate. A name that exactly matches a known body (e.g. a non-winner such as
  การประปานครหลวง) is never fuzzily turned into another body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_DROP = {".", "ฯ", "-", "_", "\u00a0"}
_THAI_DIGITS = {chr(0x0E50 + i): str(i) for i in range(10)}
_PARTICLES = re.compile(
    r"(ครับผม|ครับ|คะ|ค่ะ|ค่า|จ้า|จ้ะ|นะ|ล่ะ|หรอ|เหรอ|ไหม|มั้ย|บ้าง|ด้วย|หน่อย|แล้ว|\?|!)+$"
)
_PROVINCE_PREFIXES = ("จังหวัด", "จ")


def _norm_chars(text: str) -> List[Tuple[str, int]]:
    """Normalised characters of ``text`` with the index of each in ``text``."""
    text = unicodedata.normalize("NFC", text or "")
    out: List[Tuple[str, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        # nikhahit + sara aa typed instead of sara am
        if ch == "\u0e4d" and i + 1 < len(text) and text[i + 1] == "\u0e32":
            out.append(("\u0e33", i))
            i += 2
            continue
        if ch.isspace() or ch in _ZERO_WIDTH or ch in _DROP:
            i += 1
            continue
        ch = _THAI_DIGITS.get(ch, ch)
        for c in ch.casefold():
            out.append((c, i))
        i += 1
    return out


def normalise(text: str) -> str:
    """Matching form of a name: no spaces, dots, zero-width characters, ``ฯ`` or
    hyphens; Latin letters lower-cased; Thai digits turned into Arabic digits.
    For matching only -- never shown to the user."""
    return "".join(c for c, _ in _norm_chars(text))


def strip_particles(norm_text: str) -> str:
    """Drop trailing polite particles / question words from a normalised text."""
    return _PARTICLES.sub("", norm_text)


def levenshtein(a: str, b: str, limit: Optional[int] = None) -> int:
    """Edit distance; stops early (returning ``limit + 1``) once it exceeds
    ``limit``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            )
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def allowed_distance(alias_norm: str) -> int:
    """How many edits a typo of this alias may have and still count."""
    n = len(alias_norm)
    if n < 4:
        return 0
    if n < 10:
        return 1
    return 2


def _is_latin(s: str) -> bool:
    return bool(s) and all(c.isascii() for c in s)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum()


def _chunks(text: str, chars: List[Tuple[str, int]]) -> List[Tuple[int, int]]:
    """(start, end) in the normalised text of each whitespace-separated chunk."""
    out: List[Tuple[int, int]] = []
    start = None
    for i, (_c, orig) in enumerate(chars):
        if start is None:
            start = i
        elif any(ch.isspace() for ch in text[chars[i - 1][1] + 1 : orig]):
            out.append((start, i))
            start = i
    if start is not None:
        out.append((start, len(chars)))
    return out


@dataclass(frozen=True)
class Entry:
    key: str
    alias: str
    norm: str
    scan_needs_prefix: bool = False


@dataclass(frozen=True)
class Match:
    """A name found in the text: which record (``body_key``), how sure (``score``
    in 0..1) and whether the alias matched exactly."""

    body_key: str
    score: float
    exact: bool
    alias: str = ""
    start: int = -1  # indexes in the original text (find_mentions only)
    end: int = -1

    @property
    def key(self) -> str:
        return self.body_key


class NameMatcher:
    """Matches names against a set of (key, alias) entries.

    Build it with :meth:`from_pairs`. It is cheap to build, so callers build a
    fresh one per request. Bodies and provinces are resolved under stricter
    rules in :mod:`bot.content.resolution`; this matcher serves business and
    document types.
    """

    def __init__(self, entries: Iterable[Entry]):
        by_norm: dict = {}
        for e in entries:
            if e.norm and e.norm not in by_norm:
                by_norm[e.norm] = e
        self._by_norm = by_norm
        self._entries: List[Entry] = sorted(
            by_norm.values(), key=lambda e: (-len(e.norm), e.norm)
        )

    # ------------------------------------------------------------------ building
    @classmethod
    def from_pairs(
        cls, pairs: Iterable[Sequence], needs_prefix: Iterable[str] = ()
    ) -> "NameMatcher":
        """``pairs``: (key, alias) tuples. ``needs_prefix``: keys whose names only
        count inside a longer message after จังหวัด / จ."""
        np = set(needs_prefix)
        return cls(Entry(k, a, normalise(a), k in np) for k, a in pairs)

    # ------------------------------------------------------------------ queries
    def keys(self) -> List[str]:
        return sorted({e.key for e in self._entries})

    def resolve(self, name: str) -> Optional[Match]:
        """The record ``name`` stands for: exact alias first, else a clear typo."""
        norm = normalise(name)
        if not norm:
            return None
        candidates = [norm]
        stripped = strip_particles(norm)
        if stripped and stripped != norm:
            candidates.append(stripped)
        for cand in list(candidates):
            for prefix in _PROVINCE_PREFIXES:
                if cand.startswith(prefix) and len(cand) > len(prefix) + 1:
                    candidates.append(cand[len(prefix) :])
        for cand in candidates:
            e = self._by_norm.get(cand)
            if e is not None:
                return Match(e.key, 1.0, True, e.alias)
        for cand in candidates:
            m = self._fuzzy(cand)
            if m is not None:
                return m
        return None

    def _fuzzy(self, norm: str) -> Optional[Match]:
        best: List[Tuple[int, Entry]] = []
        for e in self._entries:
            limit = allowed_distance(e.norm)
            if limit == 0 or abs(len(e.norm) - len(norm)) > limit:
                continue
            d = levenshtein(norm, e.norm, limit)
            if d <= limit:
                best.append((d, e))
        if not best:
            return None

        def rank(t):
            return (t[0], abs(len(t[1].norm) - len(norm)))

        best.sort(key=lambda t: (*rank(t), -len(t[1].norm)))
        d0, e0 = best[0]
        rivals = [
            e for d, e in best if rank((d, e)) == rank(best[0]) and e.key != e0.key
        ]
        if rivals:  # two different records equally close: not clear enough
            return None
        score = 1.0 - d0 / max(len(e0.norm), len(norm))
        return Match(e0.key, round(score, 3), False, e0.alias)

    def similarity(self, name: str, key: str) -> float:
        """Best similarity (0..1) between ``name`` and any alias of ``key``."""
        from difflib import SequenceMatcher

        norm = normalise(name)
        scores = [
            SequenceMatcher(None, norm, e.norm).ratio()
            for e in self._entries
            if e.key == key
        ]
        return max(scores, default=0.0)

    def find_mentions(self, text: str, fuzzy: bool = True) -> List[Match]:
        """Every name mentioned in ``text``, in order of appearance.

        Exact aliases are taken longest first (so กฟน. inside a longer name does not
        count twice); then, in the parts of the text no alias claimed, windows close
        to an alias (a typo) are accepted under the fuzzy rules.
        """
        chars = _norm_chars(text)
        norm = "".join(c for c, _ in chars)
        if not norm:
            return []
        whole = strip_particles(norm)
        claimed = [False] * len(norm)
        found: List[Tuple[int, Match]] = []

        def span_free(s: int, e: int) -> bool:
            return not any(claimed[s:e])

        def boundary_ok(entry: Entry, s: int, e: int) -> bool:
            if not (_is_latin(entry.norm) or len(entry.norm) <= 2):
                return True
            o_start, o_end = chars[s][1], chars[e - 1][1]
            before = text[o_start - 1] if o_start > 0 else " "
            after = text[o_end + 1] if o_end + 1 < len(text) else " "
            return not _is_word_char(before) and not _is_word_char(after)

        def prefix_ok(entry: Entry, s: int) -> bool:
            if not entry.scan_needs_prefix or whole == entry.norm:
                return True
            return any(norm[:s].endswith(p) for p in _PROVINCE_PREFIXES)

        def claim(s: int, e: int, m: Match) -> None:
            for i in range(s, e):
                claimed[i] = True
            found.append((s, m))

        # 1. whole whitespace-separated chunks that are a name or a clear typo of one
        #    (so "สปสข" is read as a typo of สปสช, not as สปส + ข)
        for cs, ce in _chunks(text, chars):
            chunk = norm[cs:ce]
            entry = self._by_norm.get(chunk)
            if entry is not None and prefix_ok(entry, cs):
                claim(
                    cs,
                    ce,
                    Match(
                        entry.key,
                        1.0,
                        True,
                        entry.alias,
                        chars[cs][1],
                        chars[ce - 1][1] + 1,
                    ),
                )
            elif fuzzy and len(chunk) >= 4 and not _is_latin(chunk):
                m = self._fuzzy(chunk)
                if (
                    m is not None
                    and not self._by_norm[normalise(m.alias)].scan_needs_prefix
                ):
                    claim(
                        cs,
                        ce,
                        Match(
                            m.body_key,
                            m.score,
                            False,
                            m.alias,
                            chars[cs][1],
                            chars[ce - 1][1] + 1,
                        ),
                    )

        # 2. exact aliases anywhere, longest first
        for entry in self._entries:
            start = 0
            while True:
                s = norm.find(entry.norm, start)
                if s < 0:
                    break
                e = s + len(entry.norm)
                if span_free(s, e) and boundary_ok(entry, s, e) and prefix_ok(entry, s):
                    claim(
                        s,
                        e,
                        Match(
                            entry.key,
                            1.0,
                            True,
                            entry.alias,
                            chars[s][1],
                            chars[e - 1][1] + 1,
                        ),
                    )
                start = s + 1

        # 3. typos inside longer runs of text
        if fuzzy:
            found.extend(self._fuzzy_scan(text, chars, norm, claimed, found))

        found.sort(key=lambda t: t[0])
        out: List[Match] = []
        seen = set()
        for _, m in found:
            if m.body_key not in seen:
                seen.add(m.body_key)
                out.append(m)
        return out

    def _fuzzy_scan(self, text, chars, norm, claimed, found) -> List[Tuple[int, Match]]:
        exact_keys = {m.body_key for _, m in found}
        results: List[Tuple[int, Match]] = []
        # candidate windows per alias: lengths len±limit, anchored on a matching
        # first or last two characters, so the scan stays cheap.
        best_by_start: dict = {}
        for entry in self._entries:
            limit = allowed_distance(entry.norm)
            if limit == 0 or entry.scan_needs_prefix or _is_latin(entry.norm):
                continue
            n = len(entry.norm)
            head, tail = entry.norm[:2], entry.norm[-2:]
            for s in range(0, len(norm) - n + limit + 1):
                for length in range(max(1, n - limit), n + limit + 1):
                    e = s + length
                    if e > len(norm) or any(claimed[s:e]):
                        continue
                    window = norm[s:e]
                    if window[:2] != head and window[-2:] != tail:
                        continue
                    d = levenshtein(window, entry.norm, limit)
                    if d <= limit:
                        score = 1.0 - d / max(n, length)
                        prev = best_by_start.get(s)
                        if (
                            prev is None
                            or score > prev[0]
                            or (score == prev[0] and length > prev[2])
                        ):
                            best_by_start[s] = (score, entry, length, d)
        # keep non-overlapping windows, best score first, and only clear winners
        taken = list(claimed)
        for s, (score, entry, length, _d) in sorted(
            best_by_start.items(), key=lambda kv: (-kv[1][0], -kv[1][2], kv[0])
        ):
            e = s + length
            if any(taken[s:e]) or entry.key in exact_keys:
                continue
            rivals = [
                v
                for s2, v in best_by_start.items()
                if s2 == s and v[1].key != entry.key and v[0] == score
            ]
            if rivals:
                continue
            for i in range(s, e):
                taken[i] = True
            results.append(
                (
                    s,
                    Match(
                        entry.key,
                        round(score, 3),
                        False,
                        entry.alias,
                        chars[s][1],
                        chars[e - 1][1] + 1,
                    ),
                )
            )
        return results
