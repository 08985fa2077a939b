"""Conversations survive a restart of the Rasa server (default set-up: the
SQLite tracker store of bot.rasa_ext.tracker_store.EnvTrackerStore).

A follow-up that only works with the conversation's ``topic`` slot is asked
after the restart; the tracker file holds every turn from before and after.
"""

from __future__ import annotations

import uuid

import pytest

from tests.support.servers import Servers
from tests.support.stores import joined, user_texts

pytestmark = pytest.mark.e2e

# the wording unified in bot/replies: yes first, the award, the event and its year
WON = "ได้รับรางวัลรัฐบาลดิจิทัลระดับจังหวัด ใน Digital Government Awards 2019 (ปี 2562)"


def test_conversation_survives_a_rasa_restart(servers: Servers) -> None:
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    tracker_url = servers.env["TRACKER_STORE_URL"]
    assert tracker_url.startswith("sqlite:///")
    first = joined(servers.chat(sender, "จังหวัดลำพูนได้รางวัลไหมคะ"))
    assert "ลำพูน" in first and WON in first
    old_pid = servers.processes[1].pid

    servers.restart_rasa()

    assert servers.processes[1].pid != old_pid
    follow = joined(servers.chat(sender, "แล้วจังหวัดระนองล่ะคะ"))
    assert "ระนอง" in follow and WON in follow, follow
    assert user_texts(tracker_url, sender) == [
        "จังหวัดลำพูนได้รางวัลไหมคะ",
        "แล้วจังหวัดระนองล่ะคะ",
    ]
