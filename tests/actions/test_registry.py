"""The action server registers exactly the custom actions the domain lists."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

REPO = Path(__file__).resolve().parents[2]


def test_action_server_serves_every_domain_action() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    custom = {a for a in domain["actions"] if a.startswith("action_")}
    assert set(executor.actions) == custom
