"""The web chat channel serves only the page's own files (no browser needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.channels.webchat import (
    CONTENT_TYPES,
    WEB_DIR,
    WebChatInput,
    resolve_static,
)

DIST = "node_modules/socket.io-client/dist"


@pytest.fixture()
def web(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    (web / DIST).mkdir(parents=True)
    for name in ("index.html", "chat.js", "chat.css", "package.json", ".env"):
        (web / name).write_text("x", encoding="utf-8")
    (web / DIST / "socket.io.min.js").write_text("x", encoding="utf-8")
    (web / "node_modules/socket.io-client/package.json").write_text("{}")
    (tmp_path / "secret.js").write_text("x", encoding="utf-8")
    return web


@pytest.mark.parametrize(
    "relative",
    ["index.html", "chat.js", "chat.css", f"{DIST}/socket.io.min.js"],
)
def test_page_files_are_served(web: Path, relative: str) -> None:
    assert resolve_static(web, relative) == (web / relative).resolve()


@pytest.mark.parametrize(
    "relative",
    [
        "",
        "../secret.js",
        "..",
        "./chat.js",
        "/etc/passwd",
        "chat.js/",
        "..\\secret.js",
        "chat.js\x00.css",
        ".env",
        "package.json",  # not a page file type
        "missing.js",
        "node_modules/socket.io-client/package.json",
        f"{DIST}/../../../../secret.js",
        f"{DIST}/../package.json",
        "node_modules/ms/index.js",
    ],
)
def test_anything_else_is_not_served(web: Path, relative: str) -> None:
    assert resolve_static(web, relative) is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_out_of_web_is_not_followed(web: Path) -> None:
    (web / "escape.js").symlink_to(web.parent / "secret.js")
    assert resolve_static(web, "escape.js") is None


def test_the_repo_page_exists_with_known_types() -> None:
    for name in ("index.html", "chat.js", "chat.css"):
        path = resolve_static(WEB_DIR, name)
        assert path is not None, name
        assert path.suffix in CONTENT_TYPES


def test_the_page_never_parses_text_as_html() -> None:
    script = (WEB_DIR / "chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in script
    assert "eval(" not in script and "new Function" not in script


def test_credentials() -> None:
    channel = WebChatInput.from_credentials(None)
    assert WebChatInput.name() == "webchat"
    assert channel.web_dir == WEB_DIR
    assert channel.frame_ancestors == "'self'"
    channel = WebChatInput.from_credentials(
        {"frame_ancestors": ["'self'", "https://www.example.go.th"]}
    )
    assert channel.frame_ancestors == "'self' https://www.example.go.th"
