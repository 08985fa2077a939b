"""Small helpers the report's sections share: reading a result file, percentages,
met / not met, Markdown tables, and what config.yml and domain.yml say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

REPO = Path(__file__).resolve().parents[2]

DOC = REPO / "docs" / "benchmarks.md"

START, END = "<!-- bench:start -->", "<!-- bench:end -->"

VALIDATION = REPO / "bench" / "truevoice_variants.json"

# A wrong factual answer costs a citizen more than "please rephrase": the
# fallback sweep weighs a wrong answer that gets through twice as heavily as a
# right answer that the fallback holds back.
WRONG_ANSWER_COST = 2.0


# ------------------------------------------------------------------ helpers
def load(results: Path, name: str) -> Optional[Dict[str, Any]]:
    """A result file, or None when that part of the bench did not run."""
    path = results / name
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def pct(x: float) -> str:
    """0.8891 -> '0.889'."""
    return f"{x:.3f}"


def yes(ok: bool) -> str:
    """Goal status cell."""
    return "**met**" if ok else "**not met**"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> List[str]:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def minutes(seconds: float) -> str:
    """125 -> '2 min 5 s'."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s"


def config_value(component: str, key: str) -> Any:
    """A value from config.yml's pipeline."""
    config = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    for item in config["pipeline"]:
        if item["name"] == component:
            return item.get(key)
    return None


def domain_session() -> Dict[str, Any]:
    """domain.yml's session_config."""
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    return domain.get("session_config", {})
