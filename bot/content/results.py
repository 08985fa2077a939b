"""What the content queries return: plain frozen dataclasses, so actions and
wording never hold a database row (bot/content/repository.py fills them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

WINNER, NOT_WINNER, UNKNOWN = "winner", "not_winner", "unknown"


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
