"""``python -m bot.admin conversation export|delete <id | reference code>``:
answering a citizen's written request (PDPA) for a copy or the erasure of a
conversation.

The conversation is named by its id (a LINE user id, a REST sender, a web
session id, or its ``anon-…`` pseudonym) or by the reference code the privacy
notice showed ("รหัสอ้างอิง", bot/privacy/reference.py): the code of every
stored conversation is computed and compared, so the code reveals nothing.

``export`` writes the conversation's messages (already masked when they were
stored), its unanswered questions and ratings as JSON; ``delete`` erases what
a citizen's own "ลบข้อมูลของฉัน" erases (bot/privacy/erasure.py), holding the
conversation's lock when Rasa uses Redis locks (``LOCK_STORE_URL``), so that a
turn in flight cannot write it back. Both are recorded in
``privacy_requests``: who (``--by``, else ``$USER``), when, what and which
conversation (its reference code), never the content.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.content.db import get_engine, migrate
from bot.content.models import AnswerRating, UnansweredQuestion
from bot.insights import message_ref
from bot.privacy.erasure import conversation_events, erase_conversation, events
from bot.privacy.records import record_request
from bot.privacy.reference import normalise_code, reference_code


def add_parser(add, common: argparse.ArgumentParser) -> None:
    """Registers ``conversation export|delete`` with bot/admin/cli.py's `add`."""
    p = add(
        "conversation",
        "สำเนาหรือลบบทสนทนาตามคำขอเป็นหนังสือ (PDPA) / export or delete a "
        "conversation on a written request",
    )
    csub = p.add_subparsers(dest="action", metavar="export|delete")
    csub.required = True
    for name, help_text in (
        ("export", "สำเนาบทสนทนาเป็น JSON / the conversation as JSON"),
        ("delete", "ลบบทสนทนาและบันทึกที่เกี่ยวข้อง / erase the conversation"),
    ):
        pa = csub.add_parser(name, help=help_text, parents=[common])
        pa.add_argument(
            "conversation", help="รหัสอ้างอิง หรือรหัสบทสนทนา / reference code or id"
        )
        pa.add_argument("--by", help="ชื่อเจ้าหน้าที่ผู้ดำเนินการ / staff name (default $USER)")
        pa.add_argument(
            "--tracker-url",
            help="ที่เก็บบทสนทนา / tracker store URL (default $TRACKER_STORE_URL "
            "or var/tracker.db)",
        )
        if name == "export":
            pa.add_argument("--out", help="ไฟล์ผลลัพธ์ / output file (default stdout)")
        else:
            pa.add_argument(
                "--yes", action="store_true", help="ไม่ต้องถามยืนยัน / do not ask"
            )


def _tracker_url(explicit: Optional[str]) -> str:
    from bot.rasa_ext.store_common import tracker_store_url

    url = explicit or tracker_store_url(None)
    return (
        "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgres://")
        else url
    )


