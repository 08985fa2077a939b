"""Runtime settings read from the environment.

``DATABASE_URL`` defaults to a SQLite file ``<repo>/var/service.db`` (the ``var/``
folder is created on first use). Values are read on every access, so tests and
operators can change the environment without re-importing the module.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"
CONTENT_DIR = REPO_ROOT / "data" / "content"
ALEMBIC_INI = REPO_ROOT / "alembic.ini"
MIGRATIONS_DIR = REPO_ROOT / "migrations"
GENERATED_LOOKUPS = REPO_ROOT / "data" / "nlu" / "generated_lookups.yml"
CUSTOM_WORDS = REPO_ROOT / "bot" / "nlu" / "dictionary" / "generated_names.txt"


def database_url() -> str:
    """The service DB URL: ``$DATABASE_URL`` or the default SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{VAR_DIR / 'service.db'}"


def db_timeout_s() -> float:
    """Seconds an action waits for the DB before it apologises."""
    try:
        return float(os.environ.get("DB_TIMEOUT_S", "5"))
    except ValueError:
        return 5.0


def __getattr__(name: str):  # module-level dynamic attributes (PEP 562)
    if name == "DATABASE_URL":
        return database_url()
    if name == "DB_TIMEOUT_S":
        return db_timeout_s()
    raise AttributeError(name)
