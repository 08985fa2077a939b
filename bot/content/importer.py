"""Import ``data/content/*.yml`` into the service DB.

``import_content(content_dir, url=None)`` migrates the DB, reads and checks
every file (`bot.content.loader`, raising :class:`ContentError` naming the
file on any problem, before touching the DB), then syncs the DB to the YAML in
one transaction: rows are upserted by key and rows no longer in the YAML are
deleted.

CLI: ``python -m bot.content.importer [--content DIR] [--url URL]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from sqlalchemy import delete, select

from bot import settings
from bot.content.db import migrate, session_scope
from bot.content.loader import (
    ContentBundle,
    ContentError,
    load_content,
)
from bot.content.matcher import normalise
from bot.content.models import (
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
