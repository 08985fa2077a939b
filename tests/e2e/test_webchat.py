"""The web chat page in a real browser (Debian's Chromium, headless).

The page is served by the Rasa server itself (bot.channels.webchat) and talks
socket.io to bot.channels.rest.SafeSocketIOInput on the same origin. The
browser and the Thai fonts are installed by `ensure_browser` in scripts/web.sh,
the socket.io client by `ensure_web`.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.servers import REPO, Servers, has_thai

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SOCKETIO_CLIENT = REPO / "web/node_modules/socket.io-client/dist/socket.io.min.js"
PAGE = "/webhooks/webchat/"
# The first answer can take a while: the model warms up on the first message.
REPLY_MS = 60_000

pytestmark = pytest.mark.e2e
needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"{CHROMIUM} is missing: run `source scripts/lib.sh; ensure_browser` "
    "(apt-get install chromium fonts-thai-tlwg fonts-noto-core) to run this test",
)

BOT = "#chat-log .chat__message--bot .chat__text"
USER = "#chat-log .chat__message--user .chat__text"
BUTTON = "#chat-log .chat__button"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing (CI is set, so this test must run): "
            "scripts/web.sh's ensure_browser installs it"
        )
    if not SOCKETIO_CLIENT.exists():
        pytest.fail(
            f"{SOCKETIO_CLIENT.relative_to(REPO)} is missing: "
            "run `npm ci --prefix web` "
            "(ensure_web in scripts/web.sh)"
        )
    expect.set_options(timeout=REPLY_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def page(browser: Browser, servers: Servers) -> Iterator[Page]:
    """A fresh browser profile (empty localStorage) that records page errors."""
    context = browser.new_context(locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(REPLY_MS)
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.errors.append("dialog"), dialog.dismiss()))
    try:
        yield page
    finally:
        context.close()


def open_chat(page: Page, servers: Servers) -> None:
    page.goto(servers.rasa_url + PAGE)
    expect(page).to_have_title("ถามตอบบริการภาครัฐ")
    expect(page.locator("#chat-status")).to_have_text("เชื่อมต่อแล้ว")


def send(page: Page, text: str) -> None:
    page.get_by_label("ข้อความถึงระบบตอบคำถาม").fill(text)
    page.get_by_label("ข้อความถึงระบบตอบคำถาม").press("Enter")


def bubble_texts(page: Page, selector: str) -> list[str]:
    return page.locator(selector).all_text_contents()


def assert_links_are_safe(page: Page) -> None:
    for link in page.locator("#chat-log a").all():
        assert (link.get_attribute("href") or "").startswith("https://")
        assert link.get_attribute("rel") == "noopener noreferrer"
        assert link.get_attribute("target") == "_blank"


@needs_browser
def test_thai_conversation_with_buttons_survives_reload(
    page: Page, servers: Servers
) -> None:
    open_chat(page, servers)
    assert page.locator("html").get_attribute("lang") == "th"
    expect(page.get_by_placeholder("พิมพ์คำถามที่นี่…")).to_be_visible()

    # 1-2. A Thai greeting gets a Thai answer with its topic buttons.
    send(page, "สวัสดีค่ะ")
    expect(page.locator(USER)).to_have_count(1)
    expect(page.locator(USER).first).to_contain_text("สวัสดีค่ะ")
    expect(page.locator(BOT).first).to_contain_text("สวัสดี")
    assert has_thai(page.locator(BOT).first.inner_text())
    button = page.locator(BUTTON, has_text="รางวัลรัฐบาลดิจิทัล")
    expect(button).to_be_visible()
    bots_before = page.locator(BOT).count()

    # 3. The button sends its payload; the transcript shows its title, the
    # buttons go away and the follow-up answer arrives.
    button.click()
    expect(page.locator(USER)).to_have_count(2)
    expect(page.locator(USER).nth(1)).to_have_text("รางวัลรัฐบาลดิจิทัล")
    expect(page.locator(BUTTON, has_text="ยกเลิกสำเนาเอกสาร")).to_have_count(0)
    expect(page.locator(BOT).nth(bots_before)).to_be_visible()
    follow_up = page.locator(BOT).nth(bots_before).inner_text()
    assert has_thai(follow_up)
    assert_links_are_safe(page)

    # 4. After a reload the same conversation is shown again, same session.
    expect(page.locator(".chat__typing")).to_have_count(0)
    before = {
        "user": bubble_texts(page, USER),
        "bot": bubble_texts(page, BOT),
        "buttons": page.locator(BUTTON).all_inner_texts(),
        "session": page.evaluate("localStorage.getItem('webchat.session_id')"),
    }
    page.reload()
    expect(page.locator("#chat-status")).to_have_text("เชื่อมต่อแล้ว")
    expect(page.locator(BOT)).to_have_count(len(before["bot"]))
    after = {
        "user": bubble_texts(page, USER),
        "bot": bubble_texts(page, BOT),
        "buttons": page.locator(BUTTON).all_inner_texts(),
        "session": page.evaluate("localStorage.getItem('webchat.session_id')"),
    }
    assert after == before
    assert before["user"] == ["สวัสดีค่ะ", "รางวัลรัฐบาลดิจิทัล"]
    assert page.errors == []  # type: ignore[attr-defined]


@needs_browser
def test_markup_typed_by_a_user_is_shown_as_text(page: Page, servers: Servers) -> None:
    markup = "<img src=x onerror=alert(1)><b>hi</b>"
    open_chat(page, servers)
    send(page, markup)
    expect(page.locator(USER)).to_have_count(1)
    expect(page.locator(USER).first).to_have_text(markup)
    # Whatever the bot answers is rendered as text too.
    expect(page.locator(BOT).first).to_be_visible()
    log = page.locator("#chat-log")
    expect(log.locator("img")).to_have_count(0)
    expect(log.locator("b")).to_have_count(0)
    assert log.locator("script, iframe, svg, [onerror]").count() == 0
    assert_links_are_safe(page)
    assert page.errors == []  # type: ignore[attr-defined]


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_page_and_its_files_are_served_by_the_rasa_server(servers: Servers) -> None:
    base = servers.rasa_url + PAGE
    status, content_type, body = fetch(base)
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert "ถามตอบบริการภาครัฐ" in body.decode("utf-8")
    for name, expected in [
        ("chat.js", "text/javascript; charset=utf-8"),
        ("chat.css", "text/css; charset=utf-8"),
        (
            "node_modules/socket.io-client/dist/socket.io.min.js",
            "text/javascript; charset=utf-8",
        ),
    ]:
        status, content_type, _ = fetch(base + name)
        assert (status, content_type) == (200, expected), name
    # Nothing outside web/, and nothing in it but the page's files.
    for name in [
        "package.json",
        "%2e%2e/credentials.yml",
        "..%2fcredentials.yml",
        "node_modules/socket.io-client/package.json",
        "node_modules/socket.io-client/dist/%2e%2e/package.json",
    ]:
        assert fetch(base + name)[0] == 404, name


def test_the_chat_page_links_to_the_privacy_page(servers: Servers) -> None:
    """Every citizen can read what is kept before asking anything (PDPA)."""
    base = f"{servers.rasa_url}/webhooks/webchat/"
    with urllib.request.urlopen(base, timeout=10) as page:
        assert 'href="privacy"' in page.read().decode("utf-8")
    with urllib.request.urlopen(base + "privacy", timeout=10) as page:
        text = page.read().decode("utf-8")
        assert page.status == 200 and has_thai(text)
