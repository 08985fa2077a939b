"""The LINE rich menu as code: its areas, its image and its deployment.

``python -m bot.admin line richmenu deploy`` (bot/admin/line.py) creates the
menu through the Messaging API, uploads the image, makes it the default for
every user, then deletes the menus an earlier deploy left; ``… remove``
unsets the default and deletes them. Each area sends a Thai text message
(bot/replies/phrases.RICH_MENU), never an intent: what reaches Rasa goes
through the hygiene module like anything a citizen types.

The image is drawn with Pillow from the Thai labels, with a Thai font
(Debian's fonts-thai-tlwg or fonts-noto-core) and complex-text layout
(raqm, which Pillow's wheel carries; it needs Debian's libfribidi0), so that
vowels and tone marks sit in the right place.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bot.channels.line.api import LineApi, LineApiResult
from bot.replies.phrases import RICH_MENU

logger = logging.getLogger(__name__)

MENU_NAME = "thai-citizen-service-menu"  # how a deploy finds its old menus
WIDTH, HEIGHT = 2500, 1686  # LINE's large template size
MAX_IMAGE_BYTES = 1024 * 1024  # LINE: 1 MB
BACKGROUND = "#FFFFFF"
TILE = "#0B5CAD"  # white on it: 6.6:1
TILE_SECOND = "#1F2937"  # white on it: 14.7:1
LABEL = "#FFFFFF"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf",
    "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf",
)


class RichMenuError(Exception):
    """A step failed; the message says which and what to check."""


def layout() -> List[Tuple[str, str, Dict[str, int]]]:
    """(label, text, bounds) per area: the three topics on top, "ติดต่อ
    เจ้าหน้าที่" and "วิธีใช้" below."""
    areas = RICH_MENU["areas"]
    top, bottom = areas[:3], areas[3:]
    out = []
    row = HEIGHT // 2
    for i, (label, text) in enumerate(top):
        x = i * WIDTH // len(top)
        w = (i + 1) * WIDTH // len(top) - x
        out.append((label, text, {"x": x, "y": 0, "width": w, "height": row}))
    for i, (label, text) in enumerate(bottom):
        x = i * WIDTH // len(bottom)
        w = (i + 1) * WIDTH // len(bottom) - x
        bounds = {"x": x, "y": row, "width": w, "height": HEIGHT - row}
        out.append((label, text, bounds))
    return out


def definition() -> Dict[str, Any]:
    """The rich menu object for ``POST /v2/bot/richmenu``."""
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": MENU_NAME,
        "chatBarText": RICH_MENU["chat_bar"],
        "areas": [
            {
                "bounds": bounds,
                "action": {"type": "message", "label": label[:20], "text": text},
            }
            for label, text, bounds in layout()
        ],
    }


def find_font(explicit: str | None = None) -> Path:
    """The Thai font to draw with: `explicit`, ``$LINE_RICHMENU_FONT`` or the
    first Debian Thai font installed."""
    for candidate in (explicit, os.environ.get("LINE_RICHMENU_FONT"), *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise RichMenuError(
        "ไม่พบฟอนต์ภาษาไทย: apt-get install fonts-thai-tlwg "
        "(หรือกำหนด LINE_RICHMENU_FONT)",
        "no Thai font: apt-get install fonts-thai-tlwg, or set LINE_RICHMENU_FONT",
    )


def _font(path: Path, size: int) -> Any:
    from PIL import ImageFont, features

    if not features.check("raqm"):
        raise RichMenuError(
            "Pillow จัดวางอักษรไทยไม่ได้ (ไม่มี raqm): apt-get install libfribidi0 libraqm0",
            "Pillow has no raqm layout: apt-get install libfribidi0 libraqm0",
        )
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def image(font_path: Path | None = None, labels: Sequence[str] | None = None) -> bytes:
    """The menu image (PNG, under LINE's 1 MB): one tile per area, its Thai
    label centred, laid out with raqm."""
    from PIL import Image, ImageDraw

    path = font_path or find_font()
    picture = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(picture)
    areas = layout()
    for index, (label, _, b) in enumerate(areas):
        text = labels[index] if labels else label
        gap = 12
        box = (
            b["x"] + gap,
            b["y"] + gap,
            b["x"] + b["width"] - gap,
            b["y"] + b["height"] - gap,
        )
        draw.rounded_rectangle(
            box, radius=48, fill=TILE if b["y"] == 0 else TILE_SECOND
        )
        size = 150
        font = _font(path, size)
        while draw.textlength(text, font=font) > b["width"] - 120 and size > 60:
            size -= 10
            font = _font(path, size)
        centre = (b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
        draw.text(centre, text, font=font, fill=LABEL, anchor="mm")
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    data = out.getvalue()
    if len(data) > MAX_IMAGE_BYTES:
        raise RichMenuError("รูปเมนูใหญ่เกิน 1 MB", "menu image over LINE's 1 MB")
    return data


def _check(result: LineApiResult, step: str) -> LineApiResult:
    if not result.ok:
        raise RichMenuError(
            f"LINE ตอบผิดพลาดที่ขั้น {step}: {result.status} {result.message}",
            f"LINE refused '{step}': status={result.status} message={result.message} "
            f"x-line-request-id={result.request_id}",
        )
    return result


async def our_menus(api: LineApi) -> List[str]:
    """Ids of the rich menus an earlier deploy created (by name)."""
    result = _check(await api.call("GET", "/v2/bot/richmenu/list"), "list")
    menus = (result.data or {}).get("richmenus") or []
    return [m["richMenuId"] for m in menus if m.get("name") == MENU_NAME]


async def deploy(api: LineApi, picture: bytes) -> str:
    """Create, upload the image, set as default, delete the old ones; the new
    id. A failed step deletes the half-made new menu."""
    old = await our_menus(api)
    created = _check(await api.call("POST", "/v2/bot/richmenu", definition()), "create")
    menu_id = str((created.data or {}).get("richMenuId") or "")
    if not menu_id:
        raise RichMenuError("LINE ไม่ส่งรหัสเมนูกลับมา", "LINE sent no richMenuId")
    try:
        _check(
            await api.call(
                "POST",
                f"/v2/bot/richmenu/{menu_id}/content",
                body=picture,
                headers={"Content-Type": "image/png"},
                base_url=api.data_base_url,
            ),
            "upload image",
        )
        _check(
            await api.call("POST", f"/v2/bot/user/all/richmenu/{menu_id}"),
            "set default",
        )
    except RichMenuError:
        await api.call("DELETE", f"/v2/bot/richmenu/{menu_id}")
        raise
    for old_id in old:
        if old_id != menu_id:
            _check(await api.call("DELETE", f"/v2/bot/richmenu/{old_id}"), "delete old")
    return menu_id


async def remove(api: LineApi) -> List[str]:
    """Unset the default menu and delete every menu a deploy created."""
    old = await our_menus(api)
    if old:
        _check(await api.call("DELETE", "/v2/bot/user/all/richmenu"), "unset default")
    for menu_id in old:
        _check(await api.call("DELETE", f"/v2/bot/richmenu/{menu_id}"), "delete")
    return old