def _actor(by: Optional[str]) -> str:
    name = (by or os.environ.get("USER") or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # noqa: BLE001
            name = "unknown"
    return name[:64]


def find_conversation(engine: sa.engine.Engine, given: str) -> str:
    """The stored conversation id that `given` (an id or a code) names."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("events"):
            raise AdminError("ยังไม่มีบทสนทนาในระบบ", "no conversations are stored")
        found = connection.execute(
            sa.select(events.c.id).where(events.c.sender_id == given).limit(1)
        ).first()
        if found:
            return given
        code = normalise_code(given)
        if code is None:
            raise AdminError(
                f"ไม่พบบทสนทนา {given!r}", f"no conversation {given!r} is stored"
            )
        ids = connection.execute(sa.select(events.c.sender_id).distinct()).scalars()
        matches = [sender for sender in ids if reference_code(sender) == code]
    if not matches:
        raise AdminError(
            f"ไม่พบบทสนทนาที่มีรหัสอ้างอิง {code} (อาจถูกลบแล้วหรือพ้นระยะเก็บข้อมูล)",
            f"no stored conversation has the reference code {code} (erased or "
            "past retention?)",
        )
    if len(matches) > 1:
        raise AdminError(
            f"รหัสอ้างอิง {code} ตรงกับหลายบทสนทนา ใช้รหัสบทสนทนาแทน",
            f"the code {code} matches {len(matches)} conversations; give the id",
        )
    return matches[0]


def _records(table, refs: List[str], url: Optional[str]) -> List[Dict[str, Any]]:
    if not refs:
        return []
    with get_engine(url).connect() as connection:
        rows = connection.execute(
            sa.select(table).where(table.c.message_ref.in_(refs))
        ).mappings()
        return [
            {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()}
            for r in rows
        ]


def export_conversation(
    engine: sa.engine.Engine, conversation_id: str, url: Optional[str]
) -> Dict[str, Any]:
    """The conversation's messages and records, as the citizen may receive them."""
    with engine.connect() as connection:
        stored = conversation_events(connection, conversation_id)
    messages = []
    for event in stored:
        if event.get("event") not in ("user", "bot"):
            continue
        ts = event.get("timestamp")
        messages.append(
            {
                "time": datetime.fromtimestamp(ts, timezone.utc).isoformat()
                if isinstance(ts, (int, float))
                else None,
                "from": "citizen" if event["event"] == "user" else "bot",
                "text": event.get("text"),
                "channel": event.get("input_channel"),
            }
        )
    refs = sorted(
        {
            ref
            for e in stored
            if e.get("event") == "user"
            and (ref := message_ref(conversation_id, e.get("message_id")))
        }
    )
    return {
        "reference": reference_code(conversation_id),
        "conversation_id": conversation_id,
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "messages": messages,
        "unanswered_questions": _records(UnansweredQuestion.__table__, refs, url),
        "ratings": _records(AnswerRating.__table__, refs, url),
        "events": len(stored),
    }


async def _delete_locked(engine: sa.engine.Engine, conversation_id: str, url) -> Any:
    from bot.rasa_ext.lock_store import EnvLockStore

    store = EnvLockStore()
    async with store.lock(conversation_id, wait_time_in_seconds=0.1):
        erased = await asyncio.to_thread(
            erase_conversation, engine, conversation_id, url
        )
        erased.line_keys = await _forget_line_keys(conversation_id)
    return erased


async def _forget_line_keys(conversation_id: str) -> int:
    """LINE de-duplication keys of the user in Redis (none in memory here)."""
    from bot.channels.line.dedup import RedisEventDeduplicator, deduplicator_from_env
    from bot.privacy.line import forget_dedup_keys

    deduplicator = deduplicator_from_env()
    if not isinstance(deduplicator, RedisEventDeduplicator):
        return 0
    try:
        return await forget_dedup_keys(deduplicator, conversation_id)
    finally:
        await deduplicator.redis.close()


def cmd_conversation(args: argparse.Namespace, paths: Paths) -> int:
    """``conversation export`` / ``conversation delete``."""
    engine = sa.create_engine(
        _tracker_url(args.tracker_url), poolclass=sa.pool.NullPool
    )
    try:
        migrate(paths.url)  # privacy_requests exists
        conversation_id = find_conversation(engine, args.conversation.strip())
        code = reference_code(conversation_id)
        actor = _actor(args.by)
        if args.action == "export":
            data = export_conversation(engine, conversation_id, paths.url)
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if args.out:
                with open(args.out, "w", encoding="utf-8") as handle:
                    handle.write(text + "\n")
            else:
                print(text)
            record_request(actor, "export", code, data["events"], paths.url)
            print(
                f"ส่งออกบทสนทนา {code} แล้ว ({data['events']} เหตุการณ์) / exported "
                f"conversation {code} ({data['events']} events)",
                file=sys.stderr,
            )
            return 0
        if not args.yes:
            if not sys.stdin.isatty():
                raise AdminError(
                    "การลบต้องยืนยัน: เพิ่ม --yes", "deleting needs --yes when not asked"
                )
            answer = input(f"ลบบทสนทนา {code} ถาวร? พิมพ์ yes / erase {code}? type yes: ")
            if answer.strip().lower() not in ("yes", "y", "ใช่"):
                print("ยกเลิก ไม่ได้ลบอะไร / cancelled, nothing deleted")
                return 0
        erased = asyncio.run(_delete_locked(engine, conversation_id, paths.url))
        record_request(actor, "delete", code, erased.events, paths.url)
        print(
            f"ลบบทสนทนา {code} แล้ว: {erased.events} เหตุการณ์ คำถามค้าง "
            f"{erased.unanswered} คะแนน {erased.ratings} / erased conversation {code}: "
            f"{erased.summary()}"
        )
        return 0
    except sa.exc.SQLAlchemyError as error:
        raise AdminError(
            "ใช้ฐานข้อมูลไม่ได้ ตรวจ TRACKER_STORE_URL และ DATABASE_URL แล้วสั่งใหม่",
            f"database error ({type(error).__name__}); check TRACKER_STORE_URL and "
            "DATABASE_URL, then run again",
        ) from None
    finally:
        engine.dispose()
