"""bot/rasa_ext/model_watch.py: a changed model file is loaded at once, or,
if it does not load yet, once it has settled; a model that fails to load
leaves the old one serving. (The real
train-and-go-live path: tests/admin/test_e2e_retrain.py.)"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.rasa_ext import model_watch


class FakeProcessor:
    def __init__(self, name: str) -> None:
        self.domain = None
        self.model_metadata = SimpleNamespace(model_id=name)


def fake_agent() -> SimpleNamespace:
    agent = SimpleNamespace(
        processor=FakeProcessor("old"),
        domain=None,
        tracker_store=SimpleNamespace(domain=None),
        nlg=None,
        fingerprint="old",
    )
    agent._set_fingerprint = lambda value: setattr(agent, "fingerprint", value)
    agent.model_id = property(lambda self: self.processor.model_metadata.model_id)
    return agent


def touch(path: Path, text: str, stamp: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(stamp, stamp))


def run_watch(agent, path: Path, steps) -> None:
    """Runs the watcher, calling each step between two of its looks."""

    async def main() -> None:
        task = asyncio.create_task(model_watch.watch(agent, path, 0.05))
        for step in steps:
            await asyncio.sleep(0.12)
            step()
        await asyncio.sleep(0.3)
        task.cancel()

    asyncio.run(main())


def test_a_new_file_is_loaded_once(tmp_path, monkeypatch) -> None:
    model = tmp_path / "current.tar.gz"
    touch(model, "model 1", 1_000_000_000)
    loads = []

    def load(agent, path):
        loads.append(path.read_text())
        return FakeProcessor(path.read_text())

    monkeypatch.setattr(model_watch, "_load_processor", load)
    agent = fake_agent()
    run_watch(agent, model, [lambda: touch(model, "model 2", 2_000_000_000)])
    assert loads == ["model 2"]  # once, and only the finished file
    assert agent.processor.model_metadata.model_id == "model 2"


def test_a_file_still_being_written_is_loaded_once_complete(
    tmp_path, monkeypatch
) -> None:
    model = tmp_path / "current.tar.gz"
    touch(model, "model 1", 1_000_000_000)
    loads = []

    def load(agent, path):
        text = path.read_text()
        loads.append(text)
        if not text.endswith("end"):
            raise EOFError("truncated")
        return FakeProcessor(text)

    monkeypatch.setattr(model_watch, "_load_processor", load)
    agent = fake_agent()
    run_watch(
        agent,
        model,
        [
            lambda: touch(model, "model 2 (half", 2_000_000_000),
            lambda: touch(model, "model 2 end", 3_000_000_000),
        ],
    )
    assert agent.processor.model_metadata.model_id == "model 2 end"
    assert loads[0] == "model 2 (half" and loads[-1] == "model 2 end"


def test_a_model_that_fails_to_load_leaves_the_old_one(tmp_path, monkeypatch, caplog):
    model = tmp_path / "current.tar.gz"
    touch(model, "model 1", 1_000_000_000)

    def load(agent, path):
        raise ValueError("not a model")

    monkeypatch.setattr(model_watch, "_load_processor", load)
    agent = fake_agent()
    run_watch(agent, model, [lambda: touch(model, "broken", 2_000_000_000)])
    assert agent.processor.model_metadata.model_id == "old"
    assert "previous model keeps serving" in caplog.text


def test_model_id_of_a_file_that_is_not_a_model(tmp_path) -> None:
    bad = tmp_path / "x.tar.gz"
    bad.write_text("no")
    assert model_watch.model_id_of(bad) is None
    assert model_watch.model_id_of(tmp_path / "missing.tar.gz") is None


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "models" / "current.tar.gz").exists(),
    reason="needs the trained model",
)
def test_model_id_of_the_trained_model() -> None:
    model = Path(__file__).resolve().parents[2] / "models" / "current.tar.gz"
    assert model_watch.model_id_of(model)
