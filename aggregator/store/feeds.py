"""SQL for the ``feeds`` table and its ``url_history``: config mirror, scheduling, status."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from aggregator.models import (
    FeedConfig,
    FeedJob,
    FeedTiming,
    StoredFeed,
    UrlChange,
    Validators,
    to_iso,
)
from aggregator.store.base import StoreBase

LATEST = "9999-12-31T23:59:59Z"  # the latest time SQLite's date functions can write

_JOB_COLUMNS = ("id, url, etag, last_modified, interval_s, error_streak, last_success, "
                "body_hash, host, retry_after_scope, redirect_target, redirect_count, "
                "redirect_since, key_mode, config_url")
_RUNNABLE = "enabled = 1 AND in_config = 1 AND gone_since IS NULL"


def _job(row: tuple[object, ...]) -> FeedJob:
    (feed_id, url, etag, last_modified, interval_s, streak, last_success, body_hash, host,
     scope, target, count, since, mode, config_url) = row
    return FeedJob(id=int(str(feed_id)), url=str(url),
                   validators=Validators(etag=_str(etag), last_modified=_str(last_modified)),
                   interval_s=float(str(interval_s)), error_streak=int(str(streak)),
                   never_fetched=last_success is None, body_hash=_str(body_hash),
                   host=str(host), retry_after_scope=str(scope), redirect_target=_str(target),
                   redirect_count=int(str(count)), redirect_since=_str(since),
                   key_mode=str(mode), config_url=str(config_url))


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def host_of(url: str) -> str:
    """The lower-case host of ``url``: the unit of politeness."""
    return (urlsplit(url).hostname or "").lower()


def config_hash(feed: FeedConfig) -> str:
    """A digest of a feed's config entry: a change re-enables a gone feed."""
    text = json.dumps([feed.url, feed.title, list(feed.tags), feed.interval_s, feed.enabled,
                       feed.retry_after_scope])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def feed_status(enabled: bool, gone: bool, streak: int, last_success: str | None, *,
                failing_after: int, last_outcome: str | None = None) -> str:
    """One word for a feed's state: disabled, gone, failing, error, ok or new."""
    if not enabled:
        return "disabled"
    if gone:
        return "gone"
    if streak >= failing_after:
        return "failing"
    if streak or last_outcome == "error":  # no streak: the network was blamed
        return "error"
    return "ok" if last_success else "new"


