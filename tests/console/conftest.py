"""One staff console per test module, over its own content copy and DB."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.console.helpers import Console, running_console
from tests.e2e.conftest import servers  # noqa: F401 - the shared running bot


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    workdir = tmp_path_factory.mktemp("console")
    env = {
        "STAFF_TRUSTED_PROXY": "127.0.0.1",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
    }
    with running_console(workdir, env=env) as running:
        yield running
