"""The CSV sheets of the content: which columns each sheet has (the fields
of the content models, bot/content/schema.py), how a cell holds a value, and
reading and writing the sheets. Applying them to the YAML: bot/admin/transfer.py.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.admin import yamlio
from bot.admin.errors import AdminError
from bot.content import schema

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


def column_names(model: type) -> List[str]:
    return [c[0] for c in schema.csv_columns(model)]


SHEETS = {
    "answers.csv": ["key", "confidence", "text"],
    "answer_sources.csv": ["answer_key", *column_names(schema.Source)],
    "answer_buttons.csv": ["answer_key", *column_names(schema.Button)],
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
def cell(value: Any, typ: str) -> str:
    if value is None:
        return ""
    if typ == "list":
        return SEP.join(str(v) for v in value or [])
    if typ == "bool":
        return "true" if value else ""
    if typ == "nocopy" and isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def parse_cell(where: str, raw: Optional[str], typ: str) -> Any:
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


def same_value(cur: Any, new: Any, typ: str) -> bool:
    if typ == "list":
        return [str(v) for v in cur or []] == new
    if typ == "bool":
        return bool(cur) == new
    if typ == "int":
        return cur == new
    if typ == "nocopy" and isinstance(cur, bool):
        cur = "yes" if cur else "no"
    return (None if cur is None else str(cur)) == new


def represent(cur: Any, new: Any, typ: str) -> Any:
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


def apply_row(item: Any, row: Dict[str, str], columns: Sequence[Column], where: str):
    """Set the item's fields from a sheet row, touching only what changed."""
    for col, key, typ in columns:
        new = parse_cell(f"{where} {col}", row.get(col), typ)
        cur = item.get(key)
        if same_value(cur, new, typ):
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
        item[key] = represent(cur, new, typ)


def new_map(row: Dict[str, str], columns: Sequence[Column], where: str):
    item = CommentedMap()
    apply_row(item, row, columns, where)
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


def keyed_rows(sheet: Sheet, key_col: str) -> List[Tuple[int, str, Dict[str, str]]]:
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


def child_rows(
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


def reorder(seq: Any, items: List[Any]) -> None:
    """Make a round-trip sequence hold ``items`` in order, in place."""
    if list(seq) == items:
        return
    seq[:] = items


def write_sheet(folder: Path, name: str, rows: List[List[str]]) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(SHEETS[name])
        writer.writerows(rows)
    return path


def rows_of(items: List[dict], columns: Sequence[Column]) -> List[List[str]]:
    return [[cell(i.get(k), t) for _c, k, t in columns] for i in items]
