"""Where the staff commands read and write. Defaults are the project's own
files; tests and staff trying things out point them at copies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot import settings


@dataclass(frozen=True)
class Paths:
    root: Path
    content_dir: Path
    nlu_dir: Path
    domain: Path
    url: Optional[str]  # None: $DATABASE_URL or var/service.db

    @property
    def lookups(self) -> Path:
        """The generated NLU lookups (``python -m bot.content.nlu_export``)."""
        return self.nlu_dir / settings.GENERATED_LOOKUPS.name

    @property
    def custom_words(self) -> Path:
        """The tokenizer dictionary generated from the content."""
        return self.root / settings.CUSTOM_WORDS.relative_to(settings.REPO_ROOT)

    @classmethod
    def make(
        cls,
        root: Optional[str] = None,
        content_dir: Optional[str] = None,
        nlu_dir: Optional[str] = None,
        domain: Optional[str] = None,
        url: Optional[str] = None,
    ) -> "Paths":
        base = Path(root).resolve() if root else settings.REPO_ROOT
        return cls(
            root=base,
            content_dir=Path(content_dir) if content_dir else base / "data" / "content",
            nlu_dir=Path(nlu_dir) if nlu_dir else base / "data" / "nlu",
            domain=Path(domain) if domain else base / "domain.yml",
            url=url or None,
        )
