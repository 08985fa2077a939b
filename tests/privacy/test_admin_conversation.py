"""``python -m bot.admin conversation export|delete`` (bot/admin/conversation.py):
a conversation found by its reference code or id, exported as JSON or erased
like the citizen's own erasure; both recorded (who, when, which code, how
many events), never with content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.admin.cli import main
from bot.content.db import get_engine
from bot.privacy.records import requests_log
from bot.privacy.reference import reference_code
from tests.support.privacy import Stores, say

TEXT = "ขอสำเนาบทสนทนาเรื่องใบอนุญาตร้านกาแฟสดหน้าตลาดเช้า"


def args(stores: Stores, *rest: str) -> list[str]:
    return [
        "conversation",
        *rest,
        "--url",
        stores.service_url,
        "--tracker-url",
        f"sqlite:///{stores.tracker_path}",
    ]


def audit_text(stores: Stores) -> str:
    with get_engine(stores.service_url).connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM privacy_requests")).all()
    return json.dumps([list(map(str, row)) for row in rows], ensure_ascii=False)


def test_export_by_reference_code(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "officer.somchai")
    say(stores.tracker, "U-line-123", [TEXT], stores.service_url)
    say(stores.tracker, "someone-else", ["อีกคน"], stores.service_url)
    code = reference_code("U-line-123")
    out = tmp_path / "request.json"
    assert (
        main(args(stores, "export", code.lower().replace("-", ""), "--out", str(out)))
        == 0
    )
    data = json.loads(out.read_text())
    assert data["reference"] == code and data["conversation_id"] == "U-line-123"
    assert [m["text"] for m in data["messages"] if m["from"] == "citizen"] == [TEXT]
    assert len(data["unanswered_questions"]) == 1 and len(data["ratings"]) == 1
    (line,) = requests_log(stores.service_url)
    assert (line["actor"], line["action"], line["reference"]) == (
        "officer.somchai",
        "export",
        code,
    )
    assert line["events"] == data["events"] > 0
    assert TEXT not in audit_text(stores) and "U-line-123" not in audit_text(stores)


def test_delete_by_id_or_code_leaves_others(stores: Stores) -> None:
    say(stores.tracker, "web-abc", [TEXT], stores.service_url)
    say(stores.tracker, "web-other", ["อีกคน"], stores.service_url)
    code = reference_code("web-abc")
    assert main(args(stores, "delete", code, "--yes", "--by", "dpo")) == 0
    with stores.engine.connect() as connection:
        senders = connection.execute(
            sa.text("SELECT DISTINCT sender_id FROM events")
        ).scalars()
        assert set(senders) == {"web-other"}
    (line,) = requests_log(stores.service_url)
    assert (line["actor"], line["action"], line["reference"]) == ("dpo", "delete", code)
    # gone: asking again is an error (exit 2), and nothing new is recorded
    assert main(args(stores, "delete", code, "--yes")) == 2
    assert main(args(stores, "delete", "web-other", "--yes")) == 0
    assert len(requests_log(stores.service_url)) == 2


def test_delete_needs_yes_without_a_terminal(
    stores: Stores, capsys: pytest.CaptureFixture
) -> None:
    say(stores.tracker, "x1", [TEXT], stores.service_url)
    assert main(args(stores, "delete", "x1")) == 2
    assert "--yes" in capsys.readouterr().err


def test_delete_also_deletes_the_line_users_redis_keys(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    redis = pytest.importorskip("redis")
    from bot.privacy.line import user_ref

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    user, other = "U" + "a" * 32, "U" + "b" * 32
    keys = [f"line:event:{user_ref(user)}:e1", f"line:event:{user_ref(other)}:e2"]
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis at 127.0.0.1:6379 is needed")
    monkeypatch.setenv("LINE_DEDUP_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        for key in keys:
            client.set(key, b"1", ex=60)
        say(stores.tracker, user, [TEXT], stores.service_url)
        assert main(args(stores, "delete", user, "--yes")) == 0
        assert client.exists(keys[0]) == 0 and client.exists(keys[1]) == 1
    finally:
        client.delete(*keys)
        client.close()
