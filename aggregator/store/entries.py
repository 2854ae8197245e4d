"""SQL for the ``entries`` table and the content version the outputs are cached on."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from datetime import datetime

from aggregator.models import (
    Enclosure,
    EntryFeatures,
    ParsedEntry,
    Sighting,
    StoredEntry,
    StoryMatch,
    plain_text,
    to_iso,
)
from aggregator.store.base import StoreBase, chunks

ENTRY_COLUMNS = """e.uid, f.url, coalesce(f.title, f.feed_title), f.link, f.updated,
    e.url, e.title, e.author, e.summary, e.content, e.published, e.updated,
    e.first_seen, e.sort_at, e.tags, e.enclosures"""


def stored_entry(row: Sequence[object], also: tuple[Sighting, ...] = (),
                 uid: str | None = None) -> StoredEntry:
    """A StoredEntry from a row selected with ``ENTRY_COLUMNS``.

    A story is published under its own ``uid`` (its first entry's), so the
    item keeps its id when an earlier copy becomes the representative.
    """
    r = list(row)
    return StoredEntry(
        uid=uid or str(r[0]), feed_url=str(r[1]), feed_title=_opt(r[2]), feed_link=_opt(r[3]),
        feed_updated=_opt(r[4]), url=_opt(r[5]), title=_opt(r[6]), author=_opt(r[7]),
        summary=_opt(r[8]), content=_opt(r[9]), published=_opt(r[10]), updated=_opt(r[11]),
        first_seen=str(r[12]), sort_at=str(r[13]), tags=tuple(json.loads(str(r[14]))),
        enclosures=tuple(Enclosure(url=u, type=t, length=n)
                         for u, t, n in json.loads(str(r[15]))),
        also=also)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)



_ENTRY_FIELDS = ("guid", "url", "title", "author", "summary", "content", "published", "updated")


def entry_uid(feed_url: str, key: str) -> str:
    """The id an entry keeps in every output for ever: derived, so a rebuild keeps it too."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{feed_url}\n{key}").urn


def _values(entry: ParsedEntry) -> list[object]:
    return [getattr(entry, name) for name in _ENTRY_FIELDS] + [
        json.dumps(list(entry.tags)),
        json.dumps([[e.url, e.type, e.length] for e in entry.enclosures]),
    ]


def _match_view(found: EntryFeatures) -> tuple[str, str, int, int | None, int | None]:
    """The matcher's view of an entry as stored: title, lead words, word count, exact keys."""
    return found.title, found.lead_words, found.words, found.title_key, found.lead_key


def _match_columns(match: StoryMatch | None) -> tuple[str, float | None, int | None, str | None]:
    """(layer, score, matched entry, evidence) as stored: ``new`` for a story's first entry."""
    if match is None:
        return "new", None, None, None
    return match.layer, match.score, match.entry_id, match.evidence


def _join_story(conn: sqlite3.Connection, story_id: int, entry_id: int,
                entry: ParsedEntry, *, new_story: bool = False) -> None:
    """Count the entry in its story; it becomes the representative if earlier or fuller.

    One statement for a story just made for this entry, two otherwise: this
    runs for every new entry, inside the writer's busiest loop.
    """
    size = completeness(entry)
    becomes = new_story
    if not new_story:
        rep_id, rep_published, rep_size = conn.execute(
            "SELECT representative_id, rep_published, rep_size FROM stories WHERE id = ?",
            (story_id,)).fetchone()
        mine, theirs = entry.published or "9999", rep_published or "9999"
        becomes = rep_id is None or mine < theirs or (mine == theirs and size > rep_size)
    if becomes:
        conn.execute("UPDATE stories SET representative_id = ?, rep_published = ?, "
                     "rep_size = ?, entry_count = entry_count + 1 WHERE id = ?",
                     (entry_id, entry.published, size, story_id))
    else:
        conn.execute("UPDATE stories SET entry_count = entry_count + 1 WHERE id = ?",
                     (story_id,))


def search_text(entry: ParsedEntry) -> str:
    """What full-text search indexes of an entry besides its title (capped: 64 KiB)."""
    return " ".join((plain_text(entry.summary), plain_text(entry.content)))[:65536]


def completeness(entry: ParsedEntry) -> int:
    """How much of the article an entry carries: the tie-breaker for a story's representative."""
    return len(entry.content or "") + len(entry.summary or "") + (100 if entry.author else 0)


