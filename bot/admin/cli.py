"""``python -m bot.admin <command>``: the staff command line (help in Thai and
English). Exit code 0 = done, 1 = ``validate`` found problems, 2 = bad input or
a failed step (nothing was changed)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot import limit_counts
from bot.admin import (
    content,
    conversation,
    edit,
    facts,
    nlu,
    ops,
    report,
    retention,
    review,
    transfer,
    views,
)
from bot.admin import line as line_cli
from bot.admin.errors import AdminError
from bot.admin.parser import build_parser
from bot.admin.paths import Paths
from bot.admin.validate import validate
from bot.console import terminal, usercli


def _paths(args: argparse.Namespace) -> Paths:
    return Paths.make(
        getattr(args, "root", None),
        getattr(args, "content_dir", None),
        getattr(args, "nlu_dir", None),
        getattr(args, "domain", None),
        getattr(args, "url", None),
    )


def _print_result(result: edit.Result) -> None:
    print(result.message_th)
    print(result.message_en)
    for w in result.warnings:
        print(w)


def _read_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AdminError(
            f"อ่านไฟล์ {path} ไม่ได้ (ต้องเป็น UTF-8)",
            f"cannot read {path} (must be UTF-8): {exc}",
        ) from None


def cmd_list(args, paths: Paths) -> int:
    rows: List[str]
    if args.what == "answers":
        rows = views.list_answers(paths)
    elif args.what in ("bodies", "provinces"):
        rows = views.list_bodies(paths, provinces=args.what == "provinces")
    elif args.what == "awards":
        rows = views.list_awards(paths)
    elif args.what == "facts":
        rows = facts.list_facts(paths)
    else:
        rows = [f"{name}\t{n}\t{files}" for name, n, files in nlu.intent_summary(paths)]
    print("\n".join(rows))
    return 0


def cmd_show(args, paths: Paths) -> int:
    print("\n".join(views.show(paths, args.key)))
    return 0


def cmd_edit(args, paths: Paths) -> int:
    text = args.text.replace("\\n", "\n") if args.text is not None else None
    if args.from_file:
        text = _read_file(args.from_file)
    replace = tuple(args.replace) if args.replace else None
    sources = [tuple(s) for s in args.source] if args.source else None
    _print_result(
        content.edit_answer(paths, args.key, text, replace, args.confidence, sources)
    )
    return 0


def cmd_set_fact(args, paths: Paths) -> int:
    if args.clear and args.value is not None:
        raise AdminError(
            "ใช้ค่าใหม่หรือ --clear อย่างใดอย่างหนึ่ง", "give a value or --clear, not both"
        )
    _print_result(facts.set_fact(paths, args.fact, args.value, args.clear))
    return 0


def cmd_alias(args, paths: Paths) -> int:
    fn = content.alias_add if args.action == "add" else content.alias_remove
    _print_result(fn(paths, args.body, args.alias))
    return 0


def cmd_award(args, paths: Paths) -> int:
    if args.action == "add":
        result = content.award_add(
            paths, args.category, args.recipient, args.source, args.confidence
        )
    else:
        result = content.award_remove(paths, args.category, args.recipient)
    _print_result(result)
    return 0


def cmd_export(args, paths: Paths) -> int:
    out = Path(args.out)
    if args.format == "csv":
        written = transfer.export_csv(paths, out)
    else:
        written = transfer.export_yaml(paths, out)
    print(f"ส่งออก {len(written)} ไฟล์ไปที่ {out} / exported {len(written)} files to {out}")
    return 0


def cmd_import(args, paths: Paths) -> int:
    folder = Path(args.folder)
    if args.format == "csv":
        result = transfer.import_csv(paths, folder)
    else:
        result = transfer.import_yaml(paths, folder)
    _print_result(result)
    return 0


def cmd_validate(args, paths: Paths) -> int:
    report = validate(paths, with_rasa=not args.no_rasa)
    for line in report.rasa_messages:
        print(line)
    for line in report.problems:
        print(line)
    if report.problems:
        print(
            f"พบ {len(report.problems)} ปัญหา / {len(report.problems)} problems found",
            file=sys.stderr,
        )
        return 1
    print("ผ่านทุกข้อ / all checks passed")
    return 0


def cmd_train(args, paths: Paths) -> int:
    trained = ops.train(paths)
    if trained:
        print("ฝึกโมเดลใหม่แล้ว ต่อไปสั่ง reload / new model trained; now run reload")
    else:
        print("ข้อมูลไม่เปลี่ยน ใช้โมเดลเดิม / data unchanged; the model is up to date")
    return 0


def cmd_reload(args, paths: Paths) -> int:
    print(
        "บอตที่ทำงานอยู่จะใช้โมเดลใหม่เองโดยไม่หยุดตอบ บทสนทนาไม่หาย / "
        "the running bot takes the new model without pausing; conversations "
        "are kept"
    )
    outcome = ops.reload(paths, force=args.force)
    if outcome in ("restarted", "loaded"):
        print("บอตใช้โมเดลใหม่แล้ว / the bot now runs the new model")
    else:
        print(
            "โมเดลไม่เปลี่ยน บอตใช้โมเดลล่าสุดอยู่แล้ว (ใช้ --force เพื่อเริ่มใหม่) / "
            "model unchanged; the bot already runs it (--force restarts anyway)"
        )
    return 0


def cmd_unanswered(args, paths: Paths) -> int:
    print(
        "\n".join(
            review.unanswered_lines(paths.url, args.all, args.days, max(args.limit, 1))
        )
    )
    return 0


def cmd_teach(args, paths: Paths) -> int:
    result = nlu.teach(paths, args.text, args.intent)
    if result.added:
        print(
            f"เพิ่มตัวอย่างใน {result.file}:{result.line} แล้ว / example added at "
            f"{result.file}:{result.line}"
        )
    else:
        print("ตัวอย่างนี้มีอยู่แล้ว / the example was already there")
    print(
        f"ทำเครื่องหมายสอนแล้ว {result.marked} ข้อความ / {result.marked} unanswered "
        "questions marked as taught"
    )
    if result.warning:
        print(result.warning)
    print("ต่อไป / next: make train && make reload")
    return 0


def cmd_intent(args, paths: Paths) -> int:
    examples = _read_file(args.examples_file).splitlines()
    new = nlu.NewIntent(
        name=args.name,
        examples=examples,
        response=args.response,
        nlu_file=paths.nlu_dir / Path(args.nlu_file).name,
        rules_file=paths.nlu_dir.parent / "rules" / Path(args.rules_file).name,
    )
    written = nlu.add_intent(paths, new)
    print(f"เพิ่ม intent {args.name} แล้ว / intent {args.name} added:")
    for path in written:
        print(f"  {path}")
    print("ต่อไป / next: python -m bot.admin validate && make train && make reload")
    return 0


def cmd_report(args, paths: Paths) -> int:
    # the stored rows plus the daily counts kept by `retention run`
    print("\n".join(report.report_lines(paths.url, args.days)))
    # how often the limits fired (bot/limit_counts.py; no text, no ids)
    print("\n".join(limit_counts.report_lines(paths.url, args.days)))
    return 0


def cmd_retention(args, paths: Paths) -> int:
    try:
        days = retention.retention_days(args.days) if args.days else None
        result = retention.run_retention(
            tracker_url=args.tracker_url,
            service_url=paths.url,
            days=days,
            dry_run=args.dry_run,
            batch_size=args.batch_size,
        )
    except retention.RetentionError as exc:
        raise AdminError(exc.th, exc.en) from None
    print("\n".join(result.lines()))
    return 0


COMMANDS: Dict[str, Callable[[argparse.Namespace, Paths], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "edit": cmd_edit,
    "set-fact": cmd_set_fact,
    "alias": cmd_alias,
    "award": cmd_award,
    "export": cmd_export,
    "import": cmd_import,
    "validate": cmd_validate,
    "train": cmd_train,
    "reload": cmd_reload,
    "unanswered": cmd_unanswered,
    "teach": cmd_teach,
    "intent": cmd_intent,
    "report": cmd_report,
    "retention": cmd_retention,
    "user": usercli.cmd_user,
    "conversation": conversation.cmd_conversation,
    "line": line_cli.cmd_line,
}


def main(argv: Optional[List[str]] = None) -> int:
    if hasattr(signal, "SIGPIPE"):  # `... | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if (
        hasattr(sys.stdout, "reconfigure")
        and (sys.stdout.encoding or "").lower() != "utf-8"
    ):
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
        sys.stderr.reconfigure(encoding="utf-8", errors="replace")
    args = build_parser().parse_args(argv)
    try:
        paths = _paths(args)
        seen = terminal.before(args, paths)
        code = COMMANDS[args.command](args, paths)
        if code == 0:
            terminal.after(args, paths, seen)  # the console's change history
        return code
    except AdminError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