class FeedsMixin:
    """Feeds as configured and as fetched."""

    def sync_feeds(self: StoreBase, feeds: Sequence[FeedConfig], default_interval_s: float,
                   now: datetime) -> None:
        """Mirror the config: upsert every feed, flag the ones no longer configured.

        A feed removed from the config keeps its rows (nothing stored is thrown
        away) but is no longer fetched or published; adding it back resumes it.
        A changed config entry clears a 410 Gone mark.
        """
        now_iso = to_iso(now)
        # Generators, not lists: executemany takes one row at a time, and the rows
        # of 100,000 feeds built at once were 30 MB at the peak of start-up.
        rows = ((f.url, f.url, host_of(f.url), f.title, json.dumps(list(f.tags)),
                 f.interval_s if f.interval_s is not None else default_interval_s,
                 int(f.enabled), config_hash(f), f.retry_after_scope, now_iso, now_iso)
                for f in feeds)
        with self.transaction():
            self.conn.execute("UPDATE feeds SET in_config = 0 WHERE in_config = 1")
            self.conn.executemany(
                """INSERT INTO feeds (config_url, url, host, title, tags, interval_s, enabled,
                     config_hash, retry_after_scope, added, next_fetch, in_config)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                   ON CONFLICT (config_url) DO UPDATE SET
                     title = excluded.title, tags = excluded.tags,
                     interval_s = excluded.interval_s, enabled = excluded.enabled,
                     retry_after_scope = excluded.retry_after_scope, in_config = 1,
                     gone_since = CASE WHEN config_hash = excluded.config_hash
                                       THEN gone_since END,
                     config_hash = excluded.config_hash""", rows)
            self.conn.executemany(
                """INSERT OR IGNORE INTO url_history (feed_id, url, first_seen, reason)
                   SELECT id, config_url, ?, 'config' FROM feeds WHERE config_url = ?""",
                ((now_iso, f.url) for f in feeds))

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
                f"""SELECT {_JOB_COLUMNS} FROM feeds WHERE {_RUNNABLE} AND next_fetch <= ?
                    ORDER BY next_fetch LIMIT ?""",  # noqa: S608 - constants only
                (now_iso, limit + len(exclude))).fetchall()
            skip = set(exclude)
            jobs = [_job(row) for row in rows if row[0] not in skip][:limit]
            self.conn.executemany(
                "UPDATE feeds SET next_fetch = coalesce(strftime('%Y-%m-%dT%H:%M:%SZ', ?, "
                "'+' || CAST(interval_s AS INTEGER) || ' seconds'), ?), "
                "next_fetch_reason = 'lease' WHERE id = ?",
                # Past year 9999 strftime gives NULL (a NOT NULL error on every tick, and
                # no feed claimed again): the lease saturates at the latest time instead.
                [(now_iso, LATEST, job.id) for job in jobs])
        return jobs

    def cycle_jobs(self: StoreBase, now: datetime, *, force: bool = False,
                   ) -> tuple[list[FeedJob], list[str]]:
        """One `aggregator fetch` cycle: (feeds to fetch, urls skipped).

        A feed waiting out a backoff or a Retry-After is skipped unless
        ``force``; a gone feed always is (``aggregator enable`` brings it back).
        """
        rows = self.conn.execute(
            f"""SELECT {_JOB_COLUMNS},
                  (error_streak > 0 OR coalesce(retry_until, '') > ?) AND next_fetch > ?
                FROM feeds WHERE {_RUNNABLE} ORDER BY id""",  # noqa: S608 - constants only
            (to_iso(now), to_iso(now))).fetchall()
        jobs = [_job(row[:-1]) for row in rows if force or not row[-1]]
        skipped = [str(row[1]) for row in rows if row[-1] and not force]
        return jobs, skipped

    def set_next_fetch(self: StoreBase, feed_id: int, when: datetime, reason: str) -> None:
        """Record when the feed is due next and which rule decided it."""
        self.conn.execute("UPDATE feeds SET next_fetch = ?, next_fetch_reason = ? WHERE id = ?",
                          (to_iso(when), reason, feed_id))

    def set_retry_until(self: StoreBase, job: FeedJob, until: datetime) -> None:
        """Honour a Retry-After: for this feed, or every feed of its host."""
        if job.retry_after_scope == "host":
            self.conn.execute("UPDATE feeds SET retry_until = ? WHERE host = ?",
                              (to_iso(until), job.host))
            self.conn.execute(
                """UPDATE feeds SET next_fetch = ?, next_fetch_reason = 'Retry-After (host)'
                   WHERE host = ? AND next_fetch < ?""", (to_iso(until), job.host, to_iso(until)))
        else:
            self.conn.execute("UPDATE feeds SET retry_until = ? WHERE id = ?",
                              (to_iso(until), job.id))

    def feed_timing(self: StoreBase, feed_id: int) -> FeedTiming:
        """What the scheduler needs to place the feed's next fetch."""
        row = self.conn.execute(
            "SELECT interval_s, error_streak, max_age_s, ttl_s, update_period_s, post_gap_s "
            "FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return FeedTiming(*row)

    def forgive_failures(self: StoreBase, feed_ids: Sequence[int]) -> None:
        """Undo the streak growth of failures that turned out to be the network's."""
        self.conn.executemany(
            "UPDATE feeds SET error_streak = max(error_streak - 1, 0), "
            "next_fetch_reason = 'network down' WHERE id = ?",
            [(feed_id,) for feed_id in feed_ids])

    def enable_feed(self: StoreBase, url: str, now: datetime) -> bool:
        """Clear gone, backoff and Retry-After for the feed at ``url``; due now."""
        cursor = self.conn.execute(
            """UPDATE feeds SET gone_since = NULL, error_streak = 0, retry_until = NULL,
                 next_fetch = ?, next_fetch_reason = 'enabled by user'
               WHERE config_url = ? OR url = ?""", (to_iso(now), url, url))
        return cursor.rowcount > 0

    def note_redirect(self: StoreBase, feed_id: int, target: str | None, count: int,
                      since: str | None) -> None:
        """Remember a permanent redirect seen on consecutive fetches (or forget it)."""
        self.conn.execute("UPDATE feeds SET redirect_target = ?, redirect_count = ?, "
                          "redirect_since = ? WHERE id = ?", (target, count, since, feed_id))

    def set_key_mode(self: StoreBase, feed_id: int, mode: str) -> None:
        """Record which key the feed's entries get (see ``dedupe.key_mode``)."""
        self.conn.execute("UPDATE feeds SET key_mode = ? WHERE id = ?", (mode, feed_id))

    def adopt_url(self: StoreBase, feed_id: int, url: str, now: datetime) -> None:
        """Fetch the feed at ``url`` from now on, and keep the change in its history."""
        self.conn.execute(
            """UPDATE feeds SET url = ?, host = ?, redirect_target = NULL, redirect_count = 0,
                 redirect_since = NULL WHERE id = ?""", (url, host_of(url), feed_id))
        self.conn.execute("INSERT OR IGNORE INTO url_history (feed_id, url, first_seen, reason) "
                          "VALUES (?, ?, ?, 'redirect')", (feed_id, url, to_iso(now)))

    def list_feeds(self: StoreBase, failing_after: int = 3) -> list[StoredFeed]:
        """Every configured feed with its status, schedule and history, in config order."""
        history: dict[int, list[UrlChange]] = {}
        for feed_id, url, first_seen, reason in self.conn.execute(
                "SELECT feed_id, url, first_seen, reason FROM url_history ORDER BY id"):
            history.setdefault(feed_id, []).append(UrlChange(url, first_seen, reason))
        rows = self.conn.execute(
            """SELECT f.id, f.url, coalesce(f.title, f.feed_title), f.link, f.tags, f.enabled,
                      f.last_status, f.last_outcome, f.last_fetch, f.last_success,
                      f.next_fetch, f.error_streak, f.last_error,
                      (SELECT count(*) FROM entries e WHERE e.feed_id = f.id),
                      f.config_url, f.next_fetch_reason, f.last_reason, f.gone_since,
                      f.retry_until, f.declared_url, f.redirect_target
               FROM feeds f WHERE f.in_config = 1 ORDER BY f.id""").fetchall()
        return [StoredFeed(
            id=r[0], url=r[1], title=r[2], link=r[3], tags=tuple(json.loads(r[4])),
            enabled=bool(r[5]), last_status=r[6], last_outcome=r[7], last_fetch=r[8],
            last_success=r[9], next_fetch=None if r[17] else r[10], error_streak=r[11],
            last_error=r[12], entry_count=r[13], config_url=r[14],
            status=feed_status(bool(r[5]), r[17] is not None, r[11], r[9],
                               failing_after=failing_after, last_outcome=r[7]),
            next_fetch_reason="gone: re-enable with `aggregator enable`" if r[17] else r[15],
            last_reason=r[16], gone_since=r[17], retry_until=r[18], declared_url=r[19],
            redirect_target=r[20], url_history=tuple(history.get(r[0], ())),
        ) for r in rows]

    def post_gap_s(self: StoreBase, feed_id: int, now: datetime) -> float | None:
        """Mean time between the feed's posts over the last 30 days (at least 3 posts)."""
        since = to_iso(now - timedelta(days=30))
        row = self.conn.execute(
            """SELECT count(*), min(published), max(published) FROM
                 (SELECT published FROM entries WHERE feed_id = ? AND published >= ?
                    AND published <= ? ORDER BY published DESC LIMIT 50)""",
            (feed_id, since, to_iso(now))).fetchone()
        count, first, last = row
        if count < 3 or first is None:
            return None
        span = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
        return span / (count - 1) if span > 0 else None