class EntriesMixin:
    """Entries, keyed by (feed, entry key)."""

    def entry_states(self: StoreBase, feed_id: int, keys: Sequence[str],
                     ) -> dict[str, tuple[str, str | None, int]]:
        """Each stored key's (content hash, updated, update count), for ``dedupe.decide``."""
        found: dict[str, tuple[str, str | None, int]] = {}
        for part in chunks(list(keys)):
            marks = ",".join("?" * len(part))
            for key, digest, updated, count in self.conn.execute(
                    f"SELECT entry_key, content_hash, updated, update_count FROM entries "  # noqa: S608
                    f"WHERE feed_id = ? AND entry_key IN ({marks})", [feed_id, *part]):
                found[key] = (digest, updated, count)
        return found

    def insert_entry(self: StoreBase, feed_id: int, entry: ParsedEntry, *, feed_url: str,
                     digest: str, placed: tuple[str, str], found: EntryFeatures,
                     match: StoryMatch | None) -> int:
        """Insert one new entry into its story (a new one when ``match`` is None).

        ``placed`` is (first seen, sort position).  Returns the entry id.
        """
        first_seen, sort_at = placed
        uid = entry_uid(feed_url, entry.key)
        story_id = match.story_id if match else int(self.conn.execute(
            "INSERT INTO stories (uid, first_seen, sort_at) VALUES (?, ?, ?)",
            (uid, first_seen, sort_at)).lastrowid or 0)
        cursor = self.conn.execute(
            """INSERT INTO entries (feed_id, entry_key, uid, guid, url, title, author, summary,
                 content, published, updated, tags, enclosures, content_hash, first_seen,
                 last_changed, sort_at, story_id, canonical_url, fingerprint, origin,
                 dedupe_layer, dedupe_score, matched_entry_id, dedupe_evidence, match_title,
                 match_words, word_count, title_key, lead_key)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                       ?, ?, ?, ?, ?, ?)
               ON CONFLICT (feed_id, entry_key) DO NOTHING""",
            [feed_id, entry.key, uid, *_values(entry), digest,
             first_seen, first_seen, sort_at, story_id, found.canonical_url, found.fingerprint,
             found.origin, *_match_columns(match), *_match_view(found)])
        entry_id = int(cursor.lastrowid or 0)
        if not cursor.rowcount:
            return 0
        self.conn.execute("INSERT INTO entries_fts (rowid, title, body) VALUES (?, ?, ?)",
                          (entry_id, entry.title or "", search_text(entry)))
        self.conn.executemany("INSERT OR IGNORE INTO entry_bands (band, entry_id) VALUES (?, ?)",
                              [(band, entry_id) for band in found.bands + found.title_bands])
        _join_story(self.conn, story_id, entry_id, entry, new_story=match is None)
        return entry_id

    def restory_entry(self: StoreBase, entry_id: int, entry: ParsedEntry,
                      found: EntryFeatures, match: StoryMatch | None,
                      placed: tuple[str, str]) -> None:
        """Put a stored entry into a story again (``dedupe --rebuild``)."""
        story_id = match.story_id if match else int(self.conn.execute(
            "INSERT INTO stories (uid, first_seen, sort_at) "
            "SELECT uid, ?, ? FROM entries WHERE id = ?", (*placed, entry_id)).lastrowid or 0)
        self.conn.execute(
            """UPDATE entries SET story_id = ?, canonical_url = ?, fingerprint = ?, origin = ?,
                 dedupe_layer = ?, dedupe_score = ?, matched_entry_id = ?, dedupe_evidence = ?,
                 match_title = ?, match_words = ?, word_count = ?, title_key = ?, lead_key = ?
               WHERE id = ?""",
            (story_id, found.canonical_url, found.fingerprint, found.origin,
             *_match_columns(match), *_match_view(found), entry_id))
        self.conn.executemany("INSERT OR IGNORE INTO entry_bands (band, entry_id) VALUES (?, ?)",
                              [(band, entry_id) for band in found.bands + found.title_bands])
        _join_story(self.conn, story_id, entry_id, entry)

    def update_entries(self: StoreBase, feed_id: int,
                       items: Sequence[tuple[ParsedEntry, str]], now: datetime) -> None:
        """Rewrite changed entries in place: first_seen and sort position are kept.

        The matcher's stored view is cleared rather than recomputed here: a
        changed entry that comes up as a candidate is read from its new text.
        """
        now_iso = to_iso(now)
        self.conn.executemany(
            """UPDATE entries SET guid = ?, url = ?, title = ?, author = ?, summary = ?,
                 content = ?, published = ?, updated = ?, tags = ?, enclosures = ?,
                 content_hash = ?, last_changed = ?, update_count = update_count + 1,
                 match_title = NULL, match_words = NULL, word_count = NULL
               WHERE feed_id = ? AND entry_key = ?""",
            [[*_values(e), digest, now_iso, feed_id, e.key] for e, digest in items])
        self.conn.executemany(
            "UPDATE entries_fts SET title = ?, body = ? WHERE rowid = "
            "(SELECT id FROM entries WHERE feed_id = ? AND entry_key = ?)",
            [(e.title or "", search_text(e), feed_id, e.key) for e, _ in items])

    def bump_content_version(self: StoreBase, now: datetime) -> None:
        """Mark the outputs stale: they are rendered again on the next request."""
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                          "WHERE key = 'content_version'")
        self.conn.execute("INSERT INTO meta (key, value) VALUES ('content_changed', ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          (to_iso(now),))

    def change_mark(self: StoreBase) -> tuple[int, int]:
        """Counters that move whenever the store may have changed; no table is read.

        ``total_changes`` counts rows written through this connection,
        ``PRAGMA data_version`` commits by any other.  While the mark stays
        the same, so does ``content_version``: ask this on every request, and
        that only when the mark moved.
        """
        data_version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return self.conn.total_changes, int(data_version)

    def content_version(self: StoreBase) -> tuple[int, str | None]:
        """(version, time of the last change): cheap enough to ask on every request."""
        rows = dict(self.conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('content_version', 'content_changed')"
        ).fetchall())
        return int(rows.get("content_version", 0)), rows.get("content_changed")

    def newest_entries(self: StoreBase, limit: int) -> list[StoredEntry]:
        """The newest ``limit`` entries of the configured feeds, newest first (no grouping)."""
        rows = self.conn.execute(
            f"""SELECT {ENTRY_COLUMNS} FROM entries e JOIN feeds f ON f.id = e.feed_id
                WHERE f.in_config = 1
                ORDER BY e.sort_at DESC, e.id DESC LIMIT ?""", (limit,)).fetchall()  # noqa: S608
        return [stored_entry(row) for row in rows]

    def count_entries(self: StoreBase) -> int:
        """How many entries the store holds."""
        return int(self.conn.execute("SELECT count(*) FROM entries").fetchone()[0])
