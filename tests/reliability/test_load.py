"""Load: 50 concurrent conversations x 10 turns through the running bot's REST
channel (driver: bench/load.py). Zero errors, every reply in the conversation
that asked for it and about the province asked, every user message stored.

Speed is not asserted here (bench/load.py prints it; docs/benchmarks.md
"Load test" records it).
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
import sqlalchemy as sa

from bench.load import check_reply, plan, province_names, run_load
from tests.support.servers import Servers

pytestmark = pytest.mark.e2e

CONVERSATIONS = 50
TURNS = 10


def test_plan_keeps_concurrent_questions_apart() -> None:
    names = province_names()
    schedule = plan(CONVERSATIONS, TURNS, names)
    for turn in range(TURNS):
        asked = [schedule[c][turn] for c in range(CONVERSATIONS)]
        assert len(set(asked)) == CONVERSATIONS
    assert all(len(set(row)) == TURNS for row in schedule)
    # the checker notices a reply meant for another conversation
    reply = [{"recipient_id": "s1", "text": "จังหวัดลำพูน ได้รับรางวัล"}]
    assert check_reply("s1", "ลำพูน", reply) is None
    assert check_reply("s2", "ลำพูน", reply) is not None
    assert check_reply("s1", "ระนอง", reply) is not None


def test_fifty_concurrent_conversations(servers: Servers) -> None:
    report = asyncio.run(run_load(servers.rasa_url, CONVERSATIONS, TURNS))
    print(report.summary())
    assert report.errors == []
    assert report.wrong == []
    assert len(report.latencies_s) == CONVERSATIONS * TURNS

    engine = sa.create_engine(servers.env["TRACKER_STORE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT sender_id, count(*) FROM events "
                "WHERE type_name = 'user' AND sender_id LIKE :p GROUP BY sender_id"
            ),
            {"p": f"load-{report.run_id}-%"},
        ).all()
    engine.dispose()
    assert Counter(dict(rows)) == Counter({s: TURNS for s in report.senders})
