"""A throw-away copy of the project data for the staff command line: content,
NLU data, rules, stories and domain in a temp folder, with its own SQLite DB.
Tests never touch the repository's files."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from sqlalchemy import select

from bot import settings
from bot.admin.cli import main
from bot.admin.paths import Paths
from bot.content.db import dispose_engines, session_scope
from bot.content.importer import import_content
from bot.content.models import Answer, AwardCategory, Body, BodyAlias, DocumentType

REPO = settings.REPO_ROOT


@dataclass
class Project:
    dir: Path
    paths: Paths
    url: str

    def args(self) -> List[str]:
        return [
            "--content-dir",
            str(self.paths.content_dir),
            "--nlu-dir",
            str(self.paths.nlu_dir),
            "--domain",
            str(self.paths.domain),
            "--url",
            self.url,
        ]

    def files(self) -> Dict[str, str]:
        """Every data file's text, to compare before/after."""
        out = {"domain.yml": self.paths.domain.read_text(encoding="utf-8")}
        for path in sorted((self.dir / "data").rglob("*.yml")):
            out[str(path.relative_to(self.dir))] = path.read_text(encoding="utf-8")
        return out

    def db(self) -> Dict[str, object]:
        """The content rows a bad command must leave alone."""
        with session_scope(self.url) as s:
            return {
                "answers": sorted(
                    (a.key, a.text_th, a.confidence)
                    for a in s.execute(select(Answer)).scalars()
                ),
                "aliases": sorted(
                    (a.alias_norm, a.body_id)
                    for a in s.execute(select(BodyAlias)).scalars()
                ),
                "bodies": sorted(
                    (b.key, b.name_th, b.parent_ministry)
                    for b in s.execute(select(Body)).scalars()
                ),
                "categories": sorted(
                    (c.key, c.count) for c in s.execute(select(AwardCategory)).scalars()
                ),
                "documents": sorted(
                    (d.key, d.nocopy) for d in s.execute(select(DocumentType)).scalars()
                ),
            }

    def state(self) -> Tuple[Dict[str, str], Dict[str, object]]:
        return self.files(), self.db()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated DB with the repository's content, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "service.db"
    import_content(REPO / "data" / "content", f"sqlite:///{path}")
    dispose_engines()
    return path


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template_db: Path
) -> Project:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    for name in ("content", "nlu", "rules", "stories"):
        shutil.copytree(REPO / "data" / name, root / "data" / name)
    shutil.copy2(REPO / "domain.yml", root / "domain.yml")
    shutil.copy2(template_db, tmp_path / "service.db")
    url = f"sqlite:///{tmp_path / 'service.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    paths = Paths.make(
        content_dir=str(root / "data" / "content"),
        nlu_dir=str(root / "data" / "nlu"),
        domain=str(root / "domain.yml"),
        url=url,
    )
    yield Project(root, paths, url)
    dispose_engines()


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def admin(project: Project, capsys: pytest.CaptureFixture):
    """Runs ``python -m bot.admin <args>`` in-process on the project copy."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            code = main([*project.args(), *args])
        except SystemExit as exc:  # argparse errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
