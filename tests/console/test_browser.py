"""The staff console in Chromium (Playwright), against the running bot:
sign in, edit an answer, the bot's next REST reply has the new text, revert,
the old text is back; screenshots at desktop and phone sizes with no
horizontal scroll and the Thai labels present; axe-core finds nothing.

Screenshots go to the test's folder; ``UPDATE_DOCS_SCREENSHOTS=1`` writes
them to docs/img/ for docs/staff_guide.md instead.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.content.db import dispose_engines
from bot.content.importer import import_content
from tests.console.helpers import PASSWORDS, REPO, Console, running_console
from tests.support.servers import Servers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
AXE = REPO / "bot/console/static/node_modules/axe-core/axe.min.js"
QUESTION = "ติดต่อเจ้าหน้าที่ bizportal เบอร์อะไร"  # answered by bizportal_contact
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/web.sh's ensure_browser")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run ensure_console_js (scripts/console.sh)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def live_console(
    servers: Servers,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Console]:
    """A console writing to the running bot's service DB."""
    url = servers.env["DATABASE_URL"]
    try:
        tracker = {"TRACKER_STORE_URL": servers.env["TRACKER_STORE_URL"]}
        workdir = tmp_path_factory.mktemp("console-live")
        with running_console(workdir, url, env=tracker) as c:
            yield c
    finally:  # the other e2e tests see the project's content again
        dispose_engines()
        import_content(REPO / "data" / "content", url)


def shots_dir(workdir: Path) -> Path:
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        return REPO / "docs" / "img"
    return workdir / "shots"


def sign_in(page: Page, base: str, name: str = "editor1") -> None:
    page.goto(base + "/answers")
    expect(page.get_by_role("heading", name="เข้าสู่ระบบ")).to_be_visible()
    page.get_by_label("ชื่อผู้ใช้").fill(name)
    page.get_by_label("รหัสผ่าน").fill(PASSWORDS[name])
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("heading", name="คำตอบของบอต")).to_be_visible()


def reply_text(servers: Servers, sender: str) -> str:
    return "\n".join(m.get("text", "") for m in servers.chat(sender, QUESTION))


def check_layout(page: Page, name: str, labels: list, folder: Path) -> None:
    """No horizontal scroll, the Thai labels shown, a screenshot per size."""
    folder.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        scroll = page.evaluate(
            "() => [document.documentElement.scrollWidth, "
            "document.documentElement.clientWidth]"
        )
        assert scroll[0] <= scroll[1], f"{name} scrolls sideways at {size}: {scroll}"
        for label in labels:
            expect(page.get_by_text(label, exact=False).first).to_be_visible()
        page.screenshot(path=str(folder / f"console-{name}-{size}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def check_axe(page: Page, name: str) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} @ {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]
    assert not problems, f"axe-core on {name}:\n" + "\n".join(problems)


def test_edit_an_answer_the_bot_uses_it_then_revert(
    browser: Browser,
    live_console: Console,
    servers: Servers,
):
    folder = shots_dir(live_console.workdir)
    context = browser.new_context(locale="th-TH", bypass_csp=True)  # axe injection
    page = context.new_page()
    try:
        before = reply_text(servers, f"console-{uuid.uuid4().hex[:8]}")
        page.goto(live_console.base + "/login")
        check_layout(page, "login", ["เข้าสู่ระบบ", "ชื่อผู้ใช้", "รหัสผ่าน"], folder)
        check_axe(page, "login")
        sign_in(page, live_console.base)

        page.get_by_label("ค้นหาคำตอบ").fill("Biz Portal")
        page.get_by_role("button", name="ค้นหา").click()
        check_layout(page, "answers", ["คำตอบของบอต", "ค้นหาคำตอบ"], folder)
        check_axe(page, "answers")
        page.get_by_role("link", name="bizportal_contact").click()
        expect(page.get_by_role("heading", name="ตัวอย่างที่ประชาชนจะเห็น")).to_be_visible()

        marker = f"ทดสอบจากระบบหลังบ้าน {uuid.uuid4().hex[:6]} ค่ะ"
        box = page.get_by_label("ข้อความคำตอบ")
        old_text = box.input_value()
        box.fill(old_text + "\n" + marker)
        page.get_by_role("button", name="ดูตัวอย่าง").click()
        expect(page.locator(".line-bubble")).to_contain_text(marker)
        check_layout(
            page, "answer-edit", ["ข้อความคำตอบ", "ที่มา", "LINE", "เว็บแชต"], folder
        )
        check_axe(page, "answer-edit")
        page.get_by_role("button", name="ตรวจแล้วบันทึก").click()
        expect(page.get_by_role("status")).to_contain_text(
            "แก้คำตอบ bizportal_contact แล้ว"
        )

        after = reply_text(servers, f"console-{uuid.uuid4().hex[:8]}")
        assert marker in after, after  # the next message, no restart

        page.get_by_role("link", name="ประวัติการแก้ไข").click()
        expect(page.get_by_text(marker).first).to_be_visible()
        check_layout(page, "history", ["ประวัติการแก้ไข", "ก่อน", "หลัง"], folder)
        check_axe(page, "history")
        page.get_by_role("button", name="ย้อนกลับรายการนี้").first.click()
        expect(page.get_by_role("status")).to_contain_text("ย้อนกลับแล้ว")

        back = reply_text(servers, f"console-{uuid.uuid4().hex[:8]}")
        assert marker not in back
        assert old_text in back and old_text in before

        pages = {
            "dashboard": ("/dashboard", ["ภาพรวม", "คำถามต่อวัน แยกตามช่องทาง"]),
            "unanswered": ("/unanswered", ["คำถามที่บอตตอบไม่ได้"]),
            "intents": ("/intents", ["เพิ่ม intent ใหม่พร้อมคำตอบ"]),
            "names": ("/names", ["ผู้ได้รับรางวัล", "เพิ่มชื่อเรียก"]),
        }
        for name, (path, labels) in pages.items():
            page.goto(live_console.base + path)
            check_layout(page, name, labels, folder)
            check_axe(page, name)
        page.get_by_role("button", name="ออกจากระบบ").click()
        sign_in(page, live_console.base, "admin1")
        for name, (path, labels) in {
            "train": ("/train", ["ฝึกโมเดล", "เผยแพร่", "ทดสอบประโยค"]),
            "users": ("/users", ["ผู้ใช้ระบบหลังบ้าน", "เพิ่มผู้ใช้"]),
        }.items():
            page.goto(live_console.base + path)
            check_layout(page, name, labels, folder)
            check_axe(page, name)
    finally:
        context.close()
