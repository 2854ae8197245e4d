"""SQL for the ``entries`` table and the content version the outputs are cached on."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime

from aggregator.models import Enclosure, ParsedEntry, StoredEntry, to_iso
from aggregator.store.base import StoreBase, chunks

_ENTRY_FIELDS = ("guid", "url", "title", "author", "summary", "content", "published", "updated")


def entry_uid(feed_url: str, key: str) -> str:
    """The id an entry keeps in every output for ever: derived, so a rebuild keeps it too."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{feed_url}\n{key}").urn


def _values(entry: ParsedEntry) -> list[object]:
    return [getattr(entry, name) for name in _ENTRY_FIELDS] + [
        json.dumps(list(entry.tags)),
        json.dumps([[e.url, e.type, e.length] for e in entry.enclosures]),
    ]


def sort_time(entry: ParsedEntry, now_iso: str, never_fetched: bool) -> str:
    """Where an entry sits in the merged feed: when we first saw it.

    On a feed's first fetch its entries keep their own dates (clamped to now),
    so adding a feed does not put its whole backlog on top.
    """
    if never_fetched:
        own = entry.published or entry.updated
        if own is not None and own < now_iso:
            return own
    return now_iso


class EntriesMixin:
    """Entries, keyed by (feed, entry key)."""

    def entry_hashes(self: StoreBase, feed_id: int, keys: Sequence[str]) -> dict[str, str]:
        """Stored content hash of each of ``keys`` that the feed already has."""
        found: dict[str, str] = {}
        for part in chunks(list(keys)):
            marks = ",".join("?" * len(part))
            found.update(self.conn.execute(
                f"SELECT entry_key, content_hash FROM entries "  # noqa: S608
                f"WHERE feed_id = ? AND entry_key IN ({marks})", [feed_id, *part]).fetchall())
        return found

    def insert_entries(self: StoreBase, feed_id: int, feed_url: str,
                       items: Sequence[tuple[ParsedEntry, str]], now: datetime,
                       never_fetched: bool) -> None:
        """Insert new entries; an existing (feed, key) is left alone, never duplicated."""
        now_iso = to_iso(now)
        self.conn.executemany(
            """INSERT INTO entries (feed_id, entry_key, uid, guid, url, title, author, summary,
                 content, published, updated, tags, enclosures, content_hash, first_seen,
                 last_changed, sort_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (feed_id, entry_key) DO NOTHING""",
            [[feed_id, e.key, entry_uid(feed_url, e.key), *_values(e), digest, now_iso,
              now_iso, sort_time(e, now_iso, never_fetched)] for e, digest in items])

    def update_entries(self: StoreBase, feed_id: int,
                       items: Sequence[tuple[ParsedEntry, str]], now: datetime) -> None:
        """Rewrite changed entries in place: first_seen and sort position are kept."""
        now_iso = to_iso(now)
        self.conn.executemany(
            """UPDATE entries SET guid = ?, url = ?, title = ?, author = ?, summary = ?,
                 content = ?, published = ?, updated = ?, tags = ?, enclosures = ?,
                 content_hash = ?, last_changed = ?, update_count = update_count + 1
               WHERE feed_id = ? AND entry_key = ?""",
            [[*_values(e), digest, now_iso, feed_id, e.key] for e, digest in items])

    def bump_content_version(self: StoreBase, now: datetime) -> None:
        """Mark the outputs stale: they are rendered again on the next request."""
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                          "WHERE key = 'content_version'")
        self.conn.execute("INSERT INTO meta (key, value) VALUES ('content_changed', ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          (to_iso(now),))

    def content_version(self: StoreBase) -> tuple[int, str | None]:
        """(version, time of the last change): cheap enough to ask on every request."""
        rows = dict(self.conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('content_version', 'content_changed')"
        ).fetchall())
        return int(rows.get("content_version", 0)), rows.get("content_changed")

    def newest_entries(self: StoreBase, limit: int) -> list[StoredEntry]:
        """The newest ``limit`` entries of the configured feeds, newest first."""
        rows = self.conn.execute(
            """SELECT e.uid, f.url, coalesce(f.title, f.feed_title), f.link, f.updated,
                      e.url, e.title, e.author, e.summary, e.content, e.published, e.updated,
                      e.first_seen, e.sort_at, e.tags, e.enclosures
               FROM entries e JOIN feeds f ON f.id = e.feed_id
               WHERE f.in_config = 1
               ORDER BY e.sort_at DESC, e.id DESC LIMIT ?""", (limit,)).fetchall()
        return [StoredEntry(
            uid=r[0], feed_url=r[1], feed_title=r[2], feed_link=r[3], feed_updated=r[4],
            url=r[5], title=r[6], author=r[7], summary=r[8], content=r[9], published=r[10],
            updated=r[11], first_seen=r[12], sort_at=r[13], tags=tuple(json.loads(r[14])),
            enclosures=tuple(Enclosure(url=u, type=t, length=n) for u, t, n in json.loads(r[15])),
        ) for r in rows]

    def count_entries(self: StoreBase) -> int:
        """How many entries the store holds."""
        return int(self.conn.execute("SELECT count(*) FROM entries").fetchone()[0])
