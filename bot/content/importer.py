"""Import ``data/content/*.yml`` into the service DB.

``import_content(content_dir, url=None)`` migrates the DB, validates every file
(raising :class:`ContentError` naming the file on any problem, before touching
the DB), then syncs the DB to the YAML in one transaction: rows are upserted by
key and rows no longer in the YAML are deleted.

CLI: ``python -m bot.content.importer [--content DIR] [--url URL]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from sqlalchemy import delete, select

from bot import settings
from bot.content.db import migrate, session_scope
from bot.content.matcher import normalise
from bot.content.models import (
    AWARD_CATEGORIES,
    BODY_KINDS,
    Answer,
    Award,
    AwardCategory,
    Body,
    BodyAlias,
    BusinessType,
    BusinessTypeAlias,
    ContentMeta,
    DocumentType,
    DocumentTypeAlias,
    utcnow,
)

FILES = (
    "bodies.yml",
    "provinces.yml",
    "awards.yml",
    "answers.yml",
    "business_types.yml",
    "document_types.yml",
    "registry.yml",
)
CONFIDENCE = {"HIGH", "MED-HIGH", "MED", "LOW-MED"}
NOCOPY_VALUES = {"yes", "no", "partial"}
MAX_BUTTON_TITLE = 20


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


# ---------------------------------------------------------------- validation helpers
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


def _req_str(fname: str, where: str, item: dict, name: str, optional: bool = False):
    value = item.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{fname}: {where}: '{name}' must be a non-empty string")
    return value.strip()


def _str_list(fname: str, where: str, item: dict, name: str) -> List[str]:
    value = item.get(name) or []
    if not isinstance(value, list) or not all(
        isinstance(v, (str, int)) and str(v).strip() for v in value
    ):
        raise ContentError(f"{fname}: {where}: '{name}' must be a list of strings")
    return [str(v).strip() for v in value]


def _key(fname: str, where: str, item: dict) -> str:
    key = _req_str(fname, where, item, "key")
    if not all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        raise ContentError(f"{fname}: {where}: key '{key}' must be an ASCII slug")
    return key


def _url(fname: str, where: str, value: Any, optional: bool = False) -> Optional[str]:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.startswith("https://"):
        raise ContentError(
            f"{fname}: {where}: source must be an https:// URL, got {value!r}"
        )
    return value


def _confidence(fname: str, where: str, item: dict, optional: bool = True):
    value = item.get("confidence")
    if value is None and optional:
        return None
    if value not in CONFIDENCE:
        raise ContentError(
            f"{fname}: {where}: confidence must be one of {sorted(CONFIDENCE)}, "
            f"got {value!r}"
        )
    return value


def _list_of_dicts(fname: str, data: dict, name: str) -> List[dict]:
    value = data.get(name)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ContentError(f"{fname}: '{name}' must be a list of mappings")
    return value


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


# ---------------------------------------------------------------- loading
NAMES_VERSION = "names_version"


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


def _yes_no(fname: str, where: str, rules: Any) -> Optional[List[dict]]:
    """``yes_no``: the first line for a yes/no question, by words in it."""
    if rules is None:
        return None
    if not isinstance(rules, list):
        raise ContentError(f"{fname}: {where}: 'yes_no' must be a list")
    out = []
    for i, rule in enumerate(rules):
        w = f"{where}: yes_no[{i}]"
        if not isinstance(rule, dict):
            raise ContentError(f"{fname}: {w}: needs 'when' and 'lead_th'")
        when = _str_list(fname, w, rule, "when")
        lead = _req_str(fname, w, rule, "lead_th")
        if "\n" in lead:
            raise ContentError(f"{fname}: {w}: 'lead_th' must be one line")
        out.append(
            {
                "when": when,
                "lead_th": lead,
                "lead_en": _req_str(fname, w, rule, "lead_en", optional=True),
            }
        )
    return out


def load_content(content_dir: Optional[Path | str] = None) -> ContentBundle:
    """Read and validate every content file. Raises :class:`ContentError`."""
    d = Path(content_dir) if content_dir else settings.CONTENT_DIR
    b = ContentBundle()
    registry: Dict[str, Tuple[str, str]] = {}

    # bodies + provinces
    for fname, list_name in (
        ("bodies.yml", "bodies"),
        ("provinces.yml", "provinces"),
        ("registry.yml", "registry"),
    ):
        names_only = list_name == "registry"
        if names_only and not (d / fname).exists():
            continue
        data = _read(d / fname)
        for i, item in enumerate(_list_of_dicts(fname, data, list_name)):
            where = f"{list_name}[{i}]"
            key = _key(fname, where, item)
            where = f"{list_name}[{i}] '{key}'"
            kind = "province" if list_name == "provinces" else item.get("kind")
            if kind not in BODY_KINDS:
                raise ContentError(
                    f"{fname}: {where}: kind must be one of {BODY_KINDS}"
                )
            name_th = _req_str(fname, where, item, "name_th")
            name_en = _req_str(fname, where, item, "name_en", optional=True)
            names = [(name_th, "name")]
            names += [
                (a, "abbr") for a in _str_list(fname, where, item, "abbreviations")
            ]
            names += [(a, "alias") for a in _str_list(fname, where, item, "aliases")]
            if name_en:
                names.append((name_en, "en"))
            body = {
                "key": key,
                "name_th": name_th,
                "name_en": name_en,
                "kind": kind,
                # the registry holds names only: no fact about a body
                "parent_ministry": None
                if names_only
                else _req_str(fname, where, item, "parent_ministry", True),
                "note_th": None
                if names_only
                else _req_str(fname, where, item, "note_th", True),
                "see_also": []
                if names_only
                else _str_list(fname, where, item, "see_also"),
                "_names_only": names_only,
                "scan_needs_prefix": bool(item.get("scan_needs_prefix", False)),
                "confidence": _confidence(fname, where, item),
                "source_url": _url(fname, where, item.get("source"), optional=True),
                "_aliases": _aliases(fname, where, names, key, registry),
            }
            b.bodies.append(body)
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

    # awards
    fname = "awards.yml"
    data = _read(d / fname)
    b.event = {
        "event": _req_str(fname, "top level", data, "event"),
        "event_th": _req_str(fname, "top level", data, "event_th", optional=True),
        "year": data.get("year"),
    }
    if not isinstance(b.event["year"], int):
        raise ContentError(f"{fname}: 'year' must be an integer")
    for i, item in enumerate(_list_of_dicts(fname, data, "categories")):
        where = f"categories[{i}]"
        key = _key(fname, where, item)
        if key not in AWARD_CATEGORIES:
            raise ContentError(
                f"{fname}: {where}: category key must be one of {AWARD_CATEGORIES}"
            )
        count = item.get("count")
        if not isinstance(count, int) or count < 0:
            raise ContentError(
                f"{fname}: {where}: 'count' must be a non-negative integer"
            )
        b.categories.append(
            {
                "key": key,
                "name_th": _req_str(fname, where, item, "name_th"),
                "label_th": _req_str(fname, where, item, "label_th"),
                "count": count,
                "confidence": _confidence(fname, where, item),
                "source_url": _url(fname, where, item.get("source")),
            }
        )
    _unique(fname, "category", [c["key"] for c in b.categories])
    cat_counts = {c["key"]: c["count"] for c in b.categories}
    listed: Dict[str, int] = {}
    pairs = []
    for i, item in enumerate(_list_of_dicts(fname, data, "awards")):
        where = f"awards[{i}]"
        cat = item.get("category")
        if cat not in cat_counts:
            raise ContentError(f"{fname}: {where}: unknown category {cat!r}")
        rec = item.get("recipient")
        if rec not in body_keys:
            raise ContentError(
                f"{fname}: {where}: recipient {rec!r} is not a body/province key"
            )
        pairs.append(f"{cat}/{rec}")
        listed[cat] = listed.get(cat, 0) + 1
        b.awards.append(
            {
                "category": cat,
                "recipient": rec,
                "confidence": _confidence(fname, where, item),
                "source_url": _url(fname, where, item.get("source")),
            }
        )
    _unique(fname, "award", pairs)
    for cat, n in listed.items():
        if n > cat_counts[cat]:
            raise ContentError(
                f"{fname}: {n} recipients listed for '{cat}' "
                f"but its count is {cat_counts[cat]}"
            )

    b.meta[NAMES_VERSION] = _names_version(b)

    # answers
    fname = "answers.yml"
    data = _read(d / fname)
    answers = data.get("answers")
    if not isinstance(answers, dict):
        raise ContentError(
            f"{fname}: 'answers' must be a mapping of intent name -> answer"
        )
    citizen_links = data.get("citizen_links") or {}
    if not isinstance(citizen_links, dict):
        raise ContentError(f"{fname}: 'citizen_links' must be a mapping url -> link")
    for prov, link in citizen_links.items():
        if not isinstance(link, dict):
            raise ContentError(f"{fname}: citizen_links '{prov}': needs url and label")
        _url(fname, "citizen_links", prov)  # the provenance is a URL too
        _url(fname, f"citizen_links '{prov}'", link.get("url"))
        _req_str(fname, f"citizen_links '{prov}'", link, "label")
    for key, item in answers.items():
        where = f"answers '{key}'"
        if not isinstance(item, dict):
            raise ContentError(f"{fname}: {where}: must be a mapping")
        text = _req_str(fname, where, item, "text")
        sources = item.get("sources")
        if not isinstance(sources, list) or not sources:
            raise ContentError(f"{fname}: {where}: 'sources' must be a non-empty list")
        clean_sources = []
        for s in sources:
            if not isinstance(s, dict):
                raise ContentError(f"{fname}: {where}: each source needs url and title")
            source = {
                "url": _url(fname, where, s.get("url")),
                "title": _req_str(fname, where, s, "title"),
            }
            link = citizen_links.get(source["url"])
            if link:
                source["citizen_url"] = link["url"]
                source["citizen_label"] = link["label"]
            clean_sources.append(source)
        buttons = item.get("buttons") or []
        if not isinstance(buttons, list):
            raise ContentError(f"{fname}: {where}: 'buttons' must be a list")
        clean_buttons = []
        for btn in buttons:
            if not isinstance(btn, dict):
                raise ContentError(
                    f"{fname}: {where}: each button needs title and payload"
                )
            title = _req_str(fname, where, btn, "title")
            payload = _req_str(fname, where, btn, "payload")
            if len(title) > MAX_BUTTON_TITLE:
                raise ContentError(
                    f"{fname}: {where}: button title '{title}' is longer "
                    f"than {MAX_BUTTON_TITLE}"
                )
            if payload.startswith("/"):
                raise ContentError(
                    f"{fname}: {where}: button payload '{payload}' must be "
                    "Thai text, not /intent"
                )
            clean_buttons.append({"title": title, "payload": payload})
        b.answers[str(key)] = {
            "key": str(key),
            "text_th": text,
            "yes_no": _yes_no(fname, where, item.get("yes_no")),
            "summary_en": _req_str(fname, where, item, "summary_en", optional=True),
            "confidence": _confidence(fname, where, item, optional=False),
            "sources": clean_sources,
            "buttons": clean_buttons,
        }

    # business types
    fname = "business_types.yml"
    data = _read(d / fname)
    default_source = _url(fname, "top level", data.get("default_source"), optional=True)
    note = _req_str(fname, "top level", data, "catalogue_note", optional=True)
    if note:
        b.meta["licence_catalogue_note"] = note
    bt_registry: Dict[str, Tuple[str, str]] = {}
    for i, item in enumerate(_list_of_dicts(fname, data, "business_types")):
        where = f"business_types[{i}]"
        key = _key(fname, where, item)
        where = f"business_types[{i}] '{key}'"
        name_th = _req_str(fname, where, item, "name_th")
        names = [(name_th, "name")] + [
            (a, "alias") for a in _str_list(fname, where, item, "aliases")
        ]
        licences = item.get("licences") or []
        if not isinstance(licences, list):
            raise ContentError(f"{fname}: {where}: 'licences' must be a list")
        clean = []
        for lic in licences:
            if not isinstance(lic, dict):
                raise ContentError(f"{fname}: {where}: each licence needs a name")
            clean.append(
                {
                    "name": _req_str(fname, where, lic, "name"),
                    "note": _req_str(fname, where, lic, "note", optional=True),
                    "confidence": _confidence(fname, where, lic),
                }
            )
        b.business_types.append(
            {
                "key": key,
                "name_th": name_th,
                "guide_th": _req_str(fname, where, item, "guide_th", optional=True),
                "licences": clean,
                "related": _str_list(fname, where, item, "related"),
                "note_th": _req_str(fname, where, item, "note_th", optional=True),
                "confidence": _confidence(fname, where, item),
                "source_url": _url(
                    fname, where, item.get("source", default_source), True
                ),
                "_aliases": _aliases(fname, where, names, key, bt_registry),
            }
        )
    _unique(fname, "key", [x["key"] for x in b.business_types])
    bt_keys = {x["key"] for x in b.business_types}
    for bt in b.business_types:
        for k in bt["related"]:
            if k not in bt_keys:
                raise ContentError(
                    f"{fname}: '{bt['key']}': related '{k}' is not a business type"
                )

    # document types
    fname = "document_types.yml"
    data = _read(d / fname)
    dt_registry: Dict[str, Tuple[str, str]] = {}
    for i, item in enumerate(_list_of_dicts(fname, data, "document_types")):
        where = f"document_types[{i}]"
        key = _key(fname, where, item)
        where = f"document_types[{i}] '{key}'"
        name_th = _req_str(fname, where, item, "name_th")
        nocopy = (
            str(item.get("nocopy")).lower() if item.get("nocopy") is not None else None
        )
        if nocopy in ("true", "false"):  # YAML 1.1 reads yes/no as booleans
            nocopy = "yes" if nocopy == "true" else "no"
        if nocopy not in NOCOPY_VALUES:
            raise ContentError(
                f"{fname}: {where}: nocopy must be one of {sorted(NOCOPY_VALUES)}"
            )
        names = [(name_th, "name")] + [
            (a, "alias") for a in _str_list(fname, where, item, "aliases")
        ]
        b.document_types.append(
            {
                "key": key,
                "name_th": name_th,
                "nocopy": nocopy,
                "note_th": _req_str(fname, where, item, "note_th", optional=True),
                "confidence": _confidence(fname, where, item),
                "source_url": _url(fname, where, item.get("source"), optional=True),
                "_aliases": _aliases(fname, where, names, key, dt_registry),
            }
        )
    _unique(fname, "key", [x["key"] for x in b.document_types])
    return b


# ---------------------------------------------------------------- syncing
def _public(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def _upsert(session, model, items: List[dict], order: bool = True) -> Dict[str, Any]:
    """Upsert ``items`` (dicts with 'key') into ``model``; delete rows not in items.
    Returns key -> row."""
    existing = {row.key: row for row in session.execute(select(model)).scalars()}
    wanted = set()
    out = {}
    for i, item in enumerate(items):
        values = _public(item)
        if order and hasattr(model, "sort_order"):
            values["sort_order"] = i
        wanted.add(values["key"])
        row = existing.get(values["key"])
        if row is None:
            row = model(**values)
            session.add(row)
        else:
            for k, v in values.items():
                if getattr(row, k) != v:
                    setattr(row, k, v)
        out[values["key"]] = row
    for key, row in existing.items():
        if key not in wanted:
            session.delete(row)
    session.flush()
    return out


def _sync(session, b: ContentBundle) -> Dict[str, int]:
    # aliases are replaced wholesale (removed first, so an alias can move
    # from one record to another)
    session.execute(delete(BodyAlias))
    session.execute(delete(BusinessTypeAlias))
    session.execute(delete(DocumentTypeAlias))
    session.execute(delete(Award))
    session.flush()

    bodies = _upsert(session, Body, b.bodies)
    for body in b.bodies:
        for alias, kind in body["_aliases"]:
            session.add(
                BodyAlias(
                    body_id=bodies[body["key"]].id,
                    alias=alias,
                    alias_norm=normalise(alias),
                    kind=kind,
                )
            )

    cats = [
        dict(
            c,
            event=b.event["event"],
            event_th=b.event["event_th"],
            year=b.event["year"],
        )
        for c in b.categories
    ]
    _upsert(session, AwardCategory, cats, order=False)
    for i, a in enumerate(b.awards):
        session.add(
            Award(
                event=b.event["event"],
                year=b.event["year"],
                category=a["category"],
                body_id=bodies[a["recipient"]].id,
                confidence=a["confidence"],
                source_url=a["source_url"],
                sort_order=i,
            )
        )

    # answers: keep updated_at when nothing changed
    existing = {row.key: row for row in session.execute(select(Answer)).scalars()}
    for key, item in b.answers.items():
        row = existing.pop(key, None)
        if row is None:
            session.add(Answer(**item, updated_at=utcnow()))
            continue
        changed = False
        for k, v in item.items():
            if getattr(row, k) != v:
                setattr(row, k, v)
                changed = True
        if changed:
            row.updated_at = utcnow()
    for row in existing.values():
        session.delete(row)

    bts = _upsert(session, BusinessType, b.business_types)
    for bt in b.business_types:
        for alias, _kind in bt["_aliases"]:
            session.add(
                BusinessTypeAlias(
                    business_type_id=bts[bt["key"]].id,
                    alias=alias,
                    alias_norm=normalise(alias),
                )
            )
    dts = _upsert(session, DocumentType, b.document_types)
    for dt in b.document_types:
        for alias, _kind in dt["_aliases"]:
            session.add(
                DocumentTypeAlias(
                    document_type_id=dts[dt["key"]].id,
                    alias=alias,
                    alias_norm=normalise(alias),
                )
            )

    existing_meta = {
        row.key: row for row in session.execute(select(ContentMeta)).scalars()
    }
    for key, value in b.meta.items():
        row = existing_meta.pop(key, None)
        if row is None:
            session.add(ContentMeta(key=key, value=value))
        else:
            row.value = value
    for row in existing_meta.values():
        session.delete(row)
    session.flush()
    return {
        "bodies": len(b.bodies),
        "awards": len(b.awards),
        "answers": len(b.answers),
        "business_types": len(b.business_types),
        "document_types": len(b.document_types),
    }


def import_content(
    content_dir: Optional[Path | str] = None, url: Optional[str] = None
) -> Dict[str, int]:
    """Migrate the DB, validate the YAML and sync the DB to it (all or nothing)."""
    bundle = load_content(content_dir)  # validate before touching the DB
    migrate(url)
    with session_scope(url) as session:
        return _sync(session, bundle)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Import data/content/*.yml into the service DB"
    )
    parser.add_argument(
        "--content", default=str(settings.CONTENT_DIR), help="content folder"
    )
    parser.add_argument(
        "--url", default=None, help="DB URL (default: $DATABASE_URL or var/service.db)"
    )
    args = parser.parse_args(argv)
    try:
        counts = import_content(args.content, args.url)
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 2
    print("imported: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
