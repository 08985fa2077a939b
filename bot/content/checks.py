"""Award checks: did the body or province the citizen named win?

Name resolution follows :mod:`bot.content.resolution` (named means named; the
names-only registry wins ties); this module only adds what the database says
about the bodies found. Every function opens its own session, so an edit shows
in the next answer.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select

from bot.content.db import session_scope
from bot.content.loader import NAMES_VERSION
from bot.content.models import Award, AwardCategory, Body, BodyAlias, ContentMeta
from bot.content.repository import _body_info, _cat_info
from bot.content.resolution import MAX_SPAN, Name, Named, Resolver
from bot.content.results import NOT_WINNER, UNKNOWN, WINNER, AwardInfo, CheckResult

MAX_NAMES = 5
SUGGEST_THRESHOLD = 0.6


def resolver(session) -> Resolver:
    """A resolver over every body, province and registry name in the DB, built
    once per content version (the importer stores the version; every staff
    edit goes through the importer, so an edit shows at the next message)."""
    version = session.get(ContentMeta, NAMES_VERSION)
    if version is not None and version.value in _BY_VERSION:
        return _BY_VERSION[version.value]
    rows = session.execute(
        select(
            Body.key, BodyAlias.alias, BodyAlias.kind, Body.scan_needs_prefix, Body.kind
        ).join(BodyAlias, BodyAlias.body_id == Body.id)
    ).all()
    winners = session.execute(
        select(Body.key).join(Award, Award.body_id == Body.id).distinct()
    ).scalars()
    built = _resolver(tuple(map(tuple, rows)), frozenset(winners))
    if version is not None:
        _BY_VERSION.clear()
        _BY_VERSION[version.value] = built
    return built


_BY_VERSION: Dict[str, Resolver] = {}


@lru_cache(maxsize=2)
def _resolver(rows: tuple, winners: frozenset) -> Resolver:
    return Resolver(
        (Name(k, a, kind, bool(p)) for k, a, kind, p, _bk in rows),
        winners=winners,
        provinces={k for k, _a, _kind, _p, bk in rows if bk == "province"},
    )


def _winner_keys(s) -> Dict[str, List[Award]]:
    out: Dict[str, List[Award]] = {}
    for award, key in s.execute(
        select(Award, Body.key).join(Body, Award.body_id == Body.id)
    ).all():
        out.setdefault(key, []).append(award)
    return out


def _award_infos(s, body: Body, awards: List[Award]) -> List[AwardInfo]:
    cats = {c.key: c for c in s.execute(select(AwardCategory)).scalars()}
    out = []
    for a in sorted(awards, key=lambda a: a.sort_order):
        c = cats.get(a.category)
        out.append(
            AwardInfo(
                a.category,
                c.name_th if c else a.category,
                c.label_th if c else a.category,
                a.event,
                a.year,
                a.source_url,
                _body_info(body),
            )
        )
    return out


def _see_also_winner(s, body: Body, winner_keys) -> Optional[Body]:
    """The winner the content names on purpose as "หมายถึง … หรือไม่"."""
    for key in body.see_also or []:
        if key in winner_keys:
            w = s.execute(select(Body).where(Body.key == key)).scalar_one_or_none()
            if w is not None:
                return w
    return None


def _result(s, named: Named, winner_keys, res: Resolver) -> CheckResult:
    if named.key is None:
        key = res.most_similar(named.span, winner_keys, SUGGEST_THRESHOLD)
        sug = None
        if key is not None:
            sug = s.execute(select(Body).where(Body.key == key)).scalar_one()
        return CheckResult(
            UNKNOWN,
            named.span[:MAX_SPAN],
            exact=False,
            score=0.0,
            suggestion=_body_info(sug) if sug else None,
        )
    body = s.execute(select(Body).where(Body.key == named.key)).scalar_one()
    if body.key in winner_keys:
        return CheckResult(
            WINNER,
            named.span,
            _body_info(body),
            named.exact,
            1.0 if named.exact else 0.9,
            awards=_award_infos(s, body, winner_keys[body.key]),
        )
    result = CheckResult(NOT_WINNER, named.span, _body_info(body), named.exact)
    if body.kind == "province":
        cat = s.execute(
            select(AwardCategory).where(AwardCategory.key == "province")
        ).scalar_one_or_none()
        result.category = _cat_info(cat) if cat else None
        result.category_winners = [
            _body_info(b)
            for b in s.execute(
                select(Body)
                .join(Award, Award.body_id == Body.id)
                .where(Award.category == "province")
                .order_by(Award.sort_order)
            ).scalars()
        ]
    sug = _see_also_winner(s, body, winner_keys)
    result.suggestion = _body_info(sug) if sug else None
    return result


def check_winner(name_or_key: str, url: Optional[str] = None) -> CheckResult:
    """Did the body or province ``name_or_key`` names win? (a key, an entity
    value, a button payload: one name, resolved whole)."""
    query = (name_or_key or "").strip()
    with session_scope(url) as s:
        winner_keys = _winner_keys(s)
        res = resolver(s)
        body = s.execute(select(Body).where(Body.key == query)).scalar_one_or_none()
        if body is not None:
            named = Named(body.name_th, body.key, True, 0)
        else:
            unknown = Named(query[:MAX_SPAN], None, False, 0)
            named = res.resolve(query) or unknown
        return _result(s, named, winner_keys, res)


def check_message(
    text: str, hints: Sequence[Tuple[int, int]] = (), url: Optional[str] = None
) -> List[CheckResult]:
    """One result per name in the message (at most MAX_NAMES), in order.
    ``hints``: spans the NLU model tagged as body/province."""
    with session_scope(url) as s:
        winner_keys = _winner_keys(s)
        res = resolver(s)
        found = res.named(text, hints)[:MAX_NAMES]
        return [_result(s, n, winner_keys, res) for n in found]


def resolve_body(name: str, url: Optional[str] = None) -> Optional[Named]:
    """The body or province ``name`` names, or None."""
    with session_scope(url) as s:
        return resolver(s).resolve(name)


def named_in(text: str, url: Optional[str] = None) -> List[Named]:
    """Every known body or province named in ``text`` (no unknown spans)."""
    with session_scope(url) as s:
        return [n for n in resolver(s).named(text) if n.key is not None]
