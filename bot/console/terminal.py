"""Changes made from the terminal (``python -m bot.admin``) go into the same
change history as the console's, under the operating-system user's name.
An answer edited from the terminal can be reverted from the console."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any, Optional

from bot.admin.paths import Paths

# commands that change content or training data (read-only ones are not recorded)
CHANGING = {"edit", "set-fact", "alias", "award", "import", "teach", "intent"}


def _user() -> str:
    try:
        name = os.environ.get("USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in a container
        name = "unknown"
    return f"{name[:40]} (เทอร์มินัล)"


def _answer(paths: Paths, key: str) -> Optional[dict]:
    from bot.console import answers

    try:
        item = answers.get(paths, key)
    except Exception:  # noqa: BLE001 - the command itself reports a bad key
        return None
    return {"text": item["text_th"], "confidence": item["confidence"]}


def before(args: argparse.Namespace, paths: Paths) -> Any:
    """What an answer edit will change, read before the command runs."""
    if args.command == "edit" and getattr(args, "target", "") == "answer":
        return _answer(paths, args.key)
    return None


def after(args: argparse.Namespace, paths: Paths, seen: Any) -> None:
    """Record a successful changing command; never fails the command."""
    if args.command not in CHANGING:
        return
    try:
        from bot.console import history

        summary = "เทอร์มินัล: " + " ".join(sys.argv[1:])[:160]
        if args.command == "edit" and seen is not None:
            now = _answer(paths, args.key)
            if now is not None and now != seen:
                history.record(
                    paths.url, _user(), "answer", args.key, summary, seen, now
                )
            return
        names = ("key", "fact", "body", "recipient", "intent", "name", "folder")
        target = next(
            (str(getattr(args, n)) for n in names if getattr(args, n, "")), ""
        )
        history.record(
            paths.url, _user(), "terminal", target or args.command, summary, None, None
        )
    except Exception as exc:  # noqa: BLE001 - the change itself stands
        print(
            f"คำเตือน: บันทึกประวัติการแก้ไขไม่สำเร็จ / warning: the change history "
            f"was not recorded ({exc.__class__.__name__})",
            file=sys.stderr,
        )
