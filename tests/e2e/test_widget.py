"""The embeddable widget on an agency's page of another origin (Chromium).

A plain host page on a second loopback port (the origin the test servers
list in WEBCHAT_FRAME_ANCESTORS) carries the one script tag. The test opens
the bubble, asks, gets a card, clicks its button, checks that the host page's
DOM is unchanged outside the widget, runs axe-core in the host page and in
the chat, and saves screenshots at 390×800 and 1280×800 (to the test's
folder; ``UPDATE_DOCS_SCREENSHOTS=1`` writes them to docs/img/ instead).
"""

from __future__ import annotations

import os
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e.test_webchat import browser  # noqa: F401  (the Chromium fixture)
from tests.support.servers import REPO, Servers

pytestmark = pytest.mark.e2e

AXE = REPO / "web/node_modules/axe-core/axe.min.js"
WIDGET = "[data-thai-citizen-chat]"
SIZES = {"phone": (390, 800), "desktop": (1280, 800)}
HOST_PAGE = """<!doctype html>
<html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>กรมตัวอย่าง</title>
<style>body{{font-family:sans-serif;margin:0}}
h1{{background:#5b2c6f;color:#fff;margin:0;padding:1rem}} main{{padding:1rem}}</style>
</head>
<body><h1 id="agency">กรมตัวอย่าง</h1>
<main id="content"><p class="news">ข่าวประชาสัมพันธ์ของหน่วยงาน</p>
<button id="agency-button" type="button">ปุ่มของหน่วยงาน</button></main>
<script src="{widget}" data-title="ถามตอบกรมตัวอย่าง" data-accent="{accent}"
 async></script>
</body></html>"""
# The host page's own DOM, without the widget's container.
HOST_DOM = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[data-thai-citizen-chat]').forEach(n => n.remove());
  return [document.head.innerHTML, body.innerHTML, document.body.children.length];
}"""


class HostPage:
    """An agency's web server on the allowed origin, serving one page."""

    def __init__(self, origin: str, widget_url: str) -> None:
        self.origin = origin
        self.accent = "#5b2c6f"
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                page = HOST_PAGE.format(widget=widget_url, accent=host.accent)
                data = page.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        port = urlparse(origin).port
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def host(servers: Servers) -> Iterator[HostPage]:
    origin = servers.env["WEBCHAT_FRAME_ANCESTORS"]
    page = HostPage(origin, f"{servers.rasa_url}/webhooks/webchat/widget.js")
    try:
        yield page
    finally:
        page.close()


def shots_dir(tmp_path: Path) -> Path:
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        return REPO / "docs" / "img"
    return tmp_path / "screenshots"


