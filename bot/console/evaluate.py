"""``python -m bot.console.evaluate MODEL [MODEL ...]``: intent accuracy of
each model on the held-out file (tests/nlu_heldout/heldout.yml, never trained
on), as one JSON object {model: {"accuracy", "examples"}}. The console runs
it under nice/ionice before a publish."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Dict, List

from bot import settings

HELDOUT = settings.REPO_ROOT / "tests" / "nlu_heldout" / "heldout.yml"


async def _accuracy(model: str, examples: List) -> Dict[str, float]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    right = 0
    for ex in examples:
        parsed = await agent.parse_message(ex.get("text"))
        right += parsed["intent"]["name"] == ex.get("intent")
    return {
        "accuracy": right / len(examples) if examples else 0.0,
        "examples": len(examples),
    }


def main(argv: List[str]) -> int:
    import logging

    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)  # no per-message debug lines

    examples = load_data(str(HELDOUT)).intent_examples
    out = {m: asyncio.run(_accuracy(m, examples)) for m in argv if Path(m).exists()}
    print("@@" + json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
