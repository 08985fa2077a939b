"""No secrets in the repository, checked with detect-secrets (Yelp's scanner:
private keys, cloud and API tokens, passwords in URLs, secret-named values,
high-entropy strings).

Every finding the project accepts is in ``.secrets.baseline``: placeholders in
docs and test fixtures with obviously fake values, each reviewed. A new
finding fails this test; if it is a real secret, remove it (and rotate it),
otherwise review it and add it to the baseline:

    .venv/bin/detect-secrets scan --baseline .secrets.baseline \\
        --exclude-files 'node_modules|package-lock\\.json|registry\\.yml|nlu_heldout'

Secrets belong in the environment (``${VAR}`` in the yml files)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from detect_secrets import SecretsCollection
from detect_secrets.core import baseline
from detect_secrets.settings import transient_settings

from tests.support.servers import REPO

BASELINE = REPO / ".secrets.baseline"
MAX_BYTES = 2_000_000


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            # tracked files and new ones that are not ignored (to be committed)
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"git ls-files failed (is this a git checkout?): {error}")
    return [name for name in out.decode().split("\0") if name]


def saved_baseline() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


def scan(names: list[str], root: Path) -> SecretsCollection:
    """detect-secrets findings in `names` (relative to `root`), with the
    baseline's detectors and filters."""
    saved = saved_baseline()
    files = [
        n
        for n in names
        if n != BASELINE.name
        and (root / n).is_file()
        and (root / n).stat().st_size <= MAX_BYTES
    ]
    with transient_settings(
        {"plugins_used": saved["plugins_used"], "filters_used": saved["filters_used"]}
    ):
        found = SecretsCollection(root=str(root))
        found.scan_files(*files, num_processors=2)
    return found


def test_no_secrets_beyond_the_reviewed_baseline() -> None:
    names = tracked_files()
    assert len(names) > 50
    assert ".env" not in {n.rsplit("/", 1)[-1] for n in names}
    found = scan(names, REPO)
    known = {
        (name, secret.secret_hash, secret.type)
        for name, secret in baseline.load(saved_baseline(), filename=str(BASELINE))
    }
    new = [
        f"{name}:{secret.line_number}: {secret.type}"
        for name, secret in found
        if (name, secret.secret_hash, secret.type) not in known
    ]
    assert not new, "new secret-looking values:\n" + "\n".join(new)


# Built at run time, so this file itself holds no secret-looking line.
SECRET_LOOKING = [
    "-----BEGIN RSA " + "PRIVATE KEY-----",
    "aws_key = AKIA" + "IOSFODNN7Q2MPLE3",
    "token: ghp_" + "a1B2" * 10,
    "LINE_CHANNEL_SECRET=" + "9f8e7d6c5b4a3928" + "1706f5e4d3c2b1a0",
    'channel_access_token: "' + "Zk9ldGh1c1Bhc3N3b3JkMTIzNDU2Nzg5MA==" + '"',
    "TRACKER_STORE_URL=postgresql://rasa:" + "Sup3rS3cr3tPw" + "@db:5432/rasa",
    "Authorization: Bearer eyJ"
    + "hbGciOiJIUzI1NiJ9.eyJ"
    + "zdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl",
]


@pytest.mark.parametrize("line", SECRET_LOOKING)
def test_the_scanner_catches_real_looking_secrets(line: str, tmp_path: Path) -> None:
    (tmp_path / "settings.env").write_text(line + "\n", encoding="utf-8")
    assert list(scan(["settings.env"], tmp_path)), line


def test_the_scanner_ignores_an_environment_reference(tmp_path: Path) -> None:
    (tmp_path / "credentials.yml").write_text(
        "line:\n  channel_secret: ${LINE_CHANNEL_SECRET}\n", encoding="utf-8"
    )
    assert not list(scan(["credentials.yml"], tmp_path))
