"""A new model goes live in the running Rasa without a restart.

Rasa swaps models in a running server only through its model server
(``models:`` in endpoints.yml, pulled every ``wait_time_between_pulls``
seconds). For the model file that ``rasa run --model`` was given, this watches
the file instead: every ``MODEL_WATCH_S`` seconds (default 5; 0 turns it off)
it looks at the file's size and time. A changed file is loaded at once in a
worker thread (training renames a finished file into place, so it is
complete) and swapped in between two turns, as Rasa's model-server pull does
(`Agent.load_model`). A file that does not load is tried again once it has
stayed the same for one more look (a copy still being written), and only
then reported. Conversations are kept: they live
in the tracker store, not in the model. A model that fails to load leaves the
previous one serving, and the log says what to do.

Several hosts: give every instance the same file (a shared volume), or use
Rasa's model server (docs/deploy.md); the watcher is off when endpoints.yml
has ``models:``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tarfile
from pathlib import Path
from typing import Any, List, Optional, Tuple

logger = logging.getLogger(__name__)

_ORIGINAL: List[Any] = []
Stamp = Tuple[int, int]


def _stamp(path: Path) -> Optional[Stamp]:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def model_id_of(path: Path) -> Optional[str]:
    """The ``model_id`` a trained model file carries (its metadata), or None."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile("metadata.json")
            if member is None:
                return None
            return json.load(member).get("model_id")
    except (OSError, tarfile.TarError, ValueError, KeyError):
        return None


def _load_processor(agent: Any, path: Path) -> Any:
    """A `MessageProcessor` on the model at `path` (runs in a worker thread)."""
    from rasa.core.processor import MessageProcessor

    return MessageProcessor(
        model_path=path,
        tracker_store=agent.tracker_store,
        lock_store=agent.lock_store,
        action_endpoint=agent.action_endpoint,
        generator=agent.nlg,
        http_interpreter=agent.http_interpreter,
    )


def _swap(agent: Any, processor: Any) -> None:
    """Puts `processor` into `agent` as `Agent.load_model` does (in the event
    loop, so no turn sees half of it)."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    agent.processor = processor
    agent.domain = processor.domain
    agent._set_fingerprint(None)
    agent.tracker_store.domain = agent.domain
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = agent.domain.responses if agent.domain else {}


async def watch(agent: Any, path: Path, interval_s: float) -> None:
    """Loads `path` into `agent` whenever the file changed and has settled."""
    loop = asyncio.get_running_loop()
    served = _stamp(path)
    pending: Optional[Stamp] = None
    while True:
        await asyncio.sleep(interval_s)
        now = _stamp(path)
        if now is None or now == served:
            pending = None
            continue
        settled = now == pending
        try:
            processor = await loop.run_in_executor(None, _load_processor, agent, path)
        except Exception as error:  # noqa: BLE001 - the old model keeps serving
            if not settled:  # perhaps still being written: look once more
                pending = now
                continue
            logger.error(
                "The new model at %s could not be loaded (%s: %s); the previous "
                "model keeps serving. Train again (python -m bot.admin train) or "
                "put the previous model back.",
                path,
                type(error).__name__,
                error,
            )
        else:
            _swap(agent, processor)
            logger.info("Now serving the new model %s (%s).", path, agent.model_id)
        served, pending = now, None


async def _load_agent_and_watch(
    model_path: Any, endpoints: Any, remote_storage: Any, app: Any, loop: Any
) -> Any:
    """Rasa's `load_agent_on_start`, then the watcher on the model file."""
    from bot.settings import model_watch_s

    agent = await _ORIGINAL[0](model_path, endpoints, remote_storage, app, loop)
    interval = model_watch_s()
    uses_model_server = bool(endpoints and getattr(endpoints, "model", None))
    if interval > 0 and model_path and not uses_model_server:
        path = Path(model_path)
        if path.is_file():
            app.ctx.model_watch = loop.create_task(watch(agent, path, interval))
            logger.info("Watching %s: a new model goes live without a restart.", path)
    return agent


def install() -> None:
    """Makes `rasa run` start the watcher after it loaded its model."""
    import rasa.core.run as rasa_run

    if rasa_run.load_agent_on_start is not _load_agent_and_watch:
        _ORIGINAL[:] = [rasa_run.load_agent_on_start]
        rasa_run.load_agent_on_start = _load_agent_and_watch