def check_axe(target: Page | Frame, name: str) -> None:
    """No serious or critical axe-core violation (WCAG 2.1 A/AA rules)."""
    target.evaluate(AXE.read_text(encoding="utf-8"))  # not subject to the page CSP
    result = target.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} @ {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not problems, f"axe-core on {name}:\n" + "\n".join(problems)


def chat_frame(page: Page) -> Frame:
    handle = page.locator(f"{WIDGET} iframe").element_handle()
    frame = handle.content_frame() if handle else None
    assert frame is not None
    return frame


def test_one_script_tag_gives_a_working_thai_chat(
    browser: Browser,  # noqa: F811
    servers: Servers,
    host: HostPage,
    tmp_path: Path,
) -> None:
    assert AXE.exists(), "run `npm ci --prefix web` (ensure_web in scripts/web.sh)"
    with urllib.request.urlopen(f"{servers.rasa_url}/webhooks/webchat/") as resp:
        csp = resp.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {host.origin}" in csp

    context = browser.new_context(
        locale="th-TH", viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    warnings: list = []
    page.on(
        "console", lambda m: warnings.append(m.text) if m.type == "warning" else None
    )
    try:
        page.goto(host.origin + "/")
        bubble = page.locator(f"{WIDGET} button.bubble")
        expect(bubble).to_be_visible()
        before = page.evaluate(HOST_DOM)
        assert before[2] == 4  # h1, main, the script tag, the widget's container

        bubble.click()
        expect(bubble).to_have_attribute("aria-expanded", "true")
        frame = chat_frame(page)
        frame.wait_for_selector("#chat[data-state='connected']", timeout=60_000)
        expect(page.locator(f"{WIDGET} .panel h2")).to_have_text("ถามตอบกรมตัวอย่าง")

        frame.fill("#chat-input", "ขอใบอนุญาตผ่าน Biz Portal ทำยังไง")
        frame.press("#chat-input", "Enter")
        card = frame.locator(".chat__card").first
        card.wait_for(timeout=60_000)
        assert "ขั้นตอน" in card.locator(".chat__card-title").inner_text()
        assert card.locator("ol li").count() == 5  # the steps, numbered
        link = card.locator("a.chat__card-link").first
        assert link.get_attribute("href").startswith("https://")

        folder = shots_dir(tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(200)
            card.scroll_into_view_if_needed()
            box = page.locator(f"{WIDGET} .panel").bounding_box()
            if width < 600:  # full screen on a phone
                assert box["width"] == width and box["height"] == height
            else:
                assert box["width"] < width / 2
            page.screenshot(path=str(folder / f"widget-{name}.png"))
        assert (folder / "widget-phone.png").stat().st_size > 10_000

        page.set_viewport_size({"width": 1280, "height": 800})

        action = card.locator("button.chat__card-action").first
        label = action.inner_text()
        before_bot = frame.locator(".chat__message--bot").count()
        action.click()
        user_texts = frame.locator(".chat__message--user .chat__text")
        expect(user_texts.last).to_have_text(label)
        frame.wait_for_function(
            "n => document.querySelectorAll('.chat__message--bot').length > n",
            arg=before_bot,
            timeout=60_000,
        )

        # "ขนาดตัวอักษร" kept across reloads of the chat
        frame.select_option("#chat-font-size", "large")
        assert frame.evaluate("document.documentElement.dataset.fontSize") == "large"

        check_axe(frame, "chat in the widget")
        check_axe(page, "host page with the widget")
        assert page.evaluate(HOST_DOM) == before  # host DOM untouched

        page.reload()
        page.locator(f"{WIDGET} button.bubble").click()
        frame = chat_frame(page)
        frame.wait_for_selector("#chat[data-state='connected']", timeout=60_000)
        assert frame.evaluate("document.documentElement.dataset.fontSize") == "large"
        assert frame.locator(".chat__card").count() >= 1  # the card is kept too
        page.keyboard.press("Escape")  # closes from the keyboard (focus in panel)
    finally:
        context.close()
    assert not errors, errors
    assert not [w for w in warnings if "thai-citizen-chat" in w]


def test_unreadable_accent_is_refused_with_a_console_message(
    browser: Browser,  # noqa: F811
    servers: Servers,
    host: HostPage,
) -> None:
    host.accent = "#9aa0a6"  # 2.6:1 with white, 5.9:1 with near-black: dark text
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    warnings: list = []
    page.on("console", lambda m: warnings.append(m.text))
    try:
        page.goto(host.origin + "/")
        bubble = page.locator(f"{WIDGET} button.bubble")
        expect(bubble).to_be_visible()
        assert bubble.evaluate("b => getComputedStyle(b).color") == "rgb(17, 24, 39)"
        assert not [w for w in warnings if "data-accent" in w]
        host.accent = "#777777"  # 4.48:1 with white, 3.9:1 with near-black
        page.reload()
        expect(bubble).to_be_visible()
        style = bubble.evaluate(
            "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
        )
        assert style == ["rgb(11, 92, 173)", "rgb(255, 255, 255)"]  # the default
        assert any("refused" in w and "4.5:1" in w for w in warnings), warnings
        host.accent = "#ff00"  # not a colour at all
        page.reload()
        expect(bubble).to_be_visible()
        assert any("#rgb or #rrggbb" in w for w in warnings), warnings
        # 320 px: the bubble opens a full-screen chat without sideways scroll
        bubble.click()
        frame = chat_frame(page)
        frame.wait_for_selector("#chat-input")
        scroll = frame.evaluate(
            "() => [document.documentElement.scrollWidth, "
            "document.documentElement.clientWidth]"
        )
        assert scroll[0] <= scroll[1], scroll
    finally:
        context.close()


def test_rest_keeps_the_whole_answer_in_text_and_adds_the_cards(
    servers: Servers,
) -> None:
    replies = servers.chat("rest-cards", "รางวัลระดับจังหวัดมีจังหวัดไหนบ้าง")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "จังหวัดลำพูน" in text and "https://" in text  # nothing lost
    [with_cards] = [r for r in replies if "custom" in r]
    cards = with_cards["custom"]["cards"]
    assert cards["version"] == 1 and cards["alt"].endswith("ค่ะ")
    [card] = cards["items"]
    assert "จังหวัดลำพูน" in card["lines"] and card["numbered"] is True
    assert card["links"][0]["url"].startswith("https://")
