"""SQL for the ``fetches`` log and the per-feed status it feeds."""

from __future__ import annotations

from datetime import datetime

from aggregator.models import FetchOutcome, ParsedFeed, Validators, to_iso
from aggregator.store.base import StoreBase


class FetchesMixin:
    """One row per fetch attempt, and the feed's last status."""

    def record_fetch(self: StoreBase, feed_id: int, outcome: FetchOutcome, *,
                     started: datetime, final_url: str, bytes_read: int,
                     validators: Validators | None = None,
                     parsed: ParsedFeed | None = None) -> None:
        """Log the attempt and update the feed's status; call inside the fetch's transaction."""
        started_iso = to_iso(started)
        self.conn.execute(
            """INSERT INTO fetches (feed_id, started, duration_ms, url, status, outcome, bytes,
                 entries_new, entries_updated, reason, error, warning)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (feed_id, started_iso, round(outcome.duration_s * 1000), final_url, outcome.status,
             outcome.outcome, bytes_read, outcome.new, outcome.updated, outcome.reason,
             outcome.error, outcome.warning))
        if outcome.outcome == "error":
            self.conn.execute(
                """UPDATE feeds SET last_status = ?, last_outcome = 'error', last_fetch = ?,
                     last_error = ?, last_reason = ?, error_streak = error_streak + 1
                   WHERE id = ?""",
                (outcome.status, started_iso, outcome.error, outcome.reason, feed_id))
            return
        self.conn.execute(
            """UPDATE feeds SET last_status = ?, last_outcome = ?, last_fetch = ?,
                 last_success = ?, last_error = NULL, last_reason = NULL, error_streak = 0
               WHERE id = ?""",
            (outcome.status, outcome.outcome, started_iso, started_iso, feed_id))
        if validators is not None and outcome.status == 200:
            self.conn.execute("UPDATE feeds SET etag = ?, last_modified = ? WHERE id = ?",
                              (validators.etag, validators.last_modified, feed_id))
        if parsed is not None:
            self.conn.execute(
                """UPDATE feeds SET feed_title = ?, link = ?, subtitle = ?,
                     updated = CASE WHEN ? THEN ? ELSE updated END WHERE id = ?""",
                (parsed.title, parsed.link, parsed.subtitle,
                 outcome.new + outcome.updated > 0, started_iso, feed_id))
