"""One staff console for the console tests, over its own content copy and DB
(the tests use separate answers, aliases, addresses and accounts)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.console.helpers import Console, running_console


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    workdir = tmp_path_factory.mktemp("console")
    env = {
        "STAFF_TRUSTED_PROXY": "127.0.0.1",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
    }
    with running_console(workdir, env=env) as running:
        yield running
