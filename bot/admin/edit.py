"""The edit transaction every staff change goes through: change
``data/content/*.yml`` and the DB together.

Every edit goes through :class:`ContentEdit`:

1. the YAML files are loaded round-trip (comments, order and quoting kept) and
   changed in memory;
2. the changed files are written to a staging copy of the content folder, which
   must pass the importer's full validation (:func:`load_content`), the NLU
   export (no synonym clashes) and the edit's own check;
3. the staging copy is imported into the DB (one transaction);
4. only then are the real files replaced, each atomically. If that fails, the
   files written so far are restored and the DB is re-imported from them.

So bad input leaves both the files and the DB unchanged, and a good edit shows
in the bot's next reply (actions read the DB on every message) and survives the
next ``scripts/run.sh`` (which re-imports the YAML).
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.admin import yamlio
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content import nlu_export
from bot.content.importer import import_content
from bot.content.loader import ContentBundle, ContentError, load_content

BODY_FILES = (("bodies.yml", "bodies"), ("provinces.yml", "provinces"))

Check = Callable[[ContentBundle, Path], None]


def _close(word: str, choices: List[str]) -> str:
    near = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    return (
        ", ".join(near)
        if near
        else ", ".join(choices[:8]) + (" …" if len(choices) > 8 else "")
    )


def unknown(what_th: str, what_en: str, key: str, choices: List[str]) -> AdminError:
    hint = _close(key, choices)
    return AdminError(
        f"ไม่พบ{what_th} '{key}' (ที่มี เช่น {hint})",
        f"unknown {what_en} '{key}' (known, e.g. {hint})",
    )


@dataclass
class Result:
    """What an edit did, for the command line to print."""

    message_th: str
    message_en: str
    warnings: List[str] = field(default_factory=list)
    changed_files: List[str] = field(default_factory=list)
    counts: Dict[str, int] = field(default_factory=dict)


class ContentEdit:
    """A set of changes to the content files, applied all or nothing."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self._orig: Dict[str, str] = {}
        self._docs: Dict[str, Any] = {}
        self._texts: Dict[str, str] = {}

    def _read(self, fname: str) -> str:
        path = self.paths.content_dir / fname
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise AdminError(f"ไม่พบไฟล์ {path}", f"file not found: {path}") from None

    def doc(self, fname: str) -> Any:
        """The round-trip document of a content file (loaded once)."""
        if fname not in self._docs:
            text = self._orig.get(fname) or self._read(fname)
            self._orig[fname] = text
            try:
                self._docs[fname] = yamlio.load_text(text)
            except Exception as exc:  # ruamel raises several error types
                raise AdminError(
                    f"{fname} อ่านไม่ได้ (YAML ผิดรูปแบบ)",
                    f"{fname} is not valid YAML: {exc}",
                ) from None
        return self._docs[fname]

    def replace_text(self, fname: str, text: str) -> None:
        """Replace a whole file (used by ``import``)."""
        if fname not in self._orig:
            path = self.paths.content_dir / fname
            self._orig[fname] = (
                path.read_text(encoding="utf-8") if path.exists() else ""
            )
        self._docs.pop(fname, None)
        self._texts[fname] = text

    def changed(self) -> Dict[str, str]:
        out = dict(self._texts)
        for fname, doc in self._docs.items():
            out[fname] = yamlio.dump(doc)
        return {f: t for f, t in out.items() if t != self._orig.get(f)}

    def commit(self, check: Optional[Check] = None) -> Dict[str, int]:
        """Validate, import into the DB, then write the files (see module doc).
        Returns the importer's counts ({} when nothing changed)."""
        changed = self.changed()
        if not changed:
            return {}
        content_dir = self.paths.content_dir
        with tempfile.TemporaryDirectory(prefix="admin-content-") as tmp:
            stage = Path(tmp) / "content"
            shutil.copytree(content_dir, stage)
            for fname, text in changed.items():
                (stage / fname).write_text(text, encoding="utf-8")
            try:
                bundle = load_content(stage)
                nlu_export.render_lookups(bundle)  # synonym clashes
            except ContentError as exc:
                raise AdminError(
                    "การแก้ไขนี้ไม่ผ่านการตรวจข้อมูล จึงไม่ได้แก้ไฟล์หรือฐานข้อมูลเลย",
                    f"the change fails the content checks; nothing was written: {exc}",
                ) from None
            if check is not None:
                check(bundle, stage)
            for fname in changed:
                if self._read(fname) != self._orig.get(fname, ""):
                    raise AdminError(
                        f"มีคนแก้ {fname} ไประหว่างนี้ กรุณาสั่งใหม่อีกครั้ง",
                        f"{fname} changed while this command ran; run it again",
                    )
            try:
                counts = import_content(stage, self.paths.url)
            except SQLAlchemyError as exc:
                raise AdminError(
                    "นำเข้าฐานข้อมูลไม่สำเร็จ จึงไม่ได้แก้ไฟล์ ตรวจ DATABASE_URL แล้วลองใหม่",
                    "importing into the DB failed, so no file was changed; check "
                    f"DATABASE_URL and try again ({exc.__class__.__name__}: {exc})",
                ) from None
        written: List[str] = []
        try:
            for fname, text in changed.items():
                yamlio.atomic_write(content_dir / fname, text)
                written.append(fname)
        except OSError as exc:
            for fname in written:
                yamlio.atomic_write(content_dir / fname, self._orig[fname])
            try:
                import_content(content_dir, self.paths.url)
            except (ContentError, SQLAlchemyError):
                pass
            raise AdminError(
                "เขียนไฟล์ไม่สำเร็จ คืนค่าไฟล์และฐานข้อมูลเดิมแล้ว",
                f"writing the files failed; files and DB were restored ({exc})",
            ) from None
        return counts


def load_bundle(paths: Paths) -> ContentBundle:
    """The validated content, or an AdminError naming the bad file."""
    try:
        return load_content(paths.content_dir)
    except ContentError as exc:
        raise AdminError(
            "ข้อมูลใน data/content ไม่ถูกต้อง แก้ไฟล์ที่ระบุก่อน",
            f"data/content is invalid; fix the file named: {exc}",
        ) from None
