"""Everything this bot changes in Rasa, in one place.

Rasa is changed only here, and only when `install` is called: by
``python -m bot.rasa_ext run …`` (how scripts/run.sh, the container image
and the tests start the Rasa server). Importing a module of this package
changes nothing. docs/architecture.md ("What we change in Rasa, and why")
lists each change with its upstream issue.

* `patches`: speed-ups of the per-message path and the action timeout.
* `past_states`: the dialogue states computed once per event, not per call.
* `graph_runner`: the model graph planned once, not on every run.
* `tracker_copy`: a tracker copied without replaying the whole session.
* `tracker_cache`: the conversations kept in memory between turns.
* `tracker_store`, `lock_store`: the store classes that endpoints.yml names
  (chosen by URL from the environment; an atomic Redis lock).
* `sqlite`: a SQLite tracker store without an fsync wait per turn.
* `model_watch`: a new model file goes live without a restart.

Every patch relies on Rasa 3.6 internals, so `install` refuses any other
Rasa version with a message that says what to do.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6."


class UnsupportedRasa(RuntimeError):
    """The installed Rasa is not the version these patches were written for."""


def check_version(version: str | None = None) -> None:
    """Raises `UnsupportedRasa` unless `version` (default: the installed Rasa)
    is a 3.6.x release."""
    if version is None:
        import rasa

        version = rasa.__version__
    if not version.startswith(SUPPORTED_RASA):
        raise UnsupportedRasa(
            f"This bot patches Rasa {SUPPORTED_RASA}x, but Rasa {version} is "
            "installed. Install the pinned requirements "
            "(pip install -r requirements.txt), or port bot/rasa_ext/ to the new "
            "version first (docs/architecture.md, 'What we change in Rasa')."
        )


_STATE = {"installed": False, "warned": False}


def install() -> None:
    """Checks the Rasa version, then applies every patch (idempotent)."""
    from bot.rasa_ext import (
        graph_runner,
        model_watch,
        past_states,
        patches,
        tracker_copy,
    )

    check_version()
    patches.install()
    past_states.install()
    graph_runner.install()
    tracker_copy.install()
    model_watch.install()
    if not _STATE["installed"]:
        _STATE["installed"] = True
        logger.debug("Rasa extensions installed (bot/rasa_ext).")


def warn_unless_installed(where: str) -> bool:
    """Logs an error once if Rasa was started without `install` (a plain
    ``rasa run``); `where` names the caller. True if installed."""
    if _STATE["installed"]:
        return True
    if _STATE["warned"]:
        return False
    _STATE["warned"] = True
    logger.error(
        "%s: Rasa was started without this bot's extensions (no action "
        "timeout, no speed-ups). Start it with `python -m bot.rasa_ext run …` "
        "(scripts/run.sh does).",
        where,
    )
    return False
