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

import csv
import io
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.admin import yamlio
from bot.admin.edit import ContentEdit, Result, load_bundle
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content import schema
from bot.content.loader import FILES

SEP = " | "

# (column, yaml key, type); type: str | text | list | bool | int | nocopy.
# The columns are the fields of the content models (bot/content/schema.py).
Column = Tuple[str, str, str]
BODY_COLUMNS: List[Column] = schema.csv_columns(schema.Body)
PROVINCE_COLUMNS: List[Column] = schema.csv_columns(schema.Province)
CATEGORY_COLUMNS: List[Column] = schema.csv_columns(schema.AwardCategory)
AWARD_COLUMNS: List[Column] = schema.csv_columns(schema.Award)
BUSINESS_COLUMNS: List[Column] = schema.csv_columns(schema.BusinessType)
LICENCE_COLUMNS: List[Column] = schema.csv_columns(schema.Licence)
DOCUMENT_COLUMNS: List[Column] = schema.csv_columns(schema.DocumentType)
SETTINGS = {
    (fname, key): typ
    for fname, model in (
        ("awards.yml", schema.AwardsFile),
        ("business_types.yml", schema.BusinessTypesFile),
    )
    for _, key, typ in schema.csv_columns(model)
}


def _names(model: type) -> List[str]:
    return [c[0] for c in schema.csv_columns(model)]


SHEETS = {
    "answers.csv": ["key", "confidence", "text"],
    "answer_sources.csv": ["answer_key", *_names(schema.Source)],
    "answer_buttons.csv": ["answer_key", *_names(schema.Button)],
    "bodies.csv": [c[0] for c in BODY_COLUMNS],
    "provinces.csv": [c[0] for c in PROVINCE_COLUMNS],
    "award_categories.csv": [c[0] for c in CATEGORY_COLUMNS],
    "awards.csv": [c[0] for c in AWARD_COLUMNS],
    "business_types.csv": [c[0] for c in BUSINESS_COLUMNS],
    "business_licences.csv": ["business_type_key"] + [c[0] for c in LICENCE_COLUMNS],
    "document_types.csv": [c[0] for c in DOCUMENT_COLUMNS],
    "settings.csv": ["file", "field", "value"],
}
GROUPS = {  # sheets that must come together
    "answers.csv": ("answer_sources.csv", "answer_buttons.csv"),
    "business_types.csv": ("business_licences.csv",),
}


# ---------------------------------------------------------------- cell values
def _cell(value: Any, typ: str) -> str:
    if value is None:
        return ""
    if typ == "list":
        return SEP.join(str(v) for v in value or [])
    if typ == "bool":
        return "true" if value else ""
    if typ == "nocopy" and isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _parse(where: str, raw: Optional[str], typ: str) -> Any:
    raw = "" if raw is None else raw
    if typ == "list":
        return [p.strip() for p in raw.split("|") if p.strip()]
    if typ == "bool":
        low = raw.strip().lower()
        if low in ("", "false", "no", "0"):
            return False
        if low in ("true", "yes", "1"):
            return True
        raise AdminError(
            f"{where}: ต้องเป็น true หรือเว้นว่าง (ได้ '{raw}')",
            f"{where}: must be true or empty (got '{raw}')",
        )
    if typ == "int":
        try:
            return int(raw.strip())
        except ValueError:
            raise AdminError(
                f"{where}: ต้องเป็นจำนวนเต็ม (ได้ '{raw}')",
                f"{where}: must be a whole number (got '{raw}')",
            ) from None
    value = raw.replace("\r\n", "\n")
    value = value.strip() if typ != "text" else value.strip("\n ")
    return value or None


def _same(cur: Any, new: Any, typ: str) -> bool:
    if typ == "list":
        return [str(v) for v in cur or []] == new
    if typ == "bool":
        return bool(cur) == new
    if typ == "int":
        return cur == new
    if typ == "nocopy" and isinstance(cur, bool):
        cur = "yes" if cur else "no"
    return (None if cur is None else str(cur)) == new


def _represent(cur: Any, new: Any, typ: str) -> Any:
    if typ == "list":
        if isinstance(cur, CommentedSeq) and cur.fa.flow_style() is False:
            cur.clear()
            cur.extend(yamlio.yaml_str(v) for v in new)
            return cur
        return yamlio.flow_seq(new)
    if typ in ("bool", "int"):
        return new
    if typ == "nocopy":
        return yamlio.DoubleQuotedScalarString(new)
    if isinstance(cur, yamlio.LiteralScalarString) or "\n" in new:
        return yamlio.LiteralScalarString(new)
    return yamlio.yaml_str(new)


