"""Limit tests reuse the channel tests' loopback Sanic server (`serve`)."""

from tests.channels.conftest import serve  # noqa: F401 - pytest fixture
