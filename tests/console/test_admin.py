"""Admin pages: users, and train/publish/rollback (the publish gate and the
model swap in-process with a fake reload; the pages over HTTP)."""

from __future__ import annotations

import time

import pytest

from bot.admin import ops
from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import accounts, modelops
from tests.console.helpers import field


@pytest.fixture
def models(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 's.db'}"
    accounts.add_user(url, "root1", "admin", "a-long-password")  # migrates
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "current.tar.gz").write_bytes(b"live model")
    paths = Paths(
        tmp_path, tmp_path / "content", tmp_path / "nlu", tmp_path / "d.yml", url
    )
    reloads = []
    m = modelops.Models(paths, reload=lambda p: reloads.append(p))
    m.reloads = reloads
    return m


def _trained(m, new: float, old: float) -> None:
    m.candidate_dir.mkdir(parents=True, exist_ok=True)
    m.candidate.write_bytes(b"new model")
    m.job = modelops.Job(
        state="done",
        scores={
            "candidate": {"accuracy": new, "examples": 579},
            "live": {"accuracy": old, "examples": 579},
        },
    )


def test_publish_is_refused_when_the_new_model_scores_lower(models):
    _trained(models, 0.90, 0.95)
    with pytest.raises(AdminError) as err:
        models.publish("root1")
    assert "90.0%" in err.value.th and "95.0%" in err.value.th
    assert models.live.read_bytes() == b"live model" and not models.reloads


def test_publish_then_rollback(models):
    _trained(models, 0.96, 0.95)
    assert "เผยแพร่แล้ว" in models.publish("root1")
    assert models.live.read_bytes() == b"new model"
    assert models.previous.read_bytes() == b"live model"
    assert len(models.reloads) == 1
    assert "ย้อนกลับ" in models.rollback("root1")
    assert models.live.read_bytes() == b"live model"
    assert models.previous.read_bytes() == b"new model"
    assert len(models.reloads) == 2


def test_a_failed_training_leaves_the_live_model_and_says_why(models, monkeypatch):
    def failing(*_a, **kw):
        assert kw["low_priority"] is True and kw["model_dir"] == models.candidate_dir
        raise AdminError("ข้อมูลฝึกยังมีปัญหา", "problems", ["data/nlu/x.yml:3: bad"])

    monkeypatch.setattr(ops, "train", failing)
    assert models.start("root1")
    for _ in range(100):
        if models.job.state != "running":
            break
        time.sleep(0.05)
    assert models.job.state == "failed"
    assert "โมเดลที่ใช้งานอยู่ไม่ถูกเปลี่ยน" in models.job.message
    assert models.job.details == ["data/nlu/x.yml:3: bad"]
    assert models.live.read_bytes() == b"live model"
    with pytest.raises(AdminError):
        models.publish("root1")


def test_train_page_for_admins(console):
    c = console.signed_in("admin1")
    page = c.get("/train")
    assert page.status_code == 200
    for label in ("ฝึกโมเดล", "คะแนนบนชุดทดสอบ", "ทดสอบประโยค", "เผยแพร่"):
        assert label in page.text
    resp = c.post("/train/publish", {})
    assert resp.status_code == 409 and "ยังไม่มีโมเดลใหม่" in resp.text


def test_users_page_add_disable_reset(console):
    c = console.signed_in("admin1")
    c.get("/users")
    resp = c.post(
        "/users",
        {
            "action": "add",
            "name": "newbie",
            "role": "editor",
            "password": "newbie-pass-1",
        },
    )
    assert resp.status_code == 200 and "เพิ่มผู้ใช้ newbie" in resp.text
    newbie = next(u for u in accounts.list_users(console.url) if u.name == "newbie")
    fresh = console.client()
    assert "/answers" in fresh.login("newbie", "newbie-pass-1").url
    bad = c.post(
        "/users", {"action": "password", "user_id": str(newbie.id), "password": "x"}
    )
    assert bad.status_code == 422 and "อย่างน้อย 10" in bad.text
    c.post("/users", {"action": "disable", "user_id": str(newbie.id)})
    # a disabled account's session ends and it cannot sign in again
    r = fresh.http.get(console.base + "/answers", allow_redirects=False, timeout=10)
    assert r.status_code == 302
    assert "/login" in console.client().login("newbie", "newbie-pass-1").url
    me = next(u for u in accounts.list_users(console.url) if u.name == "admin1")
    own = c.post("/users", {"action": "disable", "user_id": str(me.id)})
    assert own.status_code == 422
    assert field(c.get("/users").text, "csrf")
