"""No secrets in the repository: every tracked file is scanned for private
keys, cloud/API tokens, passwords in URLs and long secret-looking values
assigned to secret-ish names. Secrets belong in the environment (``${VAR}`` in
the yml files); test fixtures use obviously fake values."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.e2e.conftest import REPO

MAX_BYTES = 2_000_000
PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    "Stripe/OpenAI-style key": re.compile(
        r"\b(?:sk|rk)[-_](?:live|proj)?[-_]?[A-Za-z0-9]{24,}"
    ),
    "JSON web token": re.compile(
        r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    ),
    "password in a URL": re.compile(
        r"\b[a-z][a-z0-9+.-]*://[^\s/:@'\"]+:([^\s/@'\"]+)@", re.IGNORECASE
    ),
    "secret assignment": re.compile(
        r"(?i)\b[\w.-]*(?:secret|token|passw(?:or)?d|api[_-]?key|access[_-]?key)"
        r"[\w.-]*\s*[:=]\s*[\"']?([A-Za-z0-9+/=_\-]{20,})"
    ),
}
# Values that look like secrets but are placeholders, documentation or tests.
PLACEHOLDER = re.compile(
    r"(?i)^(?:\$\{|\*+$|x{6,}|<)|example|placeholder|changeme|dummy|fake|test|e2e|"
    r"your[_-]|secret_here|not[_-]?the|password$|pass$|p%40ss"
)


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


def findings(name: str, text: str) -> list[str]:
    """Likely secrets in one file's text, as "file:line: kind"."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(line):
                value = match.group(match.lastindex or 0)
                if kind in ("password in a URL", "secret assignment") and (
                    PLACEHOLDER.search(value) or PLACEHOLDER.search(line)
                ):
                    continue
                found.append(f"{name}:{number}: {kind}")
    return found


def test_no_secrets_in_tracked_files() -> None:
    names = tracked_files()
    assert len(names) > 50
    assert ".env" not in {n.rsplit("/", 1)[-1] for n in names}
    problems = []
    for name in names:
        path = REPO / name
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        problems.extend(findings(name, data.decode("utf-8", "replace")))
    assert not problems, "\n".join(problems)


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
def test_the_scanner_catches_real_looking_secrets(line: str) -> None:
    assert findings("f", line), line


@pytest.mark.parametrize(
    "line",
    [
        "channel_secret: ${LINE_CHANNEL_SECRET}",
        'LINE_CHANNEL_SECRET": os.environ.get("E2E_LINE_SECRET", "e2e-line-secret")',
        "postgresql://user:password@host:5432/db",
        "export RASA_API_TOKEN=$(openssl rand -hex 32)",
    ],
)
def test_the_scanner_ignores_placeholders(line: str) -> None:
    assert findings("f", line) == []
