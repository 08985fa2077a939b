"""``validate``: Rasa's own data check plus the project's rules, each problem
as ``file:line: message``.

Project rules:

* every intent has at least 25 examples in data/nlu (generated_lookups.yml
  not counted), and every domain intent has examples;
* no example is under two intents;
* every body and province (with each of its names) is in the NLU lookups
  (data/nlu/generated_lookups.yml, written by ``python -m bot.content.nlu_export``);
* every response in domain.yml has Thai text;
* every answer, award and fact in data/content has a source URL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Set

from bot.admin import yamlio
from bot.admin.nlu import MIN_EXAMPLES, domain_intents, example_key, load_nlu
from bot.admin.paths import Paths
from bot.content.loader import ContentError, load_content

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_QUOTED = re.compile(r"'([^']+)'")
SOURCE_HINT = "add a 'source: https://…' (the page the fact comes from)"


def _rel(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


class Report:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: List[str] = []
        self.rasa_messages: List[str] = []  # warnings from rasa data validate

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(f"{_rel(path, self.root)}:{line}: {message}")


# ---------------------------------------------------------------- NLU
def check_nlu(paths: Paths, report: Report) -> None:
    data = load_nlu(paths.nlu_dir)
    for problem in data.problems:
        report.problems.append(problem)
    counts: Dict[str, int] = {}
    first: Dict[str, Any] = {}
    for block in data.blocks:
        counts[block.name] = counts.get(block.name, 0) + len(block.examples)
        first.setdefault(block.name, block)
    for name, n in sorted(counts.items()):
        if n < MIN_EXAMPLES:
            b = first[name]
            report.add(
                b.file,
                b.line,
                f"intent {name} has {n} examples; at least {MIN_EXAMPLES} are needed",
            )
    try:
        domain = domain_intents(paths.domain)
    except (OSError, ValueError) as exc:
        report.add(paths.domain, 1, f"cannot read the domain: {exc}")
        domain = {}
    for name, line in domain.items():
        if name not in counts:
            report.add(paths.domain, line, f"intent {name} has no examples in data/nlu")
    for name, block in first.items():
        if domain and name not in domain:
            report.add(block.file, block.line, f"intent {name} is not in domain.yml")
    seen: Dict[str, Any] = {}
    for ex in data.examples():
        key = example_key(ex.text)
        other = seen.setdefault(key, ex)
        if other.intent != ex.intent:
            report.add(
                ex.file,
                ex.line,
                f"example '{ex.text}' is under {ex.intent} and also under "
                f"{other.intent} ({_rel(other.file, report.root)}:{other.line})",
            )


# ---------------------------------------------------------------- domain
def check_responses(paths: Paths, report: Report) -> None:
    try:
        doc = yamlio.load_path(paths.domain)
    except Exception as exc:  # ruamel raises several error types
        report.add(paths.domain, 1, f"not valid YAML: {exc}")
        return
    responses = doc.get("responses") or {}
    for name, variants in responses.items():
        line = yamlio.line_of_key(responses, name)
        if not variants:
            report.add(paths.domain, line, f"response {name} has no text")
            continue
        for i, v in enumerate(variants):
            text = v.get("text") if hasattr(v, "get") else None
            vline = yamlio.line_of_item(variants, i) or line
            if not text or not _THAI.search(str(text)):
                report.add(paths.domain, vline, f"response {name} has no Thai text")


# ---------------------------------------------------------------- content
def _lookups(path: Path) -> Dict[str, Set[str]]:
    data = yamlio.read_plain(path.read_text(encoding="utf-8")) or {}
    out: Dict[str, Set[str]] = {}
    for item in data.get("nlu") or []:
        if "lookup" in item:
            values = {
                line.strip()[2:].strip()
                for line in str(item.get("examples") or "").splitlines()
                if line.strip().startswith("- ")
            }
            out.setdefault(str(item["lookup"]), set()).update(values)
    return out


def _line_for(path: Path, message: str) -> int:
    """Best guess of the line a content error is about: the first line that
    names a quoted key from the message."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    for word in _QUOTED.findall(message):
        for i, line in enumerate(lines, 1):
            if re.search(rf"(key: {re.escape(word)}\b|^\s*{re.escape(word)}:)", line):
                return i
    return 1


