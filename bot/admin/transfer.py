"""``export`` / ``import`` of the content as YAML files or CSV sheets.

YAML: the content files themselves (copied out; copied in after validation).

CSV (UTF-8 with BOM, so spreadsheet programs show Thai): one sheet per list;
lists inside a cell are separated by `` | ``; nested lists have their own
sheet with the parent key in the first column:

=========================  ==================================================
answers.csv                key, confidence, text
answer_sources.csv         answer_key, url, title (one row per source)
answer_buttons.csv         answer_key, title, payload
bodies.csv                 key, name_th, name_en, kind, parent_ministry,
                           abbreviations, aliases, see_also, scan_needs_prefix,
                           note_th, confidence, source
provinces.csv              as bodies.csv without kind
award_categories.csv       key, name_th, label_th, count, confidence, source
awards.csv                 category, recipient, confidence, source
business_types.csv         key, name_th, guide_th, aliases, related, note_th,
                           confidence, source
business_licences.csv      business_type_key, name, note, confidence
document_types.csv         key, name_th, aliases, nocopy, note_th, confidence,
                           source
settings.csv               file, field, value (event, event_th, year,
                           catalogue_note, default_source)
=========================  ==================================================

Import applies the sheets that are present (a sheet and its nested sheets go
together) to the YAML files in place: unchanged rows keep their comments and
formatting, rows follow the sheet's order, rows missing from a sheet are
removed. Exporting and importing again changes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, List, Sequence

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.admin import yamlio
from bot.admin.csv_sheets import (
    AWARD_COLUMNS,
    BODY_COLUMNS,
    BUSINESS_COLUMNS,
    CATEGORY_COLUMNS,
    DOCUMENT_COLUMNS,
    GROUPS,
    LICENCE_COLUMNS,
    PROVINCE_COLUMNS,
    SETTINGS,
    SHEETS,
    Column,
    Sheet,
    apply_row,
    cell,
    child_rows,
    keyed_rows,
    new_map,
    parse_cell,
    read_sheet,
    reorder,
    rows_of,
    write_sheet,
)
from bot.admin.edit import ContentEdit, Result, load_bundle
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content.loader import FILES


# ---------------------------------------------------------------- applying sheets
def _apply_keyed_list(
    doc: Any, list_name: str, sheet: Sheet, columns: Sequence[Column]
) -> List[str]:
    seq = doc.get(list_name)
    current = {str(i.get("key")): i for i in seq}
    items = []
    for line, key, row in keyed_rows(sheet, "key"):
        item = current.get(key)
        where = f"{sheet.name}:{line}"
        if item is None:
            item = new_map(row, columns, where)
        else:
            apply_row(item, row, columns, where)
        items.append(item)
    reorder(seq, items)
    return [str(i.get("key")) for i in items]


def _apply_answers(edit: ContentEdit, sheets: Dict[str, Sheet]) -> None:
    answers = edit.doc("answers.yml")["answers"]
    rows = keyed_rows(sheets["answers.csv"], "key")
    keys = [k for _l, k, _r in rows]
    sources = child_rows(sheets["answer_sources.csv"], keys, ["url", "title"])
    buttons = child_rows(sheets["answer_buttons.csv"], keys, ["title", "payload"])
    for key in [k for k in answers if k not in keys]:
        del answers[key]
    for line, key, row in rows:
        where = f"answers.csv:{line}"
        item = answers.get(key)
        if item is None:
            item = CommentedMap()
            answers[key] = item
        apply_row(
            item,
            row,
            [("confidence", "confidence", "str"), ("text", "text", "text")],
            where,
        )
        for name, child, cols in (
            ("sources", sources[key], ("url", "title")),
            ("buttons", buttons[key], ("title", "payload")),
        ):
            new = [{c: (r.get(c) or "").strip() for c in cols} for _w, r in child]
            cur = [{c: str(x.get(c)) for c in cols} for x in item.get(name) or []]
            if new == cur:
                continue
            if not new and name == "buttons" and name not in item:
                continue
            seq = CommentedSeq([yamlio.flow_map(x) for x in new])
            item[name] = seq
    order = [k for k in answers]
    if order != keys:
        moved = {k: answers[k] for k in keys}
        for k in list(answers):
            del answers[k]
        for k in keys:
            answers[k] = moved[k]


def _apply_business(edit: ContentEdit, sheets: Dict[str, Sheet]) -> None:
    doc = edit.doc("business_types.yml")
    keys = _apply_keyed_list(
        doc, "business_types", sheets["business_types.csv"], BUSINESS_COLUMNS
    )
    licences = child_rows(
        sheets["business_licences.csv"], keys, [c[0] for c in LICENCE_COLUMNS]
    )
    for item in doc["business_types"]:
        key = str(item.get("key"))
        cur = [
            {
                c: (None if x.get(c) is None else str(x.get(c)))
                for c, _k, _t in LICENCE_COLUMNS
            }
            for x in item.get("licences") or []
        ]
        new_rows = []
        for where, row in licences[key]:
            new_rows.append(
                {
                    c: parse_cell(f"{where} {c}", row.get(c), "str")
                    for c, _k, _t in LICENCE_COLUMNS
                }
            )
        if cur == new_rows:
            continue
        seq = CommentedSeq()
        for where, row in licences[key]:
            seq.append(new_map(row, LICENCE_COLUMNS, where))
        item["licences"] = seq


def _apply_awards(edit: ContentEdit, sheet: Sheet) -> None:
    seq = edit.doc("awards.yml")["awards"]
    current = {(str(a.get("category")), str(a.get("recipient"))): a for a in seq}
    items, seen = [], set()
    for line, row in sheet.rows:
        where = f"awards.csv:{line}"
        ident = (
            (row.get("category") or "").strip(),
            (row.get("recipient") or "").strip(),
        )
        if ident in seen:
            raise AdminError(f"{where}: รางวัลซ้ำ", f"{where}: duplicate award {ident}")
        seen.add(ident)
        item = current.get(ident)
        if item is None:
            item = CommentedMap()
            item.fa.set_flow_style()
        apply_row(item, row, AWARD_COLUMNS, where)
        items.append(item)
    reorder(seq, items)


def _apply_settings(edit: ContentEdit, sheet: Sheet) -> None:
    for line, row in sheet.rows:
        where = f"settings.csv:{line}"
        ident = ((row.get("file") or "").strip(), (row.get("field") or "").strip())
        if ident not in SETTINGS:
            known = ", ".join(f"{f} {k}" for f, k in SETTINGS)
            raise AdminError(
                f"{where}: ไม่รู้จัก {ident[0]} {ident[1]} (ที่มี: {known})",
                f"{where}: unknown setting {ident[0]} {ident[1]} (known: {known})",
            )
        apply_row(
            edit.doc(ident[0]),
            {"v": row.get("value") or ""},
            [("v", ident[1], SETTINGS[ident])],
            where,
        )


def import_csv(paths: Paths, folder: Path) -> Result:
    folder = Path(folder)
    present = {p.name for p in folder.glob("*.csv")} if folder.is_dir() else set()
    if not folder.is_dir():
        raise AdminError(f"ไม่พบโฟลเดอร์ {folder}", f"folder not found: {folder}")
    unknown_files = sorted(present - set(SHEETS))
    if unknown_files:
        raise AdminError(
            f"ไม่รู้จักไฟล์ {', '.join(unknown_files)} (ชื่อไฟล์ที่ใช้ได้: {', '.join(SHEETS)})",
            f"unknown sheets {', '.join(unknown_files)} (known: {', '.join(SHEETS)})",
        )
    if not present:
        raise AdminError(f"ไม่มีไฟล์ CSV ใน {folder}", f"no CSV sheet in {folder}")
    for main, partners in GROUPS.items():
        names = (main, *partners)
        if any(n in present for n in names) and not all(n in present for n in names):
            raise AdminError(
                f"ไฟล์ {', '.join(names)} ต้องนำเข้าพร้อมกัน",
                f"the sheets {', '.join(names)} must be imported together",
            )
    sheets = {name: read_sheet(folder / name) for name in sorted(present)}
    edit = ContentEdit(paths)
    if "answers.csv" in sheets:
        _apply_answers(edit, sheets)
    if "bodies.csv" in sheets:
        _apply_keyed_list(
            edit.doc("bodies.yml"), "bodies", sheets["bodies.csv"], BODY_COLUMNS
        )
    if "provinces.csv" in sheets:
        _apply_keyed_list(
            edit.doc("provinces.yml"),
            "provinces",
            sheets["provinces.csv"],
            PROVINCE_COLUMNS,
        )
    if "award_categories.csv" in sheets:
        _apply_keyed_list(
            edit.doc("awards.yml"),
            "categories",
            sheets["award_categories.csv"],
            CATEGORY_COLUMNS,
        )
    if "awards.csv" in sheets:
        _apply_awards(edit, sheets["awards.csv"])
    if "business_types.csv" in sheets:
        _apply_business(edit, sheets)
    if "document_types.csv" in sheets:
        _apply_keyed_list(
            edit.doc("document_types.yml"),
            "document_types",
            sheets["document_types.csv"],
            DOCUMENT_COLUMNS,
        )
    if "settings.csv" in sheets:
        _apply_settings(edit, sheets["settings.csv"])
    changed = sorted(edit.changed())
    counts = edit.commit()
    if not counts:
        return Result("ไม่มีอะไรเปลี่ยน", "nothing changed")
    return Result(
        f"นำเข้าแล้ว แก้ไฟล์ {', '.join(changed)} บอตใช้ข้อมูลใหม่ตั้งแต่ข้อความถัดไปค่ะ",
        f"imported; changed {', '.join(changed)}; the bot uses it from the next "
        "message",
        changed_files=changed,
        counts=counts,
    )


# ---------------------------------------------------------------- export
def _raw(paths: Paths, fname: str) -> Any:
    return yamlio.read_plain((paths.content_dir / fname).read_text(encoding="utf-8"))


def export_csv(paths: Paths, out: Path) -> List[Path]:

    load_bundle(paths)  # refuse to export content that does not validate
    out.mkdir(parents=True, exist_ok=True)
    answers = _raw(paths, "answers.yml")["answers"]
    awards = _raw(paths, "awards.yml")
    business = _raw(paths, "business_types.yml")
    written = [
        write_sheet(
            out,
            "answers.csv",
            [
                [k, a.get("confidence") or "", a.get("text") or ""]
                for k, a in answers.items()
            ],
        ),
        write_sheet(
            out,
            "answer_sources.csv",
            [
                [k, s.get("url"), s.get("title")]
                for k, a in answers.items()
                for s in a.get("sources") or []
            ],
        ),
        write_sheet(
            out,
            "answer_buttons.csv",
            [
                [k, b.get("title"), b.get("payload")]
                for k, a in answers.items()
                for b in a.get("buttons") or []
            ],
        ),
        write_sheet(
            out,
            "bodies.csv",
            rows_of(_raw(paths, "bodies.yml")["bodies"], BODY_COLUMNS),
        ),
        write_sheet(
            out,
            "provinces.csv",
            rows_of(_raw(paths, "provinces.yml")["provinces"], PROVINCE_COLUMNS),
        ),
        write_sheet(
            out, "award_categories.csv", rows_of(awards["categories"], CATEGORY_COLUMNS)
        ),
        write_sheet(out, "awards.csv", rows_of(awards["awards"], AWARD_COLUMNS)),
        write_sheet(
            out,
            "business_types.csv",
            rows_of(business["business_types"], BUSINESS_COLUMNS),
        ),
        write_sheet(
            out,
            "business_licences.csv",
            [
                [b["key"]] + [cell(lic.get(k), t) for _c, k, t in LICENCE_COLUMNS]
                for b in business["business_types"]
                for lic in b.get("licences") or []
            ],
        ),
        write_sheet(
            out,
            "document_types.csv",
            rows_of(
                _raw(paths, "document_types.yml")["document_types"], DOCUMENT_COLUMNS
            ),
        ),
        write_sheet(
            out,
            "settings.csv",
            [[f, k, cell(_raw(paths, f).get(k), t)] for (f, k), t in SETTINGS.items()],
        ),
    ]
    return written


def export_yaml(paths: Paths, out: Path) -> List[Path]:

    load_bundle(paths)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fname in FILES:
        shutil.copy2(paths.content_dir / fname, out / fname)
        written.append(out / fname)
    return written


def import_yaml(paths: Paths, folder: Path) -> Result:
    folder = Path(folder)
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise AdminError(
            f"ไม่พบไฟล์ {', '.join(missing)} ใน {folder} (ต้องมีครบ {len(FILES)} ไฟล์)",
            f"missing {', '.join(missing)} in {folder} (all {len(FILES)} files needed)",
        )
    edit = ContentEdit(paths)
    for fname in FILES:
        edit.replace_text(fname, (folder / fname).read_text(encoding="utf-8"))
    changed = sorted(edit.changed())
    counts = edit.commit()
    if not counts:
        return Result("ไม่มีอะไรเปลี่ยน", "nothing changed")
    return Result(
        f"นำเข้าแล้ว แก้ไฟล์ {', '.join(changed)} บอตใช้ข้อมูลใหม่ตั้งแต่ข้อความถัดไปค่ะ",
        f"imported; changed {', '.join(changed)}; the bot uses it from the next "
        "message",
        changed_files=changed,
        counts=counts,
    )
