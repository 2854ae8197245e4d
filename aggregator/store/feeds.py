"""SQL for the ``feeds`` table: the config mirror, scheduling, and status."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from aggregator.models import FeedConfig, FeedJob, StoredFeed, Validators, to_iso
from aggregator.store.base import StoreBase

_JOB_COLUMNS = "id, url, etag, last_modified, interval_s, error_streak, last_success"


def _job(row: sqlite3.Row | tuple[object, ...]) -> FeedJob:
    feed_id, url, etag, last_modified, interval_s, streak, last_success = row
    return FeedJob(id=int(str(feed_id)), url=str(url),
                   validators=Validators(etag=etag, last_modified=last_modified),  # type: ignore[arg-type]
                   interval_s=float(str(interval_s)), error_streak=int(str(streak)),
                   never_fetched=last_success is None)


class FeedsMixin:
    """Feeds as configured and as fetched."""

    def sync_feeds(self: StoreBase, feeds: Sequence[FeedConfig], default_interval_s: float,
                   now: datetime) -> None:
        """Mirror the config: upsert every feed, flag the ones no longer configured.

        A feed removed from the config keeps its rows (nothing stored is thrown
        away) but is no longer fetched or published; adding it back resumes it.
        """
        rows = [(f.url, f.title, json.dumps(list(f.tags)),
                 f.interval_s if f.interval_s is not None else default_interval_s,
                 int(f.enabled), to_iso(now), to_iso(now)) for f in feeds]
        with self.transaction():
            self.conn.execute("UPDATE feeds SET in_config = 0 WHERE in_config = 1")
            self.conn.executemany(
                """INSERT INTO feeds (url, title, tags, interval_s, enabled, in_config, added,
                     next_fetch)
                   VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                   ON CONFLICT (url) DO UPDATE SET
                     title = excluded.title, tags = excluded.tags,
                     interval_s = excluded.interval_s, enabled = excluded.enabled,
                     in_config = 1""", rows)

    def claim_due(self: StoreBase, now: datetime, limit: int, exclude: Sequence[int] = (),
                  ) -> list[FeedJob]:
        """Up to ``limit`` feeds due at ``now``, oldest due first, leased for their interval.

        The lease (next_fetch moved one interval ahead) means a crash mid-fetch
        does not make the feed hammer its server on restart, and a second
        process polling the same store does not fetch it twice.
        """
        now_iso = to_iso(now)
        with self.transaction():
            rows = self.conn.execute(
                f"""SELECT {_JOB_COLUMNS} FROM feeds
                    WHERE enabled = 1 AND in_config = 1
                      AND next_fetch <= ?
                    ORDER BY next_fetch LIMIT ?""",  # noqa: S608 - no user input in the f-string
                (now_iso, limit + len(exclude))).fetchall()
            skip = set(exclude)
            jobs = [_job(row) for row in rows if row[0] not in skip][:limit]
            self.conn.executemany(
                "UPDATE feeds SET next_fetch = strftime('%Y-%m-%dT%H:%M:%SZ', ?, "
                "'+' || CAST(interval_s AS INTEGER) || ' seconds'), "
                "next_fetch_reason = 'lease' WHERE id = ?",
                [(now_iso, job.id) for job in jobs])
        return jobs

    def enabled_jobs(self: StoreBase) -> list[FeedJob]:
        """Every configured, enabled feed, in config order: one `aggregator fetch` cycle."""
        rows = self.conn.execute(
            f"SELECT {_JOB_COLUMNS} FROM feeds WHERE enabled = 1 AND in_config = 1 "  # noqa: S608
            "ORDER BY id").fetchall()
        return [_job(row) for row in rows]

    def set_next_fetch(self: StoreBase, feed_id: int, when: datetime, reason: str) -> None:
        """Record when the feed is due next and which rule decided it."""
        self.conn.execute("UPDATE feeds SET next_fetch = ?, next_fetch_reason = ? WHERE id = ?",
                          (to_iso(when), reason, feed_id))

    def list_feeds(self: StoreBase) -> list[StoredFeed]:
        """Every configured feed with its status and entry count, in config order."""
        rows = self.conn.execute(
            """SELECT f.id, f.url, coalesce(f.title, f.feed_title), f.link, f.tags, f.enabled,
                      f.last_status, f.last_outcome, f.last_fetch, f.last_success,
                      f.next_fetch, f.error_streak, f.last_error,
                      (SELECT count(*) FROM entries e WHERE e.feed_id = f.id)
               FROM feeds f WHERE f.in_config = 1 ORDER BY f.id""").fetchall()
        return [StoredFeed(id=r[0], url=r[1], title=r[2], link=r[3],
                           tags=tuple(json.loads(r[4])), enabled=bool(r[5]), last_status=r[6],
                           last_outcome=r[7], last_fetch=r[8], last_success=r[9],
                           next_fetch=r[10], error_streak=r[11], last_error=r[12],
                           entry_count=r[13]) for r in rows]