def check_content(paths: Paths, report: Report) -> None:
    try:
        bundle = load_content(paths.content_dir)
    except ContentError as exc:
        fname = str(exc).split(":", 1)[0]
        path = paths.content_dir / fname
        report.add(path, _line_for(path, str(exc)), f"content error: {exc}")
        return
    d = paths.content_dir
    docs = {
        f: yamlio.load_path(d / f)
        for f in (
            "bodies.yml",
            "provinces.yml",
            "awards.yml",
            "answers.yml",
            "business_types.yml",
            "document_types.yml",
        )
    }
    # names in the NLU lookups (each name once: "นครศรีฯ" and "นครศรี" are one
    # name to the matcher and the export)
    if not paths.lookups.exists():
        report.add(paths.lookups, 1, "missing; run `make train` (it runs nlu_export)")
    else:
        tables = _lookups(paths.lookups)
        where = {}
        for fname, list_name in (
            ("bodies.yml", "bodies"),
            ("provinces.yml", "provinces"),
        ):
            items = docs[fname].get(list_name) or []
            for i, item in enumerate(items):
                where[str(item.get("key"))] = (d / fname, yamlio.line_of_item(items, i))
        for body in bundle.bodies:
            if body.get("_names_only"):  # the registry is not in the NLU lookups
                continue
            entity = "province" if body["kind"] == "province" else "body"
            known = tables.get(entity, set())
            missing = [
                a for a, _k in body["_aliases"] if " ".join(a.split()) not in known
            ]
            if missing:
                path, line = where.get(body["key"], (d / "bodies.yml", 1))
                report.add(
                    path,
                    line,
                    f"{body['key']}: {', '.join(missing)} not in the NLU lookup "
                    f"'{entity}' ({paths.lookups.name}); run `make train` (it "
                    "regenerates the lookups)",
                )
    # sources
    answers = docs["answers.yml"].get("answers") or {}
    for key, item in answers.items():
        urls = [s.get("url") for s in item.get("sources") or [] if hasattr(s, "get")]
        if not urls or not all(str(u or "").startswith("https://") for u in urls):
            report.add(
                d / "answers.yml",
                yamlio.line_of_key(answers, key),
                f"answer {key} needs sources with https:// URLs",
            )
    awards = docs["awards.yml"]
    for list_name in ("categories", "awards"):
        items = awards.get(list_name) or []
        for i, item in enumerate(items):
            if not str(item.get("source") or "").startswith("https://"):
                what = (
                    item.get("key") or f"{item.get('category')}/{item.get('recipient')}"
                )
                report.add(
                    d / "awards.yml",
                    yamlio.line_of_item(items, i),
                    f"{list_name[:-1]} {what} has no source URL; {SOURCE_HINT}",
                )
    business = docs["business_types.yml"]
    default = str(business.get("default_source") or "")
    items = business.get("business_types") or []
    for i, item in enumerate(items):
        if not str(item.get("source") or default).startswith("https://"):
            report.add(
                d / "business_types.yml",
                yamlio.line_of_item(items, i),
                f"business type {item.get('key')} has no source URL (nor "
                f"default_source); {SOURCE_HINT}",
            )
    items = docs["document_types.yml"].get("document_types") or []
    for i, item in enumerate(items):
        if not str(item.get("source") or "").startswith("https://"):
            report.add(
                d / "document_types.yml",
                yamlio.line_of_item(items, i),
                f"document type {item.get('key')} has no source URL; {SOURCE_HINT}",
            )
    # bodies: a stated fact (parent ministry, note) needs its source
    winners = {str(a.get("recipient")) for a in awards.get("awards") or []}
    items = docs["bodies.yml"].get("bodies") or []
    for i, item in enumerate(items):
        states = item.get("parent_ministry") or item.get("note_th")
        if (states or item.get("key") in winners) and not str(
            item.get("source") or ""
        ).startswith("https://"):
            report.add(
                d / "bodies.yml",
                yamlio.line_of_item(items, i),
                f"body {item.get('key')} states facts (ministry/note/award) but has "
                f"no source URL; {SOURCE_HINT}",
            )


# ---------------------------------------------------------------- rasa
def rasa_validate(paths: Paths) -> List[str]:
    """``rasa data validate``: its errors and warnings, one per line."""
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "data",
        "validate",
        "--config",
        str(paths.root / "config.yml"),
        "--domain",
        str(paths.domain),
        "--data",
        str(paths.nlu_dir.parent),
        "--quiet",
    ]
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(paths.root),
    }
    proc = subprocess.run(
        cmd, cwd=paths.root, env=env, capture_output=True, text=True, timeout=600
    )
    out = []
    for line in (proc.stdout + proc.stderr).splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if (
            re.search(r"UserWarning: |ERROR|Error|error:", line)
            and "Deprecat" not in line
        ):
            out.append("rasa data validate: " + line.split("UserWarning: ")[-1])
    if proc.returncode != 0:
        out.append(
            f"rasa data validate failed (exit {proc.returncode}); run "
            f"`{' '.join(cmd[2:])}` to see everything"
        )
    return out


def validate(paths: Paths, with_rasa: bool = True) -> Report:
    """Every check; ``report.problems`` is empty when all is well. Rasa's
    warnings are listed but do not count as problems."""
    report = Report(paths.root)
    check_nlu(paths, report)
    check_responses(paths, report)
    check_content(paths, report)
    if with_rasa:
        lines = rasa_validate(paths)
        report.rasa_messages = [line for line in lines if "failed (exit" not in line]
        report.problems += [line for line in lines if "failed (exit" in line]
    return report
