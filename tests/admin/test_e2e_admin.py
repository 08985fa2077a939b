"""Staff tools against the running bot (the shared `servers` fixture):
a question the bot cannot answer is stored masked and listed by
`unanswered`; 👍 is stored for the answered intent; an answer edited with the
CLI is in the very next reply, without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import records
from bot.content.db import dispose_engines
from bot.content.importer import import_content
from bot.replies import FEEDBACK_GOOD
from tests.support.servers import Servers

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def joined(replies: list) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def admin(servers: Servers, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.admin",
            "--url",
            servers.env["DATABASE_URL"],
            *args,
        ],
        cwd=REPO,
        env=servers.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Nonsense the model cannot place (some of it falls back), and nonsense with
# personal data (masked before NLU; it may fall back or be answered as out of
# scope). Whatever is recorded must be masked.
NONSENSE = [
    "กระต่ายเต้นระบำบนดวงจันทร์",
    "สีม่วงบินได้ไหม",
    "มันคืออะไรกันแน่",
    "กระต่ายเต้นระบำ 1101700230716 somchai.j@example.com",
    "ดินสอสีส้มกระโดดข้ามรั้ว 1101700230716 0812345678",
]
RAW_PII = ("1101700230716", "0812345678", "somchai.j@example.com")


def test_fallback_is_recorded_masked_and_listed(servers: Servers) -> None:
    url = servers.env["DATABASE_URL"]
    fell_back = []
    for i, text in enumerate(NONSENSE):
        reply = joined(servers.chat(f"staff-e2e-fallback-{i}", text))
        if "ระบบยังไม่เข้าใจคำถาม" in reply:  # utter_default, sent by the action
            fell_back.append(text.split()[0])
    assert fell_back, "the bot answered every nonsense message with confidence"
    rows = records.unanswered_questions(url=url)
    dispose_engines()
    recorded = [next(r for r in rows if r.text.startswith(w)) for w in fell_back]
    for row in recorded:
        assert row.reason == "fallback" and row.channel == "rest"
        assert not any(raw in row.text for raw in RAW_PII)
        assert 1 <= len(row.top_intents) <= 3
        assert all(i["name"] != "nlu_fallback" for i in row.top_intents)
    for row in rows:
        assert not any(raw in row.text for raw in RAW_PII), row.text
    out = admin(servers, "unanswered")
    assert out.returncode == 0, out.stderr
    assert all(word in out.stdout for word in fell_back)
    assert not any(raw in out.stdout for raw in RAW_PII)


def test_thumbs_up_is_stored_for_the_answer(servers: Servers) -> None:
    url = servers.env["DATABASE_URL"]
    replies = servers.chat("staff-e2e-rating", "ค่าถ่ายเอกสารใครจ่าย")
    payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
    assert FEEDBACK_GOOD in payloads
    before = records.rating_counts(url=url).get("nocopy_who_pays", {}).get("good", 0)
    replies = servers.chat("staff-e2e-rating", FEEDBACK_GOOD)
    assert "ขอบคุณ" in joined(replies)
    after = records.rating_counts(url=url)["nocopy_who_pays"]["good"]
    dispose_engines()
    assert after == before + 1
    out = admin(servers, "report")
    assert out.returncode == 0 and "nocopy_who_pays" in out.stdout


def test_edited_answer_is_in_the_next_reply(servers: Servers, tmp_path: Path) -> None:
    url = servers.env["DATABASE_URL"]
    content = tmp_path / "content"
    shutil.copytree(REPO / "data" / "content", content)
    question = "ติดต่อ Biz Portal ได้ที่ไหน"
    assert "02-612-6060" in joined(servers.chat("staff-e2e-edit", question))
    try:
        out = admin(
            servers,
            "--content-dir",
            str(content),
            "edit",
            "answer",
            "bizportal_contact",
            "--replace",
            "02-612-6060",
            "02-612-9999",
        )
        assert out.returncode == 0, out.stderr
        reply = joined(servers.chat("staff-e2e-edit", question))
        assert "02-612-9999" in reply and "02-612-6060" not in reply
        assert "02-612-9999" in (content / "answers.yml").read_text(encoding="utf-8")
    finally:  # the other e2e tests expect the repository's content
        import_content(REPO / "data" / "content", url)
        dispose_engines()
    assert "02-612-6060" in (REPO / "data/content/answers.yml").read_text("utf-8")
