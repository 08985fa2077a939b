"""Queries the actions use. Plain functions, testable without Rasa.

Every function opens its own session and reads the DB on each call (no cache),
so an edit to the DB shows in the next answer. They return plain dataclasses.
Content is read-only here; the only writes are the runtime records at the end
(unanswered questions, answer ratings), which the content importer never touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, Iterable, List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.content.db import session_scope
from bot.content.matcher import NameMatcher, normalise
from bot.content.models import (
    RATINGS,
    UNANSWERED_REASONS,
    Answer,
    AnswerRating,
    Award,
    AwardCategory,
    Body,
    BusinessType,
    BusinessTypeAlias,
    ContentMeta,
    DocumentType,
    DocumentTypeAlias,
    UnansweredQuestion,
    utcnow,
)

WINNER, NOT_WINNER, UNKNOWN = "winner", "not_winner", "unknown"

# Thai (and English) words a citizen uses for the award categories and body kinds.
CATEGORY_WORDS: Dict[str, List[str]] = {
    "department": [
        "ระดับกรม",
        "department",
        "รางวัลระดับกรม",
        "โล่รางวัล",
        "หน่วยงานระดับกรม",
    ],
    "province": ["ระดับจังหวัด", "province", "provincial", "รางวัลระดับจังหวัด", "จังหวัด"],
    "nocopy": [
        "nocopy",
        "no copy",
        "ยกเลิกสำเนา",
        "ยกเลิกสำเนาเอกสาร",
        "ยกเลิกสำเนาเอกสารราชการ",
        "ไม่เรียกสำเนา",
        "สนับสนุนนโยบายรัฐบาล",
    ],
}
KIND_WORDS: Dict[str, List[str]] = {
    "state_enterprise": ["รัฐวิสาหกิจ", "state enterprise", "state_enterprise"],
    "fund": ["กองทุน", "fund"],
    "public_organisation": [
        "องค์การมหาชน",
        "public organisation",
        "public_organisation",
    ],
    "ministry_office": ["สำนักงานปลัดกระทรวง", "ministry_office"],
    "province": ["จังหวัด", "province"],
    "department": ["กรม", "department", "หน่วยงานระดับกรม"],
}


@dataclass(frozen=True)
class BodyInfo:
    key: str
    name_th: str
    name_en: Optional[str]
    kind: str
    parent_ministry: Optional[str]
    note_th: Optional[str] = None


@dataclass(frozen=True)
class AwardInfo:
    category: str
    category_name_th: str
    category_label_th: str
    event: str
    year: int
    source_url: str
    body: BodyInfo


@dataclass(frozen=True)
class CategoryInfo:
    key: str
    name_th: str
    label_th: str
    count: int
    source_url: str
    event: str
    event_th: Optional[str]
    year: int


@dataclass
class CheckResult:
    status: str  # winner | not_winner | unknown
    query: str
    body: Optional[BodyInfo] = None
    exact: bool = True
    score: float = 1.0
    awards: List[AwardInfo] = field(default_factory=list)
    suggestion: Optional[BodyInfo] = None
    # for a non-winning province: the province winners, to show instead
    category_winners: List[BodyInfo] = field(default_factory=list)
    category: Optional[CategoryInfo] = None


@dataclass
class CountResult:
    count: int  # official count when known (e.g. 60 for nocopy), else number listed
    listed: int  # how many recipients the DB names
    official: bool  # True when ``count`` comes from the official per-category count
    by_category: Dict[str, int]
    categories: List[CategoryInfo]
    category: Optional[str] = None
    ministry: Optional[str] = None
    kind: Optional[str] = None
    source_urls: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerData:
    key: str
    text_th: str
    confidence: Optional[str]
    sources: List[dict]
    buttons: List[dict]
    yes_no: List[dict] = field(default_factory=list)
    summary_en: Optional[str] = None


@dataclass(frozen=True)
class LicenceResult:
    key: str
    name_th: str
    guide_th: Optional[str]
    licences: List[dict]
    related: List[dict]  # [{"name_th":..., "licences": [...]}]
    note_th: Optional[str]
    catalogue_note: Optional[str]
    source_url: Optional[str]
    exact: bool = True


@dataclass(frozen=True)
class DocumentInfo:
    key: str
    name_th: str
    nocopy: str
    note_th: Optional[str]
    source_url: Optional[str]


def _body_info(b: Body) -> BodyInfo:
    return BodyInfo(b.key, b.name_th, b.name_en, b.kind, b.parent_ministry, b.note_th)


def _cat_info(c: AwardCategory) -> CategoryInfo:
    return CategoryInfo(
        c.key, c.name_th, c.label_th, c.count, c.source_url, c.event, c.event_th, c.year
    )


def _lookup(words: Dict[str, List[str]], text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    norm = normalise(text)
    if norm in words:
        return norm
    for key, ws in words.items():
        if norm in {normalise(w) for w in ws}:
            return key
    return None


def normalise_category(text: Optional[str]) -> Optional[str]:
    """'ระดับจังหวัด' / 'province' / 'No Copy' ... -> 'province' / 'nocopy' ..."""
    return _lookup(CATEGORY_WORDS, text)


def normalise_kind(text: Optional[str]) -> Optional[str]:
    return _lookup(KIND_WORDS, text)


def find_category_in_text(text: str) -> Optional[str]:
    """Scan a message for an award-category word (longest words first)."""
    norm = normalise(text)
    pairs = sorted(
        (
            (normalise(w), k)
            for k, ws in CATEGORY_WORDS.items()
            for w in ws
            if w != "จังหวัด"
        ),
        key=lambda p: -len(p[0]),
    )
    for word, key in pairs:
        if word and word in norm:
            return key
    return None


def find_kind_in_text(text: str) -> Optional[str]:
    norm = normalise(text)
    for key in ("state_enterprise", "public_organisation", "fund"):
        if any(normalise(w) in norm for w in KIND_WORDS[key]):
            return key
    return None


def _ministry_filter(ministry: Optional[str]):
    if not ministry:
        return None
    norm = normalise(ministry)
    if norm.startswith("กระทรวง"):
        norm = norm[len("กระทรวง") :]
    return norm or None


def ministries(url: Optional[str] = None) -> List[str]:
    with session_scope(url) as s:
        rows = s.execute(
            select(Body.parent_ministry)
            .join(Award, Award.body_id == Body.id)
            .where(Body.parent_ministry.is_not(None))
            .distinct()
        ).scalars()
        return sorted(set(rows))


def find_ministry_in_text(text: str, url: Optional[str] = None) -> Optional[str]:
    """The parent ministry of a winner named in ``text`` (e.g. 'มหาดไทย')."""
    norm = normalise(text)
    for m in sorted(ministries(url), key=len, reverse=True):
        short = normalise(m)
        if short.startswith("กระทรวง"):
            short = short[len("กระทรวง") :]
        if short and short in norm:
            return m
    return None


# ---------------------------------------------------------------- award queries
def award_categories(url: Optional[str] = None) -> List[CategoryInfo]:
    with session_scope(url) as s:
        rows = s.execute(select(AwardCategory).order_by(AwardCategory.count)).scalars()
        order = {"department": 0, "province": 1, "nocopy": 2}
        return sorted((_cat_info(c) for c in rows), key=lambda c: order.get(c.key, 9))


def winners(
    category: Optional[str] = None,
    ministry: Optional[str] = None,
    kind: Optional[str] = None,
    url: Optional[str] = None,
) -> List[AwardInfo]:
    """Known award recipients, optionally filtered. ``category``/``kind`` accept the
    key or Thai words; ``ministry`` matches part of the parent ministry name."""
    cat = normalise_category(category) if category else None
    knd = normalise_kind(kind) if kind else None
    min_norm = _ministry_filter(ministry)
    with session_scope(url) as s:
        cats = {c.key: c for c in s.execute(select(AwardCategory)).scalars()}
        stmt = (
            select(Award, Body)
            .join(Body, Award.body_id == Body.id)
            .order_by(Award.sort_order)
        )
        if category:
            stmt = stmt.where(Award.category == (cat or "__none__"))
        if kind:
            stmt = stmt.where(Body.kind == (knd or "__none__"))
        out = []
        for award, body in s.execute(stmt).all():
            if min_norm and (
                not body.parent_ministry
                or min_norm not in normalise(body.parent_ministry)
            ):
                continue
            c = cats.get(award.category)
            out.append(
                AwardInfo(
                    category=award.category,
                    category_name_th=c.name_th if c else award.category,
                    category_label_th=c.label_th if c else award.category,
                    event=award.event,
                    year=award.year,
                    source_url=award.source_url,
                    body=_body_info(body),
                )
            )
        return out


def count_winners(
    category: Optional[str] = None,
    ministry: Optional[str] = None,
    kind: Optional[str] = None,
    url: Optional[str] = None,
) -> CountResult:
    """How many winners. With no filter or only a category filter, the official
    per-category counts are used (10 / 5 / 60); other filters count listed rows."""
    cat = normalise_category(category) if category else None
    listed = winners(category, ministry, kind, url)
    cats = award_categories(url)
    by_category: Dict[str, int] = {}
    for a in listed:
        by_category[a.category] = by_category.get(a.category, 0) + 1
    official = not ministry and not kind
    if official:
        chosen = [c for c in cats if cat is None or c.key == cat]
        by_category = {c.key: c.count for c in chosen}
        count = sum(by_category.values())
        sources = sorted({c.source_url for c in chosen})
    else:
        count = len(listed)
        sources = sorted({a.source_url for a in listed})
    return CountResult(
        count=count,
        listed=len(listed),
        official=official,
        by_category=by_category,
        categories=cats,
        category=cat,
        ministry=ministry,
        kind=normalise_kind(kind) if kind else None,
        source_urls=sources,
    )


def get_body(key: str, url: Optional[str] = None) -> Optional[BodyInfo]:
    with session_scope(url) as s:
        body = s.execute(select(Body).where(Body.key == key)).scalar_one_or_none()
        return _body_info(body) if body else None


# ---------------------------------------------------------------- other content
def answer(key: str, url: Optional[str] = None) -> Optional[AnswerData]:
    with session_scope(url) as s:
        row = s.execute(select(Answer).where(Answer.key == key)).scalar_one_or_none()
        if row is None:
            return None
        return AnswerData(
            row.key,
            row.text_th,
            row.confidence,
            list(row.sources or []),
            list(row.buttons or []),
            list(row.yes_no or []),
            row.summary_en,
        )


def _meta(s, key: str) -> Optional[str]:
    row = s.get(ContentMeta, key)
    return row.value if row else None


def _bt_result(s, bt: BusinessType, exact: bool) -> LicenceResult:
    related = []
    if bt.related:
        for r in s.execute(
            select(BusinessType).where(BusinessType.key.in_(bt.related))
        ).scalars():
            related.append(
                {"key": r.key, "name_th": r.name_th, "licences": list(r.licences or [])}
            )
    return LicenceResult(
        bt.key,
        bt.name_th,
        bt.guide_th,
        list(bt.licences or []),
        related,
        bt.note_th,
        _meta(s, "licence_catalogue_note"),
        bt.source_url,
        exact,
    )


def business_type_matcher(session) -> NameMatcher:
    rows = session.execute(
        select(BusinessType.key, BusinessTypeAlias.alias).join(
            BusinessTypeAlias, BusinessTypeAlias.business_type_id == BusinessType.id
        )
    ).all()
    return NameMatcher.from_pairs(rows)


def licences_for(
    business_type_text: str, url: Optional[str] = None
) -> Optional[LicenceResult]:
    """Licences for a business type named (or mentioned) in the text, or None."""
    with session_scope(url) as s:
        matcher = business_type_matcher(s)
        m = matcher.resolve(business_type_text)
        if m is None:
            found = matcher.find_mentions(business_type_text)
            m = found[0] if found else None
        if m is None:
            return None
        bt = s.execute(
            select(BusinessType).where(BusinessType.key == m.body_key)
        ).scalar_one()
        return _bt_result(s, bt, m.exact)


def business_types(url: Optional[str] = None) -> List[str]:
    with session_scope(url) as s:
        return list(
            s.execute(
                select(BusinessType.name_th).order_by(BusinessType.sort_order)
            ).scalars()
        )


def document_type(text: str, url: Optional[str] = None) -> Optional[DocumentInfo]:
    """The document type named or mentioned in the text, and whether No-Copy
    covers it."""
    with session_scope(url) as s:
        rows = s.execute(
            select(DocumentType.key, DocumentTypeAlias.alias).join(
                DocumentTypeAlias, DocumentTypeAlias.document_type_id == DocumentType.id
            )
        ).all()
        matcher = NameMatcher.from_pairs(rows)
        m = matcher.resolve(text)
        if m is None:
            found = matcher.find_mentions(text)
            m = found[0] if found else None
        if m is None:
            return None
        d = s.execute(
            select(DocumentType).where(DocumentType.key == m.body_key)
        ).scalar_one()
        return DocumentInfo(d.key, d.name_th, d.nocopy, d.note_th, d.source_url)


# ---------------------------------------------------------------- runtime records
@dataclass(frozen=True)
class UnansweredRow:
    id: int
    created_at: datetime
    channel: Optional[str]
    text: str
    reason: str
    intent: Optional[str]
    confidence: Optional[float]
    top_intents: List[dict]
    taught_at: Optional[datetime]
    taught_intent: Optional[str]


def record_unanswered(
    text: str,
    reason: str,
    channel: Optional[str] = None,
    intent: Optional[str] = None,
    confidence: Optional[float] = None,
    top_intents: Optional[List[dict]] = None,
    message_ref: Optional[str] = None,
    url: Optional[str] = None,
) -> bool:
    """Store one unanswered question (``text`` must already be PII-masked).
    Returns False when the same message (``message_ref``) was stored before."""
    if reason not in UNANSWERED_REASONS:
        raise ValueError(f"reason must be one of {UNANSWERED_REASONS}")
    row = UnansweredQuestion(
        created_at=utcnow(),
        channel=(channel or None) and channel[:64],
        text=text,
        reason=reason,
        intent=intent,
        confidence=confidence,
        top_intents=list(top_intents or []),
        message_ref=message_ref,
    )
    try:
        with session_scope(url) as s:
            s.add(row)
    except IntegrityError:
        if message_ref is None:
            raise
        return False
    return True


def record_rating(
    intent: str,
    rating: str,
    channel: Optional[str] = None,
    action: Optional[str] = None,
    message_ref: Optional[str] = None,
    url: Optional[str] = None,
) -> bool:
    """Store a 👍 (``good``) / 👎 (``bad``) for the answer to ``intent``.
    Returns False when the same message was stored before."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}")
    try:
        with session_scope(url) as s:
            s.add(
                AnswerRating(
                    created_at=utcnow(),
                    channel=(channel or None) and channel[:64],
                    intent=intent,
                    action=action,
                    rating=rating,
                    message_ref=message_ref,
                )
            )
    except IntegrityError:
        if message_ref is None:
            raise
        return False
    return True


