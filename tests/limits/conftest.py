"""Limit tests reuse the channel tests' loopback Sanic server (`serve`) and
the e2e suite's running bot (`servers`, the same processes)."""

from tests.channels.conftest import serve  # noqa: F401 - pytest fixture
from tests.e2e.conftest import servers  # noqa: F401 - shared fixture
