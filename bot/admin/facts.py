"""Single facts staff can change with ``set-fact <id> <value>``.

A fact id names one field of the content:

==============================  ===========================================
``event.name|name_th|year``     the award event (awards.yml)
``category.<key>.<field>``      an award category: count, name_th, label_th,
                                source, confidence (awards.yml)
``document.<key>.<field>``      a document type: nocopy (yes/no/partial),
                                name_th, note_th, source, confidence
``business.<key>.<field>``      a business type: name_th, guide_th, note_th,
                                source, confidence
``business.catalogue_note``     the note after every licence list
``business.default_source``     the source of licence lists without their own
``body.<key>.<field>``          a body or province: name_th, name_en, kind,
                                parent_ministry, note_th, source, confidence
==============================  ===========================================

Answers have their own command (``edit answer``), aliases too (``alias``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.admin import yamlio
from bot.admin.edit import BODY_FILES, ContentEdit, Result, unknown
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content import schema
from bot.content.loader import ContentBundle


@dataclass(frozen=True)
class FieldSpec:
    yaml_key: str
    kind: str  # a kind of bot.content.schema: text, int, url, confidence, ...
    optional: bool = True


def _specs(model: type) -> Dict[str, FieldSpec]:
    """The fields of a content model that set-fact may change."""
    return {
        fact_id: FieldSpec(yaml_key, kind, optional)
        for fact_id, (yaml_key, kind, optional) in schema.fact_fields(model).items()
    }


CATEGORY = _specs(schema.AwardCategory)
DOCUMENT = _specs(schema.DocumentType)
BUSINESS = _specs(schema.BusinessType)
BODY = _specs(schema.Body)
EVENT = _specs(schema.AwardsFile)
BUSINESS_TOP = _specs(schema.BusinessTypesFile)
GROUPS = {
    "category": ("awards.yml", "categories", CATEGORY),
    "document": ("document_types.yml", "document_types", DOCUMENT),
    "business": ("business_types.yml", "business_types", BUSINESS),
}


def _coerce(fact_id: str, spec: FieldSpec, value: str) -> Any:
    value = value.strip()
    if spec.kind == "int":
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < 0:
            raise AdminError(
                f"{fact_id} ต้องเป็นจำนวนเต็มไม่ติดลบ (ได้ '{value}')",
                f"{fact_id} must be a whole number >= 0 (got '{value}')",
            )
        return number
    if not value:
        raise AdminError(
            f"{fact_id} ว่างไม่ได้ (ใช้ --clear เพื่อลบค่า)",
            f"{fact_id} must not be empty (use --clear to remove it)",
        )
    if spec.kind == "url" and not value.startswith("https://"):
        raise AdminError(
            f"{fact_id} ต้องเป็นลิงก์ https://", f"{fact_id} must be an https:// URL"
        )
    allowed = schema.allowed_values(spec.kind)
    if allowed is not None and value not in allowed:
        raise AdminError(
            f"{fact_id} ต้องเป็นหนึ่งใน {allowed}", f"{fact_id} must be one of {allowed}"
        )
    if spec.kind == "nocopy":
        return yamlio.DoubleQuotedScalarString(value)  # YAML 1.1 reads yes as True
    return yamlio.yaml_str(value)


def _locate(
    edit: ContentEdit, fact_id: str
) -> Tuple[str, Any, FieldSpec, Callable[[Any], Any]]:
    """(file, mapping, spec, staged-reader) for a fact id."""
    parts = fact_id.split(".")
    if len(parts) == 2 and parts[0] == "event" and parts[1] in EVENT:
        doc = edit.doc("awards.yml")
        return "awards.yml", doc, EVENT[parts[1]], lambda d: d
    if len(parts) == 2 and parts[0] == "business" and parts[1] in BUSINESS_TOP:
        doc = edit.doc("business_types.yml")
        return "business_types.yml", doc, BUSINESS_TOP[parts[1]], lambda d: d
    if len(parts) == 3 and parts[0] in GROUPS:
        fname, list_name, fields = GROUPS[parts[0]]
        items = edit.doc(fname).get(list_name) or []
        keys = [str(i.get("key")) for i in items]
        if parts[1] not in keys:
            raise unknown(f"รหัสใน {fname}", f"key in {fname}", parts[1], keys)
        if parts[2] not in fields:
            raise unknown("ช่องข้อมูล", "field", parts[2], list(fields))
        item = items[keys.index(parts[1])]
        return fname, item, fields[parts[2]], _finder(list_name, parts[1])
    if len(parts) == 3 and parts[0] == "body":
        for fname, list_name in BODY_FILES:
            items = edit.doc(fname).get(list_name) or []
            for item in items:
                if item.get("key") == parts[1]:
                    if parts[2] not in BODY or (
                        fname == "provinces.yml" and parts[2] == "kind"
                    ):
                        raise unknown("ช่องข้อมูล", "field", parts[2], list(BODY))
                    return fname, item, BODY[parts[2]], _finder(list_name, parts[1])
        keys = [
            str(i.get("key")) for f, n in BODY_FILES for i in edit.doc(f).get(n) or []
        ]
        raise unknown("หน่วยงาน/จังหวัด", "body/province", parts[1], keys)
    raise AdminError(
        f"ไม่รู้จักข้อเท็จจริง '{fact_id}' (ดูรายการด้วย list facts)",
        f"unknown fact '{fact_id}' (see `list facts`; e.g. category.province.count, "
        "document.id-card-copy.nocopy, body.mea.parent_ministry)",
    )


def _finder(list_name: str, key: str) -> Callable[[Any], Any]:
    def find(data: Any) -> Any:
        return next(i for i in data[list_name] if i.get("key") == key)

    return find


def set_fact(
    paths: Paths, fact_id: str, value: Optional[str], clear: bool = False
) -> Result:
    """Set (or with ``clear`` remove) one fact; validated like every edit."""
    edit = ContentEdit(paths)
    fname, mapping, spec, find = _locate(edit, fact_id)
    if clear:
        if not spec.optional:
            raise AdminError(
                f"{fact_id} จำเป็นต้องมีค่า ลบไม่ได้",
                f"{fact_id} is required and cannot be cleared",
            )
        if spec.yaml_key == "parent_ministry":
            mapping[spec.yaml_key] = None
        elif spec.yaml_key in mapping:
            del mapping[spec.yaml_key]
        wanted: Any = None
    else:
        if value is None:
            raise AdminError("ต้องระบุค่าใหม่", "a new value is required")
        mapping[spec.yaml_key] = _coerce(fact_id, spec, value)
        wanted = mapping[spec.yaml_key]
        wanted = int(wanted) if spec.kind == "int" else str(wanted)

    def check(_bundle: ContentBundle, stage: Path) -> None:
        data = yamlio.read_plain((stage / fname).read_text(encoding="utf-8"))
        got = find(data).get(spec.yaml_key)
        if spec.kind == "nocopy" and isinstance(got, bool):
            got = "yes" if got else "no"
        if got != wanted:
            raise AdminError(
                "ค่าที่บันทึกจะอ่านกลับได้ไม่ตรงกับที่สั่ง จึงไม่ได้แก้อะไร",
                f"the value would read back as {got!r}, not {wanted!r}; "
                "nothing written",
            )

    counts = edit.commit(check)
    if not counts:
        return Result("ไม่มีอะไรเปลี่ยน", "nothing changed")
    shown = "(ลบแล้ว / cleared)" if clear else wanted
    return Result(
        f"ตั้ง {fact_id} = {shown} แล้ว บอตใช้ค่าใหม่ตั้งแต่ข้อความถัดไปค่ะ",
        f"{fact_id} = {shown}; the bot uses it from the next message",
        changed_files=[fname],
        counts=counts,
    )


def _rows(edit: ContentEdit) -> List[Tuple[str, Any]]:
    rows: List[Tuple[str, Any]] = []
    awards = edit.doc("awards.yml")
    for name, spec in EVENT.items():
        rows.append((f"event.{name}", awards.get(spec.yaml_key)))
    for group, (fname, list_name, fields) in GROUPS.items():
        doc = edit.doc(fname)
        if group == "business":
            for name, spec in BUSINESS_TOP.items():
                rows.append((f"business.{name}", doc.get(spec.yaml_key)))
        for item in doc.get(list_name) or []:
            for name, spec in fields.items():
                rows.append(
                    (f"{group}.{item.get('key')}.{name}", item.get(spec.yaml_key))
                )
    return rows


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return " ".join(str(value).split())


def list_facts(paths: Paths) -> List[str]:
    """Every fact id outside the bodies with its value (bodies: ``show <key>``)."""
    return [f"{fid}\t{_fmt(v)}" for fid, v in _rows(ContentEdit(paths))]


def facts_of(paths: Paths, key: str) -> List[str]:
    """Fact ids (with values) of one key, for ``show``."""
    edit = ContentEdit(paths)
    out = [f"{fid}\t{_fmt(v)}" for fid, v in _rows(edit) if fid.split(".")[1] == key]
    for fname, list_name in BODY_FILES:
        for item in edit.doc(fname).get(list_name) or []:
            if item.get("key") != key:
                continue
            for name, spec in BODY.items():
                if fname == "provinces.yml" and name == "kind":
                    continue
                out.append(f"body.{key}.{name}\t{_fmt(item.get(spec.yaml_key))}")
    if out:
        out.insert(0, "ข้อเท็จจริงที่แก้ได้ด้วย set-fact / facts for set-fact:")
    return out


def fact_ids(paths: Paths) -> Dict[str, Any]:
    return dict(_rows(ContentEdit(paths)))
