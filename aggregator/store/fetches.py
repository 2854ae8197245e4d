"""SQL for the ``fetches`` log and the per-feed status it feeds."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from aggregator.models import FetchOutcome, FetchResult, ParsedFeed, to_iso
from aggregator.store.base import StoreBase


class FetchesMixin:
    """One row per fetch attempt, and the feed's last status."""

    def record_fetch(self: StoreBase, feed_id: int, outcome: FetchOutcome, *,
                     started: datetime, result: FetchResult | None = None,
                     parsed: ParsedFeed | None = None, body_hash: str | None = None) -> None:
        """Log the attempt and update the feed's status; call inside the fetch's transaction.

        A failure that was the network's (``outcome.network_down``) is logged
        but does not grow the feed's error streak.
        """
        started_iso = to_iso(started)
        self.conn.execute(
            """INSERT INTO fetches (feed_id, started, duration_ms, wait_ms, url, status, outcome,
                 bytes, entries_new, entries_updated, reason, error, warning)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (feed_id, started_iso, round(outcome.duration_s * 1000),
             None if outcome.wait_s is None else round(outcome.wait_s * 1000),
             result.final_url if result else outcome.url, outcome.status, outcome.outcome,
             result.bytes_read if result else 0, outcome.new, outcome.updated, outcome.reason,
             outcome.error, outcome.warning))
        if outcome.outcome == "error":
            self.conn.execute(
                """UPDATE feeds SET last_status = ?, last_outcome = 'error', last_fetch = ?,
                     last_error = ?, last_reason = ?,
                     error_streak = error_streak + ?,
                     gone_since = CASE WHEN ? THEN ? ELSE gone_since END
                   WHERE id = ?""",
                (outcome.status, started_iso, outcome.error, outcome.reason,
                 0 if outcome.network_down else 1, outcome.reason == "gone", started_iso,
                 feed_id))
            return
        self.conn.execute(
            """UPDATE feeds SET last_status = ?, last_outcome = ?, last_fetch = ?,
                 last_success = ?, last_error = NULL, last_reason = NULL, error_streak = 0,
                 retry_until = NULL WHERE id = ?""",
            (outcome.status, outcome.outcome, started_iso, started_iso, feed_id))
        if result is not None and result.status == 200:
            self.conn.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, max_age_s = ?, "
                "body_hash = coalesce(?, body_hash) WHERE id = ?",
                (result.validators.etag, result.validators.last_modified, result.max_age_s,
                 body_hash, feed_id))
        if parsed is not None:
            _record_document(self.conn, feed_id, outcome, parsed, started_iso)

    def set_post_gap(self: StoreBase, feed_id: int, gap_s: float | None) -> None:
        """Store the feed's observed posting interval (None when unknown)."""
        self.conn.execute("UPDATE feeds SET post_gap_s = ? WHERE id = ?", (gap_s, feed_id))


def _record_document(conn: sqlite3.Connection, feed_id: int, outcome: FetchOutcome,
                     parsed: ParsedFeed, started_iso: str) -> None:
    """What the feed document says about itself: title, link, hints, declared URL."""
    declared = parsed.new_feed_url or parsed.self_url
    conn.execute(
        """UPDATE feeds SET feed_title = ?, link = ?, subtitle = ?, ttl_s = ?,
             update_period_s = ?,
             declared_url = CASE WHEN ? IN (url, config_url) THEN NULL ELSE ? END,
             updated = CASE WHEN ? THEN ? ELSE updated END WHERE id = ?""",
        (parsed.title, parsed.link, parsed.subtitle, parsed.ttl_s, parsed.update_period_s,
         declared, declared, outcome.new + outcome.updated > 0, started_iso, feed_id))
