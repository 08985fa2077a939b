"""Content queries the actions use: awards, answers, licences, documents.
Plain functions, testable without Rasa.

Every function opens its own session and reads the DB on each call (no cache),
so an edit to the DB shows in the next answer. They return the dataclasses of
`bot.content.results`. Read-only: what citizens did is written by
`bot.content.records`; the words citizens use live in `bot.content.vocabulary`.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from sqlalchemy import select

from bot.content.db import session_scope
from bot.content.matcher import NameMatcher, normalise
from bot.content.models import (
    Answer,
    Award,
    AwardCategory,
    Body,
    BusinessType,
    BusinessTypeAlias,
    ContentMeta,
    DocumentType,
    DocumentTypeAlias,
)
from bot.content.results import (
    AnswerData,
    AwardInfo,
    BodyInfo,
    CategoryInfo,
    CountResult,
    DocumentInfo,
    LicenceResult,
)
from bot.content.vocabulary import normalise_category, normalise_kind


def _body_info(b: Body) -> BodyInfo:
    return BodyInfo(b.key, b.name_th, b.name_en, b.kind, b.parent_ministry, b.note_th)


def _cat_info(c: AwardCategory) -> CategoryInfo:
    return CategoryInfo(
        c.key, c.name_th, c.label_th, c.count, c.source_url, c.event, c.event_th, c.year
    )


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


