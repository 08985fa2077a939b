"""``python -m bot.admin line richmenu deploy|remove``: the LINE rich menu.

The token comes from ``LINE_CHANNEL_ACCESS_TOKEN``, the API from
``LINE_API_BASE_URL`` (bot/settings.py); every call has a timeout. The menu
itself (areas, image, API steps) is bot/channels/line/richmenu.py.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot import settings
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.channels.line import richmenu
from bot.channels.line.api import LineApi

TIMEOUT_S = 20.0


def add_parser(add, common: argparse.ArgumentParser) -> None:
    """Register ``line richmenu deploy|remove`` with bot/admin/cli.py's `add`."""
    p = add("line", "LINE Official Account: เมนู / rich menu")
    lsub = p.add_subparsers(dest="target", metavar="richmenu")
    lsub.required = True
    pr = lsub.add_parser(
        "richmenu", help="เมนูของ LINE / the rich menu", parents=[common]
    )
    rsub = pr.add_subparsers(dest="action", metavar="deploy|remove|image")
    rsub.required = True
    pd = rsub.add_parser(
        "deploy",
        help="สร้างเมนูใหม่และแทนที่เมนูเดิม / create the menu, replace the old one",
        parents=[common],
    )
    pd.add_argument("--font", help="ฟอนต์ภาษาไทย / Thai font file (.ttf)")
    rsub.add_parser("remove", help="ลบเมนู / remove the menu", parents=[common])
    pi = rsub.add_parser(
        "image", help="บันทึกรูปเมนูเป็นไฟล์ / write the menu image", parents=[common]
    )
    pi.add_argument("out", help="ไฟล์ PNG / output PNG file")
    pi.add_argument("--font", help="ฟอนต์ภาษาไทย / Thai font file (.ttf)")


def _api() -> LineApi:
    token = settings.line_access_token()
    if not token:
        raise AdminError(
            "ยังไม่ได้ตั้ง LINE_CHANNEL_ACCESS_TOKEN", "LINE_CHANNEL_ACCESS_TOKEN is not set"
        )
    return LineApi(token, settings.line_api_base_url(), timeout=TIMEOUT_S)


async def _run(action: str, picture: bytes | None) -> object:
    api = _api()
    try:
        if action == "deploy":
            assert picture is not None
            return await richmenu.deploy(api, picture)
        return await richmenu.remove(api)
    finally:
        await api.close()


def cmd_line(args: argparse.Namespace, paths: Paths) -> int:
    """Runs ``line richmenu …``."""
    try:
        if args.action == "image":
            font = richmenu.find_font(args.font)
            Path(args.out).write_bytes(richmenu.image(font))
            print(f"บันทึกรูปเมนูแล้ว / menu image written: {args.out}")
            return 0
        picture = None
        if args.action == "deploy":
            picture = richmenu.image(richmenu.find_font(args.font))
        result = asyncio.run(_run(args.action, picture))
    except richmenu.RichMenuError as exc:
        raise AdminError(*exc.args) from exc
    if args.action == "deploy":
        print(f"ตั้งเมนูใหม่แล้ว / rich menu deployed: {result}")
    else:
        print(f"ลบเมนูแล้ว {len(result)} รายการ / rich menus removed: {len(result)}")
    return 0