def _apply(item: Any, row: Dict[str, str], columns: Sequence[Column], where: str):
    """Set the item's fields from a sheet row, touching only what changed."""
    for col, key, typ in columns:
        new = _parse(f"{where} {col}", row.get(col), typ)
        cur = item.get(key)
        if _same(cur, new, typ):
            continue
        empty = new is None or new is False or new == []
        if empty and key not in item:
            continue
        if new is None:
            if key == "parent_ministry":
                item[key] = None
            else:
                del item[key]
            continue
        item[key] = _represent(cur, new, typ)


def _new_map(row: Dict[str, str], columns: Sequence[Column], where: str):
    item = CommentedMap()
    _apply(item, row, columns, where)
    return item


# ---------------------------------------------------------------- reading sheets
@dataclass
class Sheet:
    name: str
    rows: List[Tuple[int, Dict[str, str]]]  # (line, row)


def read_sheet(path: Path) -> Sheet:
    """Read one CSV sheet; a wrong header or a row with the wrong number of
    cells is an error naming file and line."""
    want = SHEETS[path.name]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise AdminError(
            f"{path.name}: ต้องบันทึกเป็น UTF-8 (CSV UTF-8)",
            f"{path.name}: must be saved as UTF-8 (CSV UTF-8)",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise AdminError(f"{path.name}: ไฟล์ว่าง", f"{path.name}: empty file") from None
    except csv.Error as exc:
        raise AdminError(
            f"{path.name}:1: CSV ผิดรูปแบบ", f"{path.name}:1: malformed CSV: {exc}"
        ) from None
    header = [h.strip() for h in header]
    if header != want:
        raise AdminError(
            f"{path.name}:1: หัวตารางต้องเป็น {', '.join(want)}",
            f"{path.name}:1: the header must be {', '.join(want)}; got "
            f"{', '.join(header)}",
        )
    rows: List[Tuple[int, Dict[str, str]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(want):
                raise AdminError(
                    f"{path.name}:{line}: ต้องมี {len(want)} ช่อง แต่มี {len(cells)}",
                    f"{path.name}:{line}: expected {len(want)} cells, got {len(cells)}",
                )
            rows.append((line, dict(zip(want, cells, strict=True))))
    except csv.Error as exc:
        raise AdminError(
            f"{path.name}:{reader.line_num}: CSV ผิดรูปแบบ",
            f"{path.name}:{reader.line_num}: malformed CSV: {exc}",
        ) from None
    return Sheet(path.name, rows)


def _keyed(sheet: Sheet, key_col: str) -> List[Tuple[int, str, Dict[str, str]]]:
    out, seen = [], set()
    for line, row in sheet.rows:
        key = (row.get(key_col) or "").strip()
        where = f"{sheet.name}:{line}"
        if not key:
            raise AdminError(f"{where}: ไม่มี {key_col}", f"{where}: {key_col} is empty")
        if key in seen:
            raise AdminError(
                f"{where}: {key_col} '{key}' ซ้ำ", f"{where}: duplicate {key}"
            )
        seen.add(key)
        out.append((line, key, row))
    return out


def _children(
    sheet: Sheet, parents: List[str], columns: Sequence[str]
) -> Dict[str, List[Tuple[str, Dict[str, str]]]]:
    parent_col = SHEETS[sheet.name][0]
    out: Dict[str, List[Tuple[str, Dict[str, str]]]] = {p: [] for p in parents}
    for line, row in sheet.rows:
        parent = (row.get(parent_col) or "").strip()
        where = f"{sheet.name}:{line}"
        if parent not in out:
            raise AdminError(
                f"{where}: ไม่มี '{parent}' ในแผ่นหลัก",
                f"{where}: '{parent}' is not a key of the main sheet",
            )
        out[parent].append((where, row))
    return out


def _reorder(seq: Any, items: List[Any]) -> None:
    """Make a round-trip sequence hold ``items`` in order, in place."""
    if list(seq) == items:
        return
    seq[:] = items


# ---------------------------------------------------------------- applying sheets
def _apply_keyed_list(
    doc: Any, list_name: str, sheet: Sheet, columns: Sequence[Column]
) -> List[str]:
    seq = doc.get(list_name)
    current = {str(i.get("key")): i for i in seq}
    items = []
    for line, key, row in _keyed(sheet, "key"):
        item = current.get(key)
        where = f"{sheet.name}:{line}"
        if item is None:
            item = _new_map(row, columns, where)
        else:
            _apply(item, row, columns, where)
        items.append(item)
    _reorder(seq, items)
    return [str(i.get("key")) for i in items]


def _apply_answers(edit: ContentEdit, sheets: Dict[str, Sheet]) -> None:
    answers = edit.doc("answers.yml")["answers"]
    rows = _keyed(sheets["answers.csv"], "key")
    keys = [k for _l, k, _r in rows]
    sources = _children(sheets["answer_sources.csv"], keys, ["url", "title"])
    buttons = _children(sheets["answer_buttons.csv"], keys, ["title", "payload"])
    for key in [k for k in answers if k not in keys]:
        del answers[key]
    for line, key, row in rows:
        where = f"answers.csv:{line}"
        item = answers.get(key)
        if item is None:
            item = CommentedMap()
            answers[key] = item
        _apply(
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
    licences = _children(
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
                    c: _parse(f"{where} {c}", row.get(c), "str")
                    for c, _k, _t in LICENCE_COLUMNS
                }
            )
        if cur == new_rows:
            continue
        seq = CommentedSeq()
        for where, row in licences[key]:
            seq.append(_new_map(row, LICENCE_COLUMNS, where))
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
        _apply(item, row, AWARD_COLUMNS, where)
        items.append(item)
    _reorder(seq, items)


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
        _apply(
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


def _write_sheet(folder: Path, name: str, rows: List[List[str]]) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(SHEETS[name])
        writer.writerows(rows)
    return path


def _rows(items: List[dict], columns: Sequence[Column]) -> List[List[str]]:
    return [[_cell(i.get(k), t) for _c, k, t in columns] for i in items]


def export_csv(paths: Paths, out: Path) -> List[Path]:

    load_bundle(paths)  # refuse to export content that does not validate
    out.mkdir(parents=True, exist_ok=True)
    answers = _raw(paths, "answers.yml")["answers"]
    awards = _raw(paths, "awards.yml")
    business = _raw(paths, "business_types.yml")
    written = [
        _write_sheet(
            out,
            "answers.csv",
            [
                [k, a.get("confidence") or "", a.get("text") or ""]
                for k, a in answers.items()
            ],
        ),
        _write_sheet(
            out,
            "answer_sources.csv",
            [
                [k, s.get("url"), s.get("title")]
                for k, a in answers.items()
                for s in a.get("sources") or []
            ],
        ),
        _write_sheet(
            out,
            "answer_buttons.csv",
            [
                [k, b.get("title"), b.get("payload")]
                for k, a in answers.items()
                for b in a.get("buttons") or []
            ],
        ),
        _write_sheet(
            out, "bodies.csv", _rows(_raw(paths, "bodies.yml")["bodies"], BODY_COLUMNS)
        ),
        _write_sheet(
            out,
            "provinces.csv",
            _rows(_raw(paths, "provinces.yml")["provinces"], PROVINCE_COLUMNS),
        ),
        _write_sheet(
            out, "award_categories.csv", _rows(awards["categories"], CATEGORY_COLUMNS)
        ),
        _write_sheet(out, "awards.csv", _rows(awards["awards"], AWARD_COLUMNS)),
        _write_sheet(
            out,
            "business_types.csv",
            _rows(business["business_types"], BUSINESS_COLUMNS),
        ),
        _write_sheet(
            out,
            "business_licences.csv",
            [
                [b["key"]] + [_cell(lic.get(k), t) for _c, k, t in LICENCE_COLUMNS]
                for b in business["business_types"]
                for lic in b.get("licences") or []
            ],
        ),
        _write_sheet(
            out,
            "document_types.csv",
            _rows(
                _raw(paths, "document_types.yml")["document_types"], DOCUMENT_COLUMNS
            ),
        ),
        _write_sheet(
            out,
            "settings.csv",
            [[f, k, _cell(_raw(paths, f).get(k), t)] for (f, k), t in SETTINGS.items()],
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
