"""A flood from one client against the running bot, with ten ordinary
conversations beside it (driver: bench/flood.py; ``make bench`` runs the same
for 20 s and reports latencies).

The test servers allow 60 messages a minute per conversation
(tests/support/servers.py, E2E_RATE_LIMIT_PER_MINUTE); the default, 20, is
tested in tests/limits/test_limits.py. Speed is not asserted here.
"""

from __future__ import annotations

import asyncio

import pytest

from bench.flood import QUESTIONS, run_flood
from tests.support.servers import E2E_RATE_LIMIT_PER_MINUTE, Servers
from tests.support.stores import user_texts

pytestmark = pytest.mark.e2e

TURNS = 4


def test_a_flood_leaves_other_conversations_working(servers: Servers) -> None:
    report = asyncio.run(
        run_flood(servers.rasa_url, conversations=10, turns=TURNS, until_limited_s=90)
    )
    print(report.summary())
    tracker = servers.env["TRACKER_STORE_URL"]
    limit = int(E2E_RATE_LIMIT_PER_MINUTE) * report.flood_windows

    # the citizens: no error, every message stored once, in order
    assert report.ordinary_errors == []
    for sender in report.ordinary_senders:
        assert user_texts(tracker, sender) == list(QUESTIONS[:TURNS])

    # REST flooder: 429 + Retry-After + the notice past the limit, and only
    # the admitted messages in its tracker
    assert report.rest_other == []
    assert report.rest_limited > 0
    assert 0 < report.rest_ok <= limit
    assert len(user_texts(tracker, report.rest_sender)) == report.rest_ok

    # web-chat flooder: the notice once per window, then silence; what it
    # sent past the limit never reached the tracker. (Not `limit < sent`: a
    # run that spans two minute windows doubles `limit` although the flood
    # stops once it was refused in the first.)
    assert 1 <= report.socket_notices <= report.flood_windows
    stored = len(user_texts(tracker, report.socket_session))
    assert 0 < stored <= limit
    assert stored < report.socket_sent
