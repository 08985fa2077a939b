"""What staff learn from conversations: questions the bot could not answer, and
the citizens' 👍 / 👎 on answers.

Pure helpers (no Rasa, no DB) used by the recording actions and by the staff
command line ``python -m bot.admin``:

* :func:`top_intents`, :func:`is_low_confidence`, :func:`unanswered_record`
  turn a parsed message into what is stored (PII masked again, to be safe);
* :func:`rated_answer` finds the answer a rating is about;
* :func:`group_similar` groups similar questions for review.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from bot.privacy import TOKENS, mask_pii
from bot.settings import low_confidence_threshold

FALLBACK_INTENT = "nlu_fallback"
FEEDBACK_INTENTS = ("feedback_good", "feedback_bad")
# Actions whose reply is an answer a citizen can rate.
ANSWER_ACTIONS = (
    "action_answer_fact",
    "action_list_winners",
    "action_check_winner",
    "action_count_winners",
    "action_bizportal_licences",
    "action_followup",
    "action_confirm_suggestion",
)
GROUP_THRESHOLD = 0.75  # similar enough to be the same question (tuned by hand)


def top_intents(parse_data: Dict[str, Any], n: int = 3) -> List[Dict[str, Any]]:
    """The ``n`` best real intents (``nlu_fallback`` left out) with confidences."""
    ranking = parse_data.get("intent_ranking") or []
    if not ranking and parse_data.get("intent"):
        ranking = [parse_data["intent"]]
    out: List[Dict[str, Any]] = []
    for item in ranking:
        name = (item or {}).get("name")
        if not name or name == FALLBACK_INTENT or any(o["name"] == name for o in out):
            continue
        out.append(
            {"name": name, "confidence": round(float(item.get("confidence") or 0), 4)}
        )
        if len(out) == n:
            break
    return out


def is_low_confidence(
    parse_data: Dict[str, Any], threshold: Optional[float] = None
) -> bool:
    """True when an answered message's intent confidence is below the threshold.

    ``nlu_fallback`` and the feedback intents never count: the first is recorded
    by ``action_record_unanswered``, the second is not a question.
    """
    intent = parse_data.get("intent") or {}
    name = intent.get("name")
    if not name or name == FALLBACK_INTENT or name in FEEDBACK_INTENTS:
        return False
    limit = low_confidence_threshold() if threshold is None else threshold
    try:
        return float(intent.get("confidence")) < limit
    except (TypeError, ValueError):
        return False


def message_ref(sender_id: Optional[str], message_id: Optional[str]) -> Optional[str]:
    """A stable, non-reversible id for one message (the sender id is not stored)."""
    if not message_id:
        return None
    raw = f"{sender_id or ''}\x1f{message_id}".encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def unanswered_record(
    parse_data: Dict[str, Any],
    reason: str,
    channel: Optional[str],
    sender_id: Optional[str] = None,
) -> Optional[Dict[str, Any]]:
    """Keyword arguments for ``records.record_unanswered``, or None when the
    message has no text."""
    text = mask_pii(str(parse_data.get("text") or "")).strip()
    if not text:
        return None
    top = top_intents(parse_data)
    return {
        "text": text,
        "reason": reason,
        "channel": channel,
        "intent": top[0]["name"] if top else None,
        "confidence": top[0]["confidence"] if top else None,
        "top_intents": top,
        "message_ref": message_ref(sender_id, parse_data.get("message_id")),
    }


def rated_answer(events: Sequence[Dict[str, Any]]) -> Optional[Tuple[str, str]]:
    """(intent, action) of the latest answered user turn before the current
    message, within the current session; None when nothing was answered.

    A turn counts as answered when one of :data:`ANSWER_ACTIONS` ran after it.
    Earlier ratings are skipped, so a second 👍 rates the same answer.
    """
    actions_after: List[str] = []
    seen_current = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "session_started":
            break
        if kind == "action":
            actions_after.append(str(event.get("name") or ""))
            continue
        if kind != "user":
            continue
        if not seen_current:  # the rating message itself
            seen_current = True
            actions_after = []
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        answered = [a for a in actions_after if a in ANSWER_ACTIONS]
        if intent and intent not in FEEDBACK_INTENTS and answered:
            return intent, answered[-1]  # reversed order: last = first to run
        actions_after = []
    return None


# ---------------------------------------------------------------- grouping
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_PARTICLES = re.compile(r"(ครับผม|ครับ|คับ|ค่ะ|คะ|ค่า|จ้า|จ้ะ|นะ|ฮะ|งับ|หน่อย|ด้วย)+$")


def normalise_question(text: str) -> str:
    """Matching form of a question: NFC, lower case, no masked personal data,
    spaces or punctuation, trailing polite particles dropped."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    for token in TOKENS:
        text = text.replace(token, " ")
    text = _PUNCT.sub("", text)
    return _PARTICLES.sub("", text) or text


