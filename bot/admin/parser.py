"""The staff command line's arguments: every command, with help in Thai and
English (`build_parser`); bot/admin/cli.py runs them."""

from __future__ import annotations

import argparse

from bot.admin import (
    conversation,
    retention,
)
from bot.admin import line as line_cli
from bot.console import usercli

DESCRIPTION = """\
เครื่องมือสำหรับเจ้าหน้าที่: แก้คำตอบและข้อมูลของบอต ดูคำถามที่บอตตอบไม่ได้ สอนบอต ฝึกโมเดล
Staff tools: change the bot's answers and facts, review what it could not answer,
teach it, train and reload. Guide (Thai): docs/staff_guide.md"""

EPILOG = """\
ตัวอย่าง / examples:
  python -m bot.admin list answers
  python -m bot.admin edit answer bizportal_contact --replace "1301" "1302"
  python -m bot.admin alias add mea "ไฟฟ้านครหลวงฯ"
  python -m bot.admin unanswered
  python -m bot.admin teach "ต่อใบอนุญาตร้านอาหารยังไง" bizportal_lifecycle
  python -m bot.admin train && python -m bot.admin reload
  python -m bot.admin retention run --dry-run
  python -m bot.admin conversation export K7QM-2XRT --out request.json"""


def _common(parser: argparse.ArgumentParser, default) -> None:
    g = parser.add_argument_group("ที่เก็บข้อมูล / where data lives")
    g.add_argument("--root", default=default, help="โฟลเดอร์โปรเจกต์ / project folder")
    g.add_argument(
        "--content-dir",
        default=default,
        help="โฟลเดอร์ข้อมูลเนื้อหา / content folder (default data/content)",
    )
    g.add_argument(
        "--nlu-dir",
        default=default,
        help="โฟลเดอร์ข้อมูลฝึก NLU / NLU folder (default data/nlu)",
    )
    g.add_argument("--domain", default=default, help="domain.yml")
    g.add_argument(
        "--url",
        default=default,
        help="ฐานข้อมูล / DB URL (default $DATABASE_URL or var/service.db)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.admin",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser, None)
    common = argparse.ArgumentParser(add_help=False)
    _common(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    sub.required = True

    def add(name: str, help_text: str, **kw) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=help_text, description=help_text, parents=[common], **kw
        )

    p = add(
        "list", "แสดงรายการ / list answers, bodies, provinces, awards, facts, intents"
    )
    p.add_argument(
        "what", choices=["answers", "bodies", "provinces", "awards", "facts", "intents"]
    )

    p = add("show", "ดูรายละเอียดของรหัสหนึ่ง / show everything under a key")
    p.add_argument("key", help="รหัส เช่น bizportal_contact, mea, province / a key")

    p = add("edit", "แก้คำตอบ / edit an answer")
    esub = p.add_subparsers(dest="target", metavar="answer")
    esub.required = True
    pa = esub.add_parser(
        "answer", help="แก้ข้อความคำตอบ / edit an answer's text", parents=[common]
    )
    pa.add_argument("key", help="รหัสคำตอบ (ชื่อ intent) / answer key (intent name)")
    src = pa.add_mutually_exclusive_group()
    src.add_argument(
        "--text",
        help="ข้อความใหม่ทั้งหมด (\\n = ขึ้นบรรทัดใหม่) / the whole new text (\\n = new line)",
    )
    src.add_argument(
        "--from-file", help="อ่านข้อความใหม่จากไฟล์ (UTF-8) / read the new text from a file"
    )
    src.add_argument(
        "--replace",
        nargs=2,
        metavar=("OLD", "NEW"),
        help="แทนที่บางส่วน เช่น เบอร์โทร / replace part of the text",
    )
    pa.add_argument("--confidence", help="HIGH | MED-HIGH | MED | LOW-MED")
    pa.add_argument(
        "--source",
        nargs=2,
        action="append",
        metavar=("URL", "TITLE"),
        help="ที่มาใหม่ทั้งหมด (ใส่ซ้ำได้หลายแหล่ง) / the new sources, replacing the "
        "old ones (repeat for several)",
    )

    p = add("set-fact", "แก้ข้อเท็จจริงหนึ่งค่า / set one fact (see `list facts`)")
    p.add_argument(
        "fact", help="เช่น category.province.count, document.id-card-copy.nocopy"
    )
    p.add_argument("value", nargs="?", help="ค่าใหม่ / the new value")
    p.add_argument(
        "--clear", action="store_true", help="ลบค่า (ช่องที่ไม่บังคับ) / remove the value"
    )

    p = add("alias", "เพิ่ม/ลบชื่อเรียกของหน่วยงานหรือจังหวัด / add or remove an alias")
    asub = p.add_subparsers(dest="action", metavar="add|remove")
    asub.required = True
    for action in ("add", "remove"):
        pa = asub.add_parser(
            action,
            help="เพิ่ม / add" if action == "add" else "ลบ / remove",
            parents=[common],
        )
        pa.add_argument("body", help="รหัสหรือชื่อหน่วยงาน/จังหวัด / body key or name")
        pa.add_argument("alias", help="ชื่อเรียก / the alias")

    p = add("award", "เพิ่ม/ลบผู้ได้รับรางวัล / add or remove an award recipient")
    wsub = p.add_subparsers(dest="action", metavar="add|remove")
    wsub.required = True
    pa = wsub.add_parser("add", help="เพิ่ม / add", parents=[common])
    pa.add_argument("category", help="department | province | nocopy")
    pa.add_argument("recipient", help="รหัสหรือชื่อหน่วยงาน/จังหวัด / body key or name")
    pa.add_argument("--source", required=True, help="ลิงก์ที่มา https:// / source URL")
    pa.add_argument("--confidence", help="HIGH | MED-HIGH | MED | LOW-MED")
    pa = wsub.add_parser("remove", help="ลบ / remove", parents=[common])
    pa.add_argument("category")
    pa.add_argument("recipient")

    p = add("export", "ส่งออกข้อมูลเนื้อหา / export the content")
    p.add_argument("--format", choices=["yaml", "csv"], required=True)
    p.add_argument("--out", required=True, help="โฟลเดอร์ปลายทาง / output folder")

    p = add("import", "นำเข้าข้อมูลเนื้อหา (ตรวจก่อนทุกครั้ง) / import content (validated)")
    p.add_argument("--format", choices=["yaml", "csv"], required=True)
    p.add_argument("folder", help="โฟลเดอร์ที่มีไฟล์ / folder with the files")

    p = add(
        "validate",
        "ตรวจข้อมูลฝึกและเนื้อหา (file:line: ปัญหา) / check training data and content",
    )
    p.add_argument(
        "--no-rasa",
        action="store_true",
        help="ข้าม rasa data validate (เร็วขึ้น) / skip rasa data validate",
    )

    add("train", "ฝึกโมเดลถ้าข้อมูลเปลี่ยน / export lookups, check, train if changed")

    p = add(
        "reload",
        "ให้บอตที่ทำงานอยู่ใช้โมเดลใหม่ (เริ่ม Rasa ใหม่ บทสนทนาไม่หาย) / "
        "restart the running bot on the new model (conversations kept)",
    )
    p.add_argument(
        "--force", action="store_true", help="เริ่มใหม่แม้โมเดลไม่เปลี่ยน / restart anyway"
    )

    p = add("unanswered", "คำถามที่บอตตอบไม่ได้ จัดกลุ่ม / unanswered questions, grouped")
    p.add_argument(
        "--all", action="store_true", help="รวมที่สอนแล้ว / include taught ones"
    )
    p.add_argument("--days", type=int, help="เฉพาะ N วันล่าสุด / last N days only")
    p.add_argument("--limit", type=int, default=30, help="จำนวนกลุ่ม / groups shown")

    p = add("teach", "สอนประโยคตัวอย่างให้ intent / add an example to an intent")
    p.add_argument("text", help="ประโยค / the example sentence")
    p.add_argument("intent", help="ชื่อ intent / intent name")

    p = add("intent", "เพิ่ม intent ใหม่พร้อมคำตอบ / add a new intent with a response")
    isub = p.add_subparsers(dest="action", metavar="add")
    isub.required = True
    pa = isub.add_parser("add", help="เพิ่ม / add", parents=[common])
    pa.add_argument("name", help="ชื่อ intent เช่น ask_opening_hours / intent name")
    pa.add_argument(
        "--examples-file",
        required=True,
        help="ไฟล์ตัวอย่าง บรรทัดละประโยค อย่างน้อย 25 / one example per line, >= 25",
    )
    pa.add_argument("--response", required=True, help="คำตอบภาษาไทย / the Thai reply")
    pa.add_argument(
        "--nlu-file", default="staff.yml", help="ไฟล์ใน data/nlu / file in data/nlu"
    )
    pa.add_argument(
        "--rules-file",
        default="staff.yml",
        help="ไฟล์ใน data/rules / file in data/rules",
    )

    p = add("report", "คะแนน 👍/👎 ต่อ intent และคำถามค้าง / ratings and unanswered")
    p.add_argument("--days", type=int, help="เฉพาะ N วันล่าสุด / last N days only")

    p = add(
        "retention",
        "ลบบทสนทนาและบันทึกที่เก่ากว่าระยะเก็บข้อมูล (PDPA) / delete conversations "
        "and records older than the retention period",
    )
    rsub = p.add_subparsers(dest="action", metavar="run")
    rsub.required = True
    pa = rsub.add_parser(
        "run",
        help="ลบข้อมูลเก่า (เก็บยอดนับรายวันไว้) / delete old data (daily counts kept)",
        description=(
            "ลบบทสนทนาที่ข้อความล่าสุดเก่ากว่า RETENTION_DAYS วัน (ค่าเริ่มต้น 90) "
            "และคำถามที่ตอบไม่ได้/คะแนนที่เก่ากว่านั้น ทีละชุด ยอดนับรายวันที่ไม่มีข้อความ"
            "ยังอยู่ใน report / deletes conversations whose latest message is older "
            "than RETENTION_DAYS days (default 90) and older unanswered questions and "
            "ratings, in batches; daily counts without text stay in `report`"
        ),
        parents=[common],
    )
    pa.add_argument(
        "--dry-run",
        action="store_true",
        help="บอกว่าจะลบเท่าไร แต่ไม่ลบ / say how much would go, delete nothing",
    )
    pa.add_argument(
        "--days",
        help="จำนวนวันที่เก็บ (แทน RETENTION_DAYS) / days to keep (instead of "
        "RETENTION_DAYS)",
    )
    pa.add_argument(
        "--tracker-url",
        help="ที่เก็บบทสนทนา / tracker store URL (default $TRACKER_STORE_URL or "
        "var/tracker.db)",
    )
    pa.add_argument(
        "--batch-size",
        type=int,
        default=retention.DEFAULT_BATCH_SIZE,
        help="บทสนทนาหรือบันทึกต่อหนึ่งรอบ / conversations or records per transaction",
    )
    usercli.add_parser(add, common)
    conversation.add_parser(add, common)
    line_cli.add_parser(add, common)
    return parser
