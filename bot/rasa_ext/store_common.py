"""What both store classes share: the URLs from the environment, a
password-free form of a URL for logs, and a retry that says what to do; and
`EVENTS`, Rasa's tracker-store table, for the code that reads or deletes
conversations without loading Rasa (dashboard, erasure, retention).

See :mod:`bot.rasa_ext.tracker_store` and :mod:`bot.rasa_ext.lock_store`.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable, Optional
from urllib.parse import urlsplit

import sqlalchemy as sa

from bot.settings import VAR_DIR

logger = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLEvent): the
# columns this bot reads, as a lightweight table (no Rasa import needed).
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("intent_name", sa.String),
    sa.column("action_name", sa.String),
    sa.column("data", sa.Text),
)


class StoreUnavailable(ConnectionError):
    """A tracker or lock store could not be used; the message says what to do."""


def default_tracker_url() -> str:
    """SQLite file ``<repo>/var/tracker.db``."""
    return f"sqlite:///{VAR_DIR / 'tracker.db'}"


def tracker_store_url(configured: Optional[str] = None) -> str:
    """``$TRACKER_STORE_URL``, else the endpoints.yml ``url``, else SQLite.

    ``postgres://`` (as some hosting platforms write it) becomes
    ``postgresql://``, which SQLAlchemy requires.
    """
    url = os.environ.get("TRACKER_STORE_URL", "").strip() or (configured or "").strip()
    if not url:
        return default_tracker_url()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def redacted(url: str) -> str:
    """`url` with any password replaced by ``***`` (safe to log)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def retry_until(check: Callable[[], None], what: str, deadline: float) -> None:
    """Calls `check` until it succeeds or `deadline` (monotonic) passes."""
    while True:
        try:
            check()
            return
        except Exception as error:  # noqa: BLE001 - reported below
            if time.monotonic() >= deadline:
                lines = str(error).strip().splitlines()
                detail = lines[0].rstrip(".") if lines else type(error).__name__
                raise StoreUnavailable(f"{what}: {detail}") from error
            logger.warning("%s (%s); retrying.", what, type(error).__name__)
            time.sleep(1)

