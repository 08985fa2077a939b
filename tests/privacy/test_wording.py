"""The privacy wording (bot/replies/privacy.py): polite, "ขออภัย" for sorry,
Thai button payloads that the NLU was trained on, and the erase command in
the notice is a training example of request_erasure."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.replies import privacy as wording
from tests.test_register import impolite_lines

REPO = Path(__file__).resolve().parents[2]


def examples(intent: str) -> set[str]:
    out: set[str] = set()
    for path in (REPO / "data" / "nlu").glob("*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            if block.get("intent") == intent:
                out |= {
                    line[2:].strip()
                    for line in block["examples"].splitlines()
                    if line.startswith("- ")
                }
    return out


@pytest.mark.parametrize(
    "text",
    [
        wording.notice(90, "K7QM-2XRT", "https://chat.example.go.th/privacy"),
        wording.notice(90, "K7QM-2XRT", "/webhooks/webchat/privacy"),
        wording.ask_erasure().text,
        wording.erasure_done().text,
        wording.erasure_cancelled().text,
        wording.ERASURE_FAILED,
    ],
)
def test_polite(text: str) -> None:
    assert impolite_lines(text) == []
    assert "ขอโทษ" not in text


def test_buttons_are_thai_training_examples() -> None:
    yes, no = wording.ERASE_BUTTONS
    assert not yes["payload"].startswith("/") and not no["payload"].startswith("/")
    assert yes["payload"] in examples("affirm")
    assert no["payload"] in examples("deny")
    assert wording.ask_erasure().buttons == wording.ERASE_BUTTONS


def test_the_command_in_the_notice_is_understood() -> None:
    assert wording.ERASE_COMMAND in examples("request_erasure")
    assert wording.ERASE_COMMAND in wording.notice(90, "X", "u")


def test_erasure_examples_are_not_held_out_sentences() -> None:
    heldout = (REPO / "tests" / "nlu_heldout" / "heldout.yml").read_text()
    for example in examples("request_erasure"):
        assert f"- {example}\n" not in heldout, example
