"""The rich menu as code: the calls LINE receives, and the image.

Runs `python -m bot.admin line richmenu deploy|remove` against the fake LINE
API of tests/support/line_fake.py (in a thread of its own, since the command
runs its own event loop).
"""

from __future__ import annotations

import asyncio
import io
import threading
from typing import Iterator

import pytest

from bot.admin.cli import main as admin
from bot.channels.line import richmenu
from bot.replies.phrases import HELP_BUTTONS
from tests.support.line_fake import FakeLineApi

OLD = {"richMenuId": "richmenu-old", "name": richmenu.MENU_NAME}
FOREIGN = {"richMenuId": "richmenu-someone-else", "name": "campaign"}


@pytest.fixture()
def line(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLineApi]:
    """The fake LINE API on its own loop; the admin command talks to it."""
    fake = FakeLineApi()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
    fake.answers[("GET", "/v2/bot/richmenu/list")] = {"richmenus": [OLD, FOREIGN]}
    fake.answers[("POST", "/v2/bot/richmenu")] = {"richMenuId": "richmenu-new"}
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "menu-token")
    monkeypatch.setenv("LINE_API_BASE_URL", fake.url)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def calls(fake: FakeLineApi) -> list:
    return [(c.get("method", "POST"), c["path"]) for c in fake.calls]


def test_deploy_creates_uploads_sets_default_and_deletes_the_old_menu(
    line: FakeLineApi, capsys: pytest.CaptureFixture
) -> None:
    assert admin(["line", "richmenu", "deploy"]) == 0
    assert calls(line) == [
        ("GET", "/v2/bot/richmenu/list"),
        ("POST", "/v2/bot/richmenu"),
        ("POST", "/v2/bot/richmenu/richmenu-new/content"),
        ("POST", "/v2/bot/user/all/richmenu/richmenu-new"),
        ("DELETE", "/v2/bot/richmenu/richmenu-old"),
    ]  # a menu someone else made stays
    assert all(c["headers"]["Authorization"] == "Bearer menu-token" for c in line.calls)
    created = line.calls[1]["json"]
    assert created["size"] == {"width": 2500, "height": 1686}
    assert created["selected"] is True and created["chatBarText"] == "เมนู"
    areas = created["areas"]
    labels = [a["action"]["label"] for a in areas]
    assert labels == [
        "รางวัลรัฐบาลดิจิทัล",
        "ยกเลิกสำเนาเอกสาร",
        "Biz Portal",
        "ติดต่อเจ้าหน้าที่",
        "วิธีใช้",
    ]
    for area in areas:
        action = area["action"]
        assert action["type"] == "message"  # a Thai text, never a postback intent
        assert not action["text"].startswith("/")
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in action["text"])
    assert [a["action"]["text"] for a in areas[:3]] == [
        b["payload"] for b in HELP_BUTTONS
    ]
    covered = sum(a["bounds"]["width"] * a["bounds"]["height"] for a in areas)
    assert covered == 2500 * 1686
    upload = line.calls[2]
    assert upload["headers"]["Content-Type"] == "image/png"
    assert upload["body"].startswith(b"\x89PNG") and len(upload["body"]) < 1024 * 1024
    assert "richmenu-new" in capsys.readouterr().out


def test_remove_unsets_the_default_and_deletes_our_menus(line: FakeLineApi) -> None:
    assert admin(["line", "richmenu", "remove"]) == 0
    assert calls(line) == [
        ("GET", "/v2/bot/richmenu/list"),
        ("DELETE", "/v2/bot/user/all/richmenu"),
        ("DELETE", "/v2/bot/richmenu/richmenu-old"),
    ]


def test_deploy_without_a_token_says_what_to_set(
    line: FakeLineApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "")
    assert admin(["line", "richmenu", "deploy"]) == 2
    assert "LINE_CHANNEL_ACCESS_TOKEN" in capsys.readouterr().err
    assert line.calls == []


def test_the_image_is_thai_with_complex_layout() -> None:
    from PIL import Image, ImageChops, ImageDraw, ImageFont, features

    assert features.check("raqm"), "Pillow without raqm: see docs/line.md"
    font = richmenu.find_font()
    picture = Image.open(io.BytesIO(richmenu.image(font)))
    assert picture.size == (2500, 1686) and picture.format == "PNG"
    # raqm places the tone mark of ปั้น / ที่ differently from the basic layout
    drawn = []
    for engine in (ImageFont.Layout.RAQM, ImageFont.Layout.BASIC):
        face = ImageFont.truetype(str(font), 100, layout_engine=engine)
        canvas = Image.new("L", (400, 160), 0)
        ImageDraw.Draw(canvas).text((10, 10), "ปั้น ที่", font=face, fill=255)
        drawn.append(canvas)
    assert ImageChops.difference(*drawn).getbbox() is not None


def test_no_raqm_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import features

    monkeypatch.setattr(features, "check", lambda name: False)
    with pytest.raises(richmenu.RichMenuError) as error:
        richmenu.image(richmenu.find_font())
    assert "raqm" in str(error.value.args)
