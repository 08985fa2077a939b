"""Retention also deletes privacy-notice records older than RETENTION_DAYS
(bot/privacy/records.py, called by bot/admin/retention.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from bot.admin import retention
from bot.content.db import get_engine
from bot.privacy.records import claim_notice, conversation_hash
from tests.support.privacy import Stores


def test_old_notice_records_go_recent_ones_stay(stores: Stores) -> None:
    assert claim_notice("old-one", "v1", stores.service_url)
    assert claim_notice("new-one", "v1", stores.service_url)
    with get_engine(stores.service_url).begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE privacy_notices SET shown_on = :d WHERE conversation_hash = :h"
            ),
            {"d": date(2026, 1, 1), "h": conversation_hash("old-one")},
        )
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    retention.run_retention(
        tracker_url=f"sqlite:///{stores.tracker_path}",
        service_url=stores.service_url,
        days=90,
        now=now,
        dry_run=True,
    )
    assert not claim_notice("old-one", "v1", stores.service_url)  # dry run: kept
    retention.run_retention(
        tracker_url=f"sqlite:///{stores.tracker_path}",
        service_url=stores.service_url,
        days=90,
        now=now,
    )
    assert claim_notice("old-one", "v1", stores.service_url)  # gone, shown again
    assert not claim_notice("new-one", "v1", stores.service_url)
