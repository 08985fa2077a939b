"""Read ``data/content/*.yml`` into a checked `ContentBundle`.

Each record is checked against its model in `bot.content.schema` (the one
description of the content); what needs several records (unique keys, aliases
no two bodies share, references, counts against lists) is checked here. Any
problem raises `ContentError` naming the file and the record, before anything
is written anywhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

from bot import settings
from bot.content import schema
from bot.content.matcher import normalise

FILES = (
    "bodies.yml",
    "provinces.yml",
    "awards.yml",
    "answers.yml",
    "business_types.yml",
    "document_types.yml",
    "registry.yml",
)
NAMES_VERSION = "names_version"

# libyaml's loader when present: same YAML 1.1 safe semantics, ~50x faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(ValueError):
    """Bad content: the message starts with the file name."""


@dataclass
class ContentBundle:
    bodies: List[dict] = field(default_factory=list)  # incl. provinces
    categories: List[dict] = field(default_factory=list)
    awards: List[dict] = field(default_factory=list)
    event: Dict[str, Any] = field(default_factory=dict)
    answers: Dict[str, dict] = field(default_factory=dict)
    business_types: List[dict] = field(default_factory=list)
    document_types: List[dict] = field(default_factory=list)
    meta: Dict[str, str] = field(default_factory=dict)


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_LOADER)
    except FileNotFoundError:
        raise ContentError(f"{path.name}: file not found in {path.parent}") from None
    except yaml.YAMLError as exc:
        raise ContentError(f"{path.name}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: top level must be a mapping")
    return data


def _parse(model: type, data: Any, fname: str, where: str) -> Any:
    try:
        return schema.parse(model, data, fname, where)
    except schema.SchemaError as error:
        raise ContentError(str(error)) from None


def _records(fname: str, data: dict, name: str) -> List[dict]:
    value = data.get(name)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ContentError(f"{fname}: '{name}' must be a list of mappings")
    return value


def _keyed(
    fname: str, items: List[dict], list_name: str, model: type
) -> Iterator[Tuple[str, Any]]:
    """(where, checked record) for each record of a list of keyed records;
    `where` names the record in error messages ("bodies[3] 'mea'")."""
    for i, item in enumerate(items):
        key = item.get("key")
        where = f"{list_name}[{i}]" + (f" '{key}'" if isinstance(key, str) else "")
        yield where, _parse(model, item, fname, where)


def _unique(fname: str, what: str, values: List[str]) -> None:
    seen = set()
    for v in values:
        if v in seen:
            raise ContentError(f"{fname}: duplicate {what} '{v}'")
        seen.add(v)


def _aliases(
    fname: str,
    where: str,
    names: List[Tuple[str, str]],
    owner: str,
    registry: Dict[str, Tuple[str, str]],
) -> List[Tuple[str, str]]:
    """De-duplicate (alias, kind) by normalised form; refuse an alias that
    another record already uses."""
    out: List[Tuple[str, str]] = []
    mine = set()
    for alias, kind in names:
        norm = normalise(alias)
        if not norm:
            raise ContentError(
                f"{fname}: {where}: alias {alias!r} is empty after normalising"
            )
        if norm in mine:
            continue
        other = registry.get(norm)
        if other is not None and other[0] != owner:
            raise ContentError(
                f"{fname}: {where}: alias '{alias}' is also used by "
                f"'{other[0]}' ({other[1]})"
            )
        registry[norm] = (owner, fname)
        mine.add(norm)
        out.append((alias, kind))
    return out


def _names_version(b: ContentBundle) -> str:
    """A digest of every name and award: the name resolver is rebuilt when it
    changes (bot.content.checks)."""
    names = [
        (x["key"], x["kind"], x["scan_needs_prefix"], sorted(x["_aliases"]))
        for x in b.bodies
    ]
    awards = sorted((a["category"], a["recipient"]) for a in b.awards)
    raw = json.dumps([names, awards], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ per file
_BODY_FILES = (
    ("bodies.yml", "bodies", schema.Body),
    ("provinces.yml", "provinces", schema.Province),
    ("registry.yml", "registry", schema.RegistryBody),
)


def _load_bodies(d: Path, b: ContentBundle) -> None:
    registry: Dict[str, Tuple[str, str]] = {}
    for fname, list_name, model in _BODY_FILES:
        names_only = model is schema.RegistryBody
        if names_only and not (d / fname).exists():
            continue
        items = _records(fname, _read(d / fname), list_name)
        for where, body in _keyed(fname, items, list_name, model):
            names = [(body.name_th, "name")]
            names += [(a, "abbr") for a in body.abbreviations]
            names += [(a, "alias") for a in body.aliases]
            if body.name_en:
                names.append((body.name_en, "en"))
            b.bodies.append(
                {
                    "key": body.key,
                    "name_th": body.name_th,
                    "name_en": body.name_en,
                    "kind": body.kind,
                    # the registry holds names only: no fact about a body
                    "parent_ministry": getattr(body, "parent_ministry", None),
                    "note_th": getattr(body, "note_th", None),
                    "see_also": list(getattr(body, "see_also", [])),
                    "_names_only": names_only,
                    "scan_needs_prefix": body.scan_needs_prefix,
                    "confidence": body.confidence,
                    "source_url": body.source,
                    "_aliases": _aliases(fname, where, names, body.key, registry),
                }
            )
    _unique(
        "bodies.yml/provinces.yml/registry.yml", "key", [x["key"] for x in b.bodies]
    )
    body_keys = {x["key"] for x in b.bodies}
    for body in b.bodies:
        for k in body["see_also"]:
            if k not in body_keys:
                raise ContentError(
                    f"bodies.yml: '{body['key']}': see_also '{k}' is not a body key"
                )


def _load_awards(d: Path, b: ContentBundle) -> None:
    fname = "awards.yml"
    top = _parse(schema.AwardsFile, _read(d / fname), fname, "top level")
    b.event = {"event": top.event, "event_th": top.event_th, "year": top.year}
    for i, item in enumerate(top.categories):
        c = _parse(schema.AwardCategory, item, fname, f"categories[{i}]")
        b.categories.append(
            {
                "key": c.key,
                "name_th": c.name_th,
                "label_th": c.label_th,
                "count": c.count,
                "confidence": c.confidence,
                "source_url": c.source,
            }
        )
    _unique(fname, "category", [c["key"] for c in b.categories])
    cat_counts = {c["key"]: c["count"] for c in b.categories}
    body_keys = {x["key"] for x in b.bodies}
    listed: Dict[str, int] = {}
    pairs = []
    for i, item in enumerate(top.awards):
        where = f"awards[{i}]"
        a = _parse(schema.Award, item, fname, where)
        if a.category not in cat_counts:
            raise ContentError(f"{fname}: {where}: unknown category {a.category!r}")
        if a.recipient not in body_keys:
            raise ContentError(
                f"{fname}: {where}: recipient {a.recipient!r} is not a "
                "body/province key"
            )
        pairs.append(f"{a.category}/{a.recipient}")
        listed[a.category] = listed.get(a.category, 0) + 1
        b.awards.append(
            {
                "category": a.category,
                "recipient": a.recipient,
                "confidence": a.confidence,
                "source_url": a.source,
            }
        )
    _unique(fname, "award", pairs)
    for cat, n in listed.items():
        if n > cat_counts[cat]:
            raise ContentError(
                f"{fname}: {n} recipients listed for '{cat}' "
                f"but its count is {cat_counts[cat]}"
            )


def _load_answers(d: Path, b: ContentBundle) -> None:
    fname = "answers.yml"
    top = _parse(schema.AnswersFile, _read(d / fname), fname, "top level")
    for key, item in top.answers.items():
        answer = _parse(schema.Answer, item, fname, f"answers '{key}'")
        sources = []
        for s in answer.sources:
            source = {"url": s.url, "title": s.title}
            link = top.citizen_links.get(s.url)
            if link:
                source["citizen_url"] = link.url
                source["citizen_label"] = link.label
            sources.append(source)
        b.answers[str(key)] = {
            "key": str(key),
            "text_th": answer.text,
            "yes_no": None
            if answer.yes_no is None
            else [rule.dict() for rule in answer.yes_no],
            "summary_en": answer.summary_en,
            "confidence": answer.confidence,
            "sources": sources,
            "buttons": [btn.dict() for btn in answer.buttons],
        }


def _load_business_types(d: Path, b: ContentBundle) -> None:
    fname = "business_types.yml"
    top = _parse(schema.BusinessTypesFile, _read(d / fname), fname, "top level")
    if top.catalogue_note:
        b.meta["licence_catalogue_note"] = top.catalogue_note
    registry: Dict[str, Tuple[str, str]] = {}
    for where, bt in _keyed(
        fname, top.business_types, "business_types", schema.BusinessType
    ):
        names = [(bt.name_th, "name")] + [(a, "alias") for a in bt.aliases]
        b.business_types.append(
            {
                "key": bt.key,
                "name_th": bt.name_th,
                "guide_th": bt.guide_th,
                "licences": [lic.dict() for lic in bt.licences],
                "related": list(bt.related),
                "note_th": bt.note_th,
                "confidence": bt.confidence,
                "source_url": bt.source or top.default_source,
                "_aliases": _aliases(fname, where, names, bt.key, registry),
            }
        )
    _unique(fname, "key", [x["key"] for x in b.business_types])
    keys = {x["key"] for x in b.business_types}
    for bt in b.business_types:
        for k in bt["related"]:
            if k not in keys:
                raise ContentError(
                    f"{fname}: '{bt['key']}': related '{k}' is not a business type"
                )


def _load_document_types(d: Path, b: ContentBundle) -> None:
    fname = "document_types.yml"
    registry: Dict[str, Tuple[str, str]] = {}
    items = _records(fname, _read(d / fname), "document_types")
    for where, dt in _keyed(fname, items, "document_types", schema.DocumentType):
        names = [(dt.name_th, "name")] + [(a, "alias") for a in dt.aliases]
        b.document_types.append(
            {
                "key": dt.key,
                "name_th": dt.name_th,
                "nocopy": dt.nocopy,
                "note_th": dt.note_th,
                "confidence": dt.confidence,
                "source_url": dt.source,
                "_aliases": _aliases(fname, where, names, dt.key, registry),
            }
        )
    _unique(fname, "key", [x["key"] for x in b.document_types])


def load_content(content_dir: Optional[Path | str] = None) -> ContentBundle:
    """Read and check every content file. Raises :class:`ContentError`."""
    d = Path(content_dir) if content_dir else settings.CONTENT_DIR
    b = ContentBundle()
    _load_bodies(d, b)
    _load_awards(d, b)
    b.meta[NAMES_VERSION] = _names_version(b)
    _load_answers(d, b)
    _load_business_types(d, b)
    _load_document_types(d, b)
    return b
