"""Turning LINE on: the run script's Rasa stamp covers the channel settings.

scripts/run.sh restarts Rasa only when its stamp changes; setting the LINE
variables and running it again must therefore change the stamp (a hash: the
secrets themselves are never written anywhere).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def channel_settings(**env: str) -> str:
    """`channel_settings` of scripts/lib.sh under the given environment."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINE_", "WEBCHAT_")) and k != "CORS_ORIGINS"
    }
    done = subprocess.run(
        ["bash", "-c", "source scripts/lib.sh && channel_settings"],
        cwd=REPO,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def test_line_variables_change_the_rasa_stamp() -> None:
    off = channel_settings()
    on = channel_settings(
        LINE_CHANNEL_SECRET="s3cret-value", LINE_CHANNEL_ACCESS_TOKEN="t0ken-value"
    )
    assert off != on
    assert channel_settings() == off  # stable: no restart when nothing changed
    framed = channel_settings(WEBCHAT_FRAME_ANCESTORS="https://agency.example")
    assert framed != off


def test_the_stamp_is_a_hash_not_the_secret() -> None:
    script = (REPO / "scripts/lib.sh").read_text(encoding="utf-8")
    stamp_line = next(
        line for line in script.splitlines() if line.strip().startswith("model_sha=")
    )
    assert "channel_settings" in stamp_line and "sha256sum" in stamp_line
