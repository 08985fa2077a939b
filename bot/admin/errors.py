"""The one error type of the staff command line: a Thai and an English message."""

from __future__ import annotations

from typing import Iterable, List


class AdminError(Exception):
    """Bad input or a failed step. Nothing was changed when this is raised
    before a write (every command validates fully before writing)."""

    def __init__(self, th: str, en: str, details: Iterable[str] = ()) -> None:
        super().__init__(en)
        self.th = th
        self.en = en
        self.details: List[str] = list(details)

    def render(self) -> str:
        lines = [f"ผิดพลาด: {self.th}", f"Error: {self.en}"]
        lines += [f"  {d}" for d in self.details]
        return "\n".join(lines)
