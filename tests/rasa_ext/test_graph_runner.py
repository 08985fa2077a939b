"""bot/rasa_ext/graph_runner.py runs Rasa's graph as dask does, and the bot's
model gives the same parse and the same next actions with it; the fast
linear intent path gives scikit-learn's ranking on the held-out file."""

from __future__ import annotations

import asyncio
from operator import add, mul
from typing import Any, Iterator, List

import dask
import pytest
import yaml
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import graph_runner
from tests.support.servers import MODEL, REPO


def calls(log: List[str], name: str, value: Any) -> Any:
    log.append(name)
    return value


def graph(log: List[str]) -> dict:
    return {
        "a": (calls, log, "ran a", 2),
        "b": (add, "a", "a"),
        "c": (mul, "b", "a"),
        "d": (calls, log, "ran d", "c"),
        "e": (calls, log, "ran e", "not-a-key"),
    }


def test_evaluate_gives_dasks_values_and_runs_each_task_once() -> None:
    targets = ["c", "b", "d", "e"]
    expected = dask.get(graph([]), targets)
    log: List[str] = []
    assert graph_runner.evaluate(graph(log), targets) == list(expected)
    assert sorted(log) == ["ran a", "ran d", "ran e"]


def test_an_input_placeholder_is_passed_as_it_is() -> None:
    # Rasa adds each input as (name, value): not a task, so the value itself
    placeholder = ("__message__", {"text": "สวัสดี"})
    graph = {"__message__": placeholder, "node": (lambda got: got, "__message__")}
    assert graph_runner.evaluate(graph, ["node"]) == [placeholder]


def test_errors_are_rasas() -> None:
    def broken() -> None:
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        graph_runner.evaluate({"x": (broken,)}, ["x"])


@pytest.fixture(scope="module")
def agent() -> Iterator[Any]:
    if not MODEL.exists():
        pytest.fail("No trained model: run the tests with `bash scripts/test.sh`.")
    from rasa.core.agent import load_agent

    yield asyncio.run(load_agent(model_path=str(MODEL)))


def heldout_texts(limit: int) -> List[str]:
    texts = []
    for path in sorted((REPO / "tests" / "nlu_heldout").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    texts.append(line.strip()[2:])
    return texts[:: max(1, len(texts) // limit)][:limit]


def test_same_parse_and_next_actions_as_dask(agent: Any) -> None:
    original = DaskGraphRunner.run
    texts = heldout_texts(25)

    async def everything() -> List[Any]:
        out = []
        tracker = DialogueStateTracker("graph", agent.domain.slots)
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        for text in texts:
            parsed = await agent.parse_message(text)
            out.append(parsed)
            tracker.update(UserUttered(text, parsed["intent"], parsed["entities"]))
            prediction = agent.processor._predict_next_with_tracker(tracker)
            out.append((prediction.max_confidence_index, prediction.policy_name))
            tracker.update(ActionExecuted("action_listen"))
        return out

    try:
        DaskGraphRunner.run = graph_runner.rasa_run()
        assert DaskGraphRunner.run is not graph_runner.run
        with_dask = asyncio.run(everything())
        graph_runner.install()
        ours = asyncio.run(everything())
    finally:
        DaskGraphRunner.run = original
    assert ours == with_dask


def test_fast_linear_path_ranks_like_scikit_learn(agent: Any) -> None:
    [component] = [
        node._component
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if type(getattr(node, "_component", None)).__name__ == "LinearIntentClassifier"
    ]
    assert component.fast is not None, "the bot's own model must take the fast path"
    fast = component.fast
    try:
        for text in heldout_texts(120):
            component.fast = None
            expected = asyncio.run(agent.parse_message(text))["intent_ranking"]
            component.fast = fast
            got = asyncio.run(agent.parse_message(text))["intent_ranking"]
            assert [r["name"] for r in got] == [r["name"] for r in expected], text
            for ours, theirs in zip(got, expected, strict=True):
                assert ours["confidence"] == pytest.approx(
                    theirs["confidence"], abs=1e-12
                )
    finally:
        component.fast = fast
