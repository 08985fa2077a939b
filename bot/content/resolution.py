"""Which bodies and provinces a citizen named: the one place that decides it.

The award answers say "ใช่" only for a body the citizen really named. The rules:

1. **Named means named.** A body counts only by its full name, a registered
   alias or abbreviation (``data/content``), or a typo of the *whole* name within
   a tight edit distance (:func:`typo_limit`). Sharing words with a winner
   (กรมพัฒนา…, สำนักงานปลัดกระทรวง…, …แห่งชาติ, กองทุน…) is never enough: a typo
   is measured between the whole name the citizen wrote and a whole known name,
   never on a window inside a longer word.
2. **Abbreviations match exactly, never fuzzily,** and only as whole words
   (on word boundaries), so สบน is not found inside ประสบน้ำท่วม, and กฟน.,
   กฟภ. and กปน. stay three different bodies.
3. **Known non-winners win ties.** A typo as close to a non-winner (the
   names-only registry, ``data/content/registry.yml``) as to a winner names
   nobody; a name that exactly matches a non-winner is that non-winner.
4. **Everything else that looks like a name is "unknown"**: it is reported with
   the citizen's own words (at most :data:`MAX_SPAN` characters of the already
   masked text), never turned into a winner.

The registry will never be complete, so rule 1 alone must keep a missing body
from being answered as a winner; :mod:`tests.content.test_negatives` checks it
with part of the registry withheld.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.content.matcher import _norm_chars, levenshtein, normalise, strip_particles
from bot.content.name_text import (
    LATIN_ACRONYM,
    PROVINCE_PREFIXES,
    PROVINCE_WORDS,
    Name,
    Named,
    is_abbreviation,
    names_trie,
    plain_neighbour,
    typo_limit,
    with_province_prefix,
    word_spans,
)
from bot.content.name_words import (
    EMBEDDING_STARTS,
    FRAME_WORDS,
    GENERIC_WORDS,
    JOIN_WORDS,
    NAME_STARTS,
    ORG_AFTER,
    ORG_WORDS,
    SENTENCE_WORDS,
)

MAX_SPAN = 60

class Resolver:
    """Finds and resolves body / province names under the rules above.

    ``winners``: keys of bodies with an award (used only to break ties in
    favour of non-winners)."""

    def __init__(
        self,
        names: Iterable[Name],
        winners: Iterable[str] = (),
        provinces: Iterable[str] = (),
    ):
        by_norm: Dict[str, Name] = {}
        for n in names:
            if n.norm and n.norm not in by_norm:
                by_norm[n.norm] = n
        self._by_norm = by_norm
        self._longest_first = sorted(by_norm.values(), key=lambda n: -len(n.norm))
        self._winners = frozenset(winners)
        self._provinces = frozenset(provinces)
        self._trie = None
        self._words = frozenset(
            w for n in by_norm.values() for w in (n.alias, n.alias.replace(".", ""))
        )

    def _is_province(self, key: str) -> bool:
        return key in self._provinces

    # ------------------------------------------------------------ single names
    def resolve(self, name: str) -> Optional[Named]:
        """The body that ``name`` (an entity value, a button payload) names."""
        norm = strip_particles(normalise(name))
        key, exact = self._whole(norm)
        if key is None:
            return None
        return Named(name.strip()[:MAX_SPAN], key, exact, 0)

    def _whole(self, norm: str) -> Tuple[Optional[str], bool]:
        """Exact name (a province also after จังหวัด/จ.), else a typo of a whole
        name; (None, False) when nothing is named clearly."""
        if not norm:
            return None, False
        forms = [norm] + [
            norm[len(p) :]
            for p in PROVINCE_PREFIXES
            if norm.startswith(p) and len(norm) > len(p) + 1
        ]
        for f in forms:
            hit = self._by_norm.get(f)
            if hit is not None:
                return hit.key, True
        for f in forms:
            key = self._typo(f)
            if key is not None:
                return key, False
        return None, False

    def _typo(self, norm: str) -> Optional[str]:
        best_d, best_keys = None, set()
        for n in self._longest_first:
            if is_abbreviation(n):
                continue
            limit = typo_limit(len(n.norm))
            if limit == 0 or abs(len(n.norm) - len(norm)) > limit:
                continue
            if norm[:1] != n.norm[:1]:  # a letter added in front is another word
                continue
            d = levenshtein(norm, n.norm, limit)
            if d > limit:
                continue
            if best_d is None or d < best_d:
                best_d, best_keys = d, {n.key}
            elif d == best_d:
                best_keys.add(n.key)
        if len(best_keys) != 1:  # nothing close, or a tie: nobody is named
            return None
        return next(iter(best_keys))

    def most_similar(
        self, words: str, among: Iterable[str], threshold: float
    ) -> Optional[str]:
        """The key in ``among`` whose names look most like ``words`` (a
        suggestion to offer, never an answer), if similar enough."""
        norm = normalise(words)
        if not norm:
            return None
        keys = set(among)
        if norm.startswith(PROVINCE_PREFIXES):
            keys &= self._provinces
        best, best_score = None, 0.0
        for n in self._longest_first:
            if n.key in keys:
                score = SequenceMatcher(None, norm, n.norm).ratio()
                if score > best_score:
                    best, best_score = n.key, score
        return best if best_score >= threshold else None

    # ------------------------------------------------------------ messages
    def named(self, text: str, hints: Sequence[Tuple[int, int]] = ()) -> List[Named]:
        """Every name in ``text``, in order: known bodies (exact or whole-name
        typos) and unknown name-like spans. ``hints``: (start, end) spans the
        NLU model tagged as a body or province."""
        chars = _norm_chars(text)
        norm = "".join(c for c, _ in chars)
        if not norm:
            return []
        tokens = self._tokens(text)
        starts = {a: i for i, (a, _b) in enumerate(tokens)}
        ends = {b: i for i, (_a, b) in enumerate(tokens)}
        claimed = [False] * len(text)

        def inside_longer_name(o_s: int) -> bool:
            # a name counts only after nothing, a question word, a joining
            # word, another name, punctuation, or จังหวัด/จ. written as such:
            # ลำพูน in สาธารณสุขจังหวัดลำพูน, การไฟฟ้านครหลวง in
            # สหกรณ์ออมทรัพย์การไฟฟ้านครหลวง do not name the body
            prev = [t for t in tokens if t[1] <= o_s or t[0] < o_s]
            if prev and prev[-1][0] < o_s < prev[-1][1]:
                head = normalise(text[prev[-1][0] : o_s])  # inside a token
                if head in PROVINCE_WORDS:
                    return plain_before(prev[-1][0], 0)
                return not (head in FRAME_WORDS or head in JOIN_WORDS)
            return not plain_before(o_s, 0)

        def plain_before(o_s: int, depth: int) -> bool:
            prev = [t for t in tokens if t[1] <= o_s]
            if not prev:
                return True
            a, b = prev[-1]
            word = normalise(text[a:b])
            spaced = bool(text[b:o_s].strip() == "" and b < o_s)
            if word.startswith(ORG_WORDS) or (word in map(normalise, EMBEDDING_STARTS)):
                return False  # บริษัท ลำพูน, ทีม ร้อยเอ็ด
            plain_word = word in FRAME_WORDS or word in JOIN_WORDS
            if not any(c.isalnum() for c in word):
                return True
            if spaced:
                # "สสจ อุตรดิตถ์": a short unknown Thai word just before, even
                # across a space, is an office's abbreviation
                thai = any("\u0e01" <= c <= "\u0e4e" for c in word)
                return (
                    plain_word or word in self._by_norm or not (thai and len(word) <= 4)
                )
            if word in PROVINCE_WORDS and depth == 0:
                return plain_before(a, 1)
            if re.fullmatch(r"[\u0e01-\u0e4e.]+\.", text[a:b]):
                return word in self._by_norm  # อบจ.ลำพูน: an office's name
            # another name right before counts only when one of them is an
            # abbreviation (กฟน.กปภ.); ศุลกากร|ระนอง is one longer name
            return plain_word or (word in self._by_norm and text[a:b].endswith("."))

        def continues(o_e: int) -> bool:
            # more letters of the same name follow: กรมพัฒน์|ที่ดิน is not กรมพัฒน์
            if o_e not in starts:
                inside = [t for t in tokens if t[0] < o_e < t[1]]
                if inside:  # เชียง|รายได้: the rest of the token is ได้, a question word
                    return normalise(text[o_e : inside[0][1]]) not in FRAME_WORDS
                if o_e < len(text) and text[o_e].isalnum():
                    return True
                nxt = [t for t in tokens if t[0] >= o_e]
                return bool(nxt) and normalise(text[nxt[0][0] : nxt[0][1]]) in (
                    ORG_AFTER
                )
            a, b = tokens[starts[o_e]]
            if a != o_e:
                return False
            word = normalise(text[a:b])
            if not word or not any(c.isalnum() for c in word):
                return False
            if word in JOIN_WORDS:
                # "…และการคลัง": และ joins two names only when a name follows
                i = starts[o_e] + 1
                if i >= len(tokens) or text[b : tokens[i][0]].strip() != "":
                    return False
                after = normalise(text[tokens[i][0] : tokens[i][1]])
                return not (
                    after in FRAME_WORDS
                    or after in self._by_norm
                    or after.startswith(tuple(map(normalise, NAME_STARTS)))
                    or not any("\u0e01" <= c <= "\u0e4e" for c in after)
                )
            if word in self._by_norm:
                # กองทุน…ข้าราชการ|กรุงเทพมหานคร is one longer name; two
                # names run together count when one is an abbreviation
                return not (text[a:b].endswith(".") or text[:o_e].endswith("."))
            return word not in FRAME_WORDS

        def stands_alone(o_s: int, o_e: int) -> bool:
            # an abbreviation is a word of its own: on word boundaries, with
            # the question's words (or nothing) on either side
            if o_s not in starts or o_e not in ends:
                return False
            i, j = starts[o_s], ends[o_e]
            known = self._by_norm
            return plain_neighbour(text, tokens, i - 1, known) and plain_neighbour(
                text, tokens, j + 1, known
            )

        found: List[Named] = []

        def original(s: int, e: int) -> Tuple[int, int]:
            o_e = chars[e - 1][1] + 1
            while o_e < len(text) and text[o_e] == ".":  # กฟน. with its dot
                o_e += 1
            return chars[s][1], o_e

        # the message without the question's words: a province that is also an
        # everyday word (ตาก, เลย) counts when it is all that is left
        whole = "".join(
            w
            for w in (normalise(text[a:b]) for a, b in tokens)
            if w not in FRAME_WORDS or w in SENTENCE_WORDS
        )
        for n in self._longest_first:
            pos = norm.find(n.norm)
            while pos >= 0:
                s, e = pos, pos + len(n.norm)
                o_s, o_e = original(s, e)
                if (
                    not any(claimed[o_s:o_e])
                    and (not is_abbreviation(n) or stands_alone(o_s, o_e))
                    and not inside_longer_name(o_s)
                    and not continues(o_e)
                    and (
                        not n.needs_prefix
                        or whole == n.norm
                        or any(norm[:s].endswith(p) for p in PROVINCE_PREFIXES)
                    )
                ):
                    if n.needs_prefix or self._is_province(n.key):
                        o_s = with_province_prefix(text, o_s)
                    for i in range(o_s, o_e):
                        claimed[i] = True
                    found.append(Named(text[o_s:o_e].strip(), n.key, True, o_s))
                pos = norm.find(n.norm, pos + 1)

        for s, e in self._candidates(text, claimed, hints):
            found.extend(self._resolve_run(text, s, e))
        found.sort(key=lambda x: x.start)
        out: List[Named] = []
        seen = set()
        for x in found:
            ident = x.key or normalise(x.span)
            if ident not in seen:
                seen.add(ident)
                out.append(x)
        return out

    def _tokens(self, text: str) -> List[Tuple[int, int]]:
        if self._trie is None:
            self._trie = names_trie(self._words)
        return word_spans(text, self._trie)

    def _candidates(
        self, text: str, claimed: List[bool], hints: Sequence[Tuple[int, int]]
    ) -> List[Tuple[int, int]]:
        """Unclaimed runs of words between the question's own words that look
        like a name: from a NAME_STARTS word on, a Latin acronym, a dotted Thai
        abbreviation, or a span the model tagged."""
        runs: List[List[Tuple[int, int]]] = [[]]
        for a, b in self._tokens(text):
            word = normalise(text[a:b])
            if any(claimed[a:b]) or not word or word in FRAME_WORDS:
                runs.append([])
            else:
                runs[-1].append((a, b))
        out: List[Tuple[int, int]] = []
        for run in runs:
            if not run:
                continue
            starts = [
                i
                for i, (a, b) in enumerate(run)
                if normalise(text[a:b]).startswith(NAME_STARTS)
                or LATIN_ACRONYM.match(text[a:b])
                or ("." in text[a:b] and len(normalise(text[a:b])) <= 6)
            ]
            if starts:
                # words before it make it part of a longer, unknown name
                out.append((run[0][0] if starts[0] else run[starts[0]][0], run[-1][1]))
        for hs, he in hints:
            if 0 <= hs < he <= len(text) and not any(claimed[hs:he]):
                if not any(s <= hs and he <= e for s, e in out):
                    out.append((hs, he))
        return out

    def _starts_a_name(self, word: str) -> bool:
        """After "และ"/"กับ": a known name, a name-start word or a Latin
        acronym begins a second name; anything else continues the first."""
        norm = normalise(word)
        return bool(
            norm in self._by_norm
            or norm.startswith(tuple(map(normalise, NAME_STARTS)))
            or LATIN_ACRONYM.match(word)
            or any(
                n.norm.startswith(norm) for n in self._longest_first if len(norm) > 2
            )
        )

    def _resolve_run(self, text: str, s: int, e: int) -> List[Named]:
        """A run as one whole name; else split at joining words; else unknown."""
        key, exact = self._whole(strip_particles(normalise(text[s:e])))
        if key is not None:
            return [Named(text[s:e].strip()[:MAX_SPAN], key, exact, s)]
        parts: List[Tuple[int, int]] = []
        start = s
        tokens = self._tokens(text[s:e])
        for i, (a, b) in enumerate(tokens):
            if normalise(text[s + a : s + b]) in JOIN_WORDS and (
                i + 1 < len(tokens)
                and self._starts_a_name(
                    text[s + tokens[i + 1][0] : s + tokens[i + 1][1]]
                )
            ):
                parts.append((start, s + a))
                start = s + b
        parts.append((start, e))
        if len(parts) > 1:
            out: List[Named] = []
            for ps, pe in parts:
                if text[ps:pe].strip():
                    out.extend(self._resolve_run(text, ps, pe))
            return out
        span = text[s:e].strip()
        if len(normalise(span)) < 2 or normalise(span) in GENERIC_WORDS:
            return []
        return [Named(span[:MAX_SPAN], None, False, s)]
