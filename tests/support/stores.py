"""Helpers for the reliability, security and privacy tests: the machine's
PostgreSQL and Redis, throwaway databases, reading stored conversations, and
running scripts/lib.sh. (The `postgres_db` and `redis_prefix` fixtures are in
tests/conftest.py; the tests that need other processes, such as two Rasa
instances behind tests/support/router.py, start them in module fixtures.)"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from tests.support.servers import REPO

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

REDIS_URL = "redis://127.0.0.1:6379/0"


def sqlite_path(url: str) -> Path:
    """File of a ``sqlite:///...`` URL."""
    assert url.startswith("sqlite:///"), url
    return Path(url[len("sqlite:///") :])


def tracker_events(url: str, sender: str) -> list[dict[str, Any]]:
    """Stored events of one conversation (SQLite or PostgreSQL tracker store)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT type_name, data FROM events"
                    " WHERE sender_id = :s ORDER BY id"
                ),
                {"s": sender},
            ).all()
    finally:
        engine.dispose()
    return [{"type": row[0], **json.loads(row[1])} for row in rows]


def user_texts(url: str, sender: str) -> list[str]:
    """Texts of the stored user messages of one conversation, in order."""
    return [e.get("text") for e in tracker_events(url, sender) if e["type"] == "user"]


def sqlite_table_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {row[0] for row in rows}


def joined(replies: list[dict]) -> str:
    """All reply texts of a turn as one string."""
    return "\n".join(str(r.get("text") or "") for r in replies)


def is_polite_thai(text: str) -> bool:
    """Thai text in the bot's register (ค่ะ / คะ)."""
    has_thai = any("\u0e00" <= ch <= "\u0e7f" for ch in text)
    return has_thai and ("ค่ะ" in text or "คะ" in text)


@contextmanager
def fresh_postgres_db(prefix: str = "reliability") -> Iterator[str]:
    """A throwaway PostgreSQL database on the machine's server; yields its URL
    and drops it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is needed (user postgres, trust "
            f"auth): {error}"
        )
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


async def socketio_first_reply(rasa_url: str, payload: Any) -> str:
    """Text of the first ``bot_uttered`` after sending `payload` on a new socket.

    A dict payload gets the confirmed ``session_id`` added, like the web chat.
    """
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    answers: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", answers.put)
    client.on("session_confirm", confirmed.put)
    # polling only: this engineio client's websocket code needs a newer aiohttp
    await client.connect(rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": uuid.uuid4().hex})
        session_id = await asyncio.wait_for(confirmed.get(), 30)
        if isinstance(payload, dict):
            payload = {**payload, "session_id": session_id}
        await client.emit("user_uttered", payload)
        answer = await asyncio.wait_for(answers.get(), 90)
        return str(answer.get("text") or "")
    finally:
        # abort: a polling client would otherwise wait for the server's next
        # ping (up to 25 s) before its read loop ends.
        await client.eio.disconnect(abort=True)


def run_bash(script: str, env: dict[str, str], timeout: float = 300) -> Any:
    """Runs `script` with bash from the repo root; returns the CompletedProcess."""

    return subprocess.run(
        ["bash", "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