def _ngrams(text: str, n: int = 3) -> set:
    if len(text) < n:
        return {text} if text else set()
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def similarity(a: str, b: str) -> float:
    """Similarity of two normalised questions: the larger of difflib's ratio
    and the Jaccard index of their character trigrams."""
    if not a or not b:
        return 1.0 if a == b else 0.0
    if a == b:
        return 1.0
    ga, gb = _ngrams(a), _ngrams(b)
    jaccard = len(ga & gb) / len(ga | gb) if ga | gb else 0.0
    return max(jaccard, SequenceMatcher(None, a, b).ratio())


@dataclass
class QuestionGroup:
    """Similar unanswered questions, newest first."""

    key: str  # normalised text of the newest question
    rows: List[Any] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def newest(self) -> Optional[datetime]:
        return self.rows[0].created_at if self.rows else None

    def texts(self, limit: int = 3) -> List[str]:
        """Up to ``limit`` distinct texts, newest first."""
        out: List[str] = []
        for row in self.rows:
            if row.text not in out:
                out.append(row.text)
            if len(out) == limit:
                break
        return out

    def guesses(self, limit: int = 3) -> List[Tuple[str, float]]:
        """The intents the bot guessed most often, with their best confidence."""
        best: Dict[str, float] = {}
        counts: Dict[str, int] = {}
        for row in self.rows:
            for item in row.top_intents or []:
                name = item.get("name")
                if not name:
                    continue
                counts[name] = counts.get(name, 0) + 1
                best[name] = max(
                    best.get(name, 0.0), float(item.get("confidence") or 0)
                )
        order = sorted(counts, key=lambda k: (-counts[k], -best[k], k))
        return [(k, best[k]) for k in order[:limit]]

    def channels(self) -> List[str]:
        return sorted({row.channel or "-" for row in self.rows})


def group_similar(
    rows: Iterable[Any], threshold: float = GROUP_THRESHOLD
) -> List[QuestionGroup]:
    """Group rows (with ``text``, ``created_at``, ``top_intents``, ``channel``)
    whose normalised texts are similar (>= ``threshold``). Groups are ordered by
    their newest question, newest first; rows inside a group too."""
    ordered = sorted(
        rows, key=lambda r: (r.created_at, getattr(r, "id", 0)), reverse=True
    )
    groups: List[QuestionGroup] = []
    members: List[List[str]] = []  # normalised texts per group
    for row in ordered:
        norm = normalise_question(row.text)
        best, best_score = None, 0.0
        for i, texts in enumerate(members):
            score = max(similarity(norm, t) for t in texts)
            if score > best_score:
                best, best_score = i, score
        if best is not None and best_score >= threshold:
            groups[best].rows.append(row)
            if norm not in members[best]:
                members[best].append(norm)
        else:
            groups.append(QuestionGroup(norm, [row]))
            members.append([norm])
    return groups


def matches(text: str, other: str, threshold: float = GROUP_THRESHOLD) -> bool:
    """True when two questions would fall in the same group."""
    return similarity(normalise_question(text), normalise_question(other)) >= threshold
