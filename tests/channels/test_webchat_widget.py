"""The widget's server side: widget.js is served, frame-ancestors from the
allow-list (WEBCHAT_FRAME_ANCESTORS), default 'self' only."""

from __future__ import annotations

import pytest

from bot import settings
from bot.channels.webchat import WEB_DIR, WebChatInput, resolve_static


def test_widget_and_demo_are_served() -> None:
    for name in ("widget.js", "widget-demo.html", "widget-demo.css"):
        assert resolve_static(WEB_DIR, name) is not None, name


def test_frame_ancestors_default_is_self(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEBCHAT_FRAME_ANCESTORS", raising=False)
    assert WebChatInput().frame_ancestors == "'self'"


def test_frame_ancestors_from_the_allow_list(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(
        "WEBCHAT_FRAME_ANCESTORS",
        "https://www.agency.go.th, https://x.go.th/ https://a.go.th/path "
        "javascript:alert(1) 'unsafe-inline' https://e.go.th;script-src",
    )
    assert settings.webchat_frame_ancestors() == (
        "'self' https://www.agency.go.th https://x.go.th"
    )
    headers = WebChatInput()._headers(WEB_DIR / "index.html")
    assert (
        "frame-ancestors 'self' https://www.agency.go.th https://x.go.th"
        in (headers["Content-Security-Policy"])
    )
    assert "not an https origin" in caplog.text
    # credentials.yml still wins when it names the origins itself
    channel = WebChatInput(frame_ancestors=["'self'", "https://only.go.th"])
    assert channel.frame_ancestors == "'self' https://only.go.th"


def test_the_widget_never_parses_html_nor_reads_the_host_page() -> None:
    script = (WEB_DIR / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in script
    assert "eval(" not in script and "new Function" not in script
    # only its own container is appended; nothing of the host is looked up
    for reader in ("querySelector", "getElementById", "document.head", "cookie"):
        assert reader not in script, reader
    assert script.count("document.body.appendChild(") == 1
    assert 'attachShadow({ mode: "open" })' in script
