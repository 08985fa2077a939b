"""Rasa's model graph run without re-planning it for every call (installed
by `bot.rasa_ext.install` as ``DaskGraphRunner.run``).

Rasa runs the graph once to understand a message and once per predicted
action, three or four times a turn. Each run, Rasa 3.6 re-derives the part
of the graph the targets need (``GraphSchema.minimal_graph_schema``, a
recursive walk that visits shared dependencies once per path), builds a dask
task graph from it, formats a debug line with the whole tracker in it, and
hands the graph to dask's synchronous scheduler: ~3 ms a run, more than most
of the components themselves.

Here the task graph for a set of targets is built once per runner (the
schema and the nodes of a loaded model do not change), the debug line is
formatted only when debug logging is on, and the tasks are run in dependency
order, each once, as dask's synchronous scheduler runs them. The nodes, their
inputs and outputs, and the errors are Rasa's.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from bot.rasa_ext.originals import original, replace

_PLANS_ATTRIBUTE = "_bot_graph_plans"


def evaluate(graph: Dict[Text, Any], targets: List[Text]) -> List[Any]:
    """The values of `targets` in a dask-style graph: a task is a tuple whose
    first item is callable and whose other items name other entries; any
    other entry is a value. Each task runs once, after its inputs."""
    results: Dict[Text, Any] = {}

    def value(key: Any) -> Any:
        try:
            if key in results:
                return results[key]
            if key not in graph:
                return key  # not an entry: a literal argument, as in dask
        except TypeError:
            return key  # unhashable: a literal argument, as in dask
        task = graph[key]
        if isinstance(task, tuple) and task and callable(task[0]):
            out = task[0](*[value(argument) for argument in task[1:]])
        else:
            out = task
        results[key] = out
        return out

    return [value(target) for target in targets]


def run(
    self: Any,
    inputs: Optional[Dict[Text, Any]] = None,
    targets: Optional[List[Text]] = None,
) -> Dict[Text, Any]:
    """``DaskGraphRunner.run`` with the task graph built once per targets."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner import dask as rasa_dask

    run_targets = targets if targets else self._graph_schema.target_names
    plans: Dict[Tuple[Text, ...], Dict[Text, Any]] = self.__dict__.setdefault(
        _PLANS_ATTRIBUTE, {}
    )
    plan = plans.get(tuple(run_targets))
    if plan is None:
        minimal_schema = self._graph_schema.minimal_graph_schema(run_targets)
        plan = self._build_dask_graph(minimal_schema)
        plans[tuple(run_targets)] = plan
    run_graph = dict(plan)
    if inputs:
        self._add_inputs_to_graph(inputs, run_graph)
    if rasa_dask.logger.isEnabledFor(logging.DEBUG):
        rasa_dask.logger.debug(
            f"Running graph with inputs: {inputs}, targets: {targets} "
            f"and {self._execution_context}."
        )
    try:
        return dict(evaluate(run_graph, run_targets))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error


def rasa_run() -> Any:
    """Rasa's own ``DaskGraphRunner.run`` (for the tests)."""
    from rasa.engine.runner.dask import DaskGraphRunner

    return original(DaskGraphRunner, "run")


def install() -> None:
    """Replaces ``DaskGraphRunner.run`` (idempotent)."""
    from rasa.engine.runner.dask import DaskGraphRunner

    replace(DaskGraphRunner, "run", run)
