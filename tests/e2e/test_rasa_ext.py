"""The whole-system servers run Rasa the way production does."""

from __future__ import annotations

from tests.support.servers import Servers


def test_the_test_servers_run_rasa_with_the_extensions(servers: Servers) -> None:
    """The running Rasa was started through bot.rasa_ext (a plain `rasa run`
    makes the channels log an error that says how to start it)."""
    servers.chat("rasa-ext-check", "สวัสดีค่ะ")
    log = (servers.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert "without this bot's extensions" not in log