def unanswered_questions(
    include_taught: bool = False,
    since: Optional[datetime] = None,
    url: Optional[str] = None,
) -> List[UnansweredRow]:
    """Recorded questions, newest first (open ones only unless ``include_taught``)."""
    stmt = select(UnansweredQuestion).order_by(
        UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc()
    )
    if not include_taught:
        stmt = stmt.where(UnansweredQuestion.taught_at.is_(None))
    if since is not None:
        stmt = stmt.where(UnansweredQuestion.created_at >= since)
    with session_scope(url) as s:
        return [
            UnansweredRow(
                r.id,
                r.created_at,
                r.channel,
                r.text,
                r.reason,
                r.intent,
                r.confidence,
                list(r.top_intents or []),
                r.taught_at,
                r.taught_intent,
            )
            for r in s.execute(stmt).scalars()
        ]


def mark_taught(ids: Iterable[int], intent: str, url: Optional[str] = None) -> int:
    """Mark questions as taught to ``intent``; returns how many changed."""
    ids = list(ids)
    if not ids:
        return 0
    with session_scope(url) as s:
        result = s.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.id.in_(ids))
            .where(UnansweredQuestion.taught_at.is_(None))
            .values(taught_at=utcnow(), taught_intent=intent)
        )
        return result.rowcount or 0


def rating_counts(
    since: Optional[datetime] = None, url: Optional[str] = None
) -> Dict[str, Dict[str, int]]:
    """intent -> {"good": n, "bad": n}."""
    stmt = select(AnswerRating.intent, AnswerRating.rating, func.count()).group_by(
        AnswerRating.intent, AnswerRating.rating
    )
    if since is not None:
        stmt = stmt.where(AnswerRating.created_at >= since)
    out: Dict[str, Dict[str, int]] = {}
    with session_scope(url) as s:
        for intent, rating, n in s.execute(stmt).all():
            out.setdefault(intent, {"good": 0, "bad": 0})[rating] = n
    return out
