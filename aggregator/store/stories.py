"""SQL for ``stories``: one row per article, however many feeds carried it."""

from __future__ import annotations

import sqlite3

from aggregator.models import Sighting, StoredEntry
from aggregator.store.base import StoreBase
from aggregator.store.entries import ENTRY_COLUMNS, stored_entry


class StoriesMixin:
    """Stories for the merged feed and for people auditing the grouping."""

    def newest_stories(self: StoreBase, limit: int) -> list[StoredEntry]:
        """The newest ``limit`` stories, each as its representative entry plus sightings.

        Stories are ordered by when their first entry was placed, so a later
        copy or an edit never moves a story back to the top.
        """
        rows = self.conn.execute(
            f"""SELECT s.id, s.uid, {ENTRY_COLUMNS}
                FROM stories s JOIN entries e ON e.id = s.representative_id
                JOIN feeds f ON f.id = e.feed_id
                WHERE f.in_config = 1
                ORDER BY s.sort_at DESC, s.id DESC LIMIT ?""", (limit,)).fetchall()  # noqa: S608
        sightings = sightings_of(self.conn, [row[0] for row in rows if row[0] is not None])
        return [stored_entry(row[2:], tuple(s for s in sightings.get(row[0], ())
                                            if s.url != row[7] or s.feed_url != row[3]),
                             uid=row[1])
                for row in rows]

    def list_stories(self: StoreBase, since: str, limit: int = 1000,
                     ) -> list[tuple[int, str, str | None, int, str]]:
        """(story id, first seen, title, sightings, feeds) of stories first seen since ``since``."""
        return [tuple(r) for r in self.conn.execute(
            """SELECT s.id, s.first_seen, e.title, s.entry_count,
                      (SELECT group_concat(DISTINCT coalesce(f.title, f.feed_title, f.url))
                       FROM entries x JOIN feeds f ON f.id = x.feed_id WHERE x.story_id = s.id)
               FROM stories s JOIN entries e ON e.id = s.representative_id
               WHERE s.first_seen >= ? ORDER BY s.sort_at DESC, s.id DESC LIMIT ?""",
            (since, limit))]

    def explain_entry(self: StoreBase, entry_id: int) -> dict[str, object] | None:
        """Which story an entry is in, which layer put it there, with what score and why."""
        cursor = self.conn.execute(
            """SELECT se.*, s.entry_count, s.representative_id
               FROM story_entries se JOIN stories s ON s.id = se.story_id
               WHERE se.entry_id = ?""", (entry_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        names = [d[0] for d in cursor.description]
        return dict(zip(names, row, strict=True))


    def story_members(self: StoreBase, story_id: int) -> list[tuple[object, ...]]:
        """(entry id, layer, score, feed url, title, evidence JSON) of every entry of a story."""
        return self.conn.execute(
            "SELECT entry_id, layer, score, feed_url, title, evidence FROM story_entries "
            "WHERE story_id = ? ORDER BY entry_id", (story_id,)).fetchall()

    def story_map(self: StoreBase) -> dict[int, int]:
        """Entry id -> story id, for comparing two groupings."""
        return dict(self.conn.execute("SELECT id, story_id FROM entries").fetchall())

    def replay_rows(self: StoreBase) -> list[tuple[object, ...]]:
        """Every entry in insertion order with what re-deciding its story needs.

        (id, key, guid, url, title, summary, content, published, updated, origin,
        first_seen, sort_at, feed_id): a few hundred bytes a row.
        """
        return self.conn.execute(
            """SELECT id, entry_key, guid, url, title, summary, content, published, updated,
                      origin, first_seen, sort_at, feed_id FROM entries ORDER BY id""").fetchall()

    def clear_stories(self: StoreBase) -> None:
        """Forget every story before a rebuild; call inside the rebuild's transaction.

        (What the matcher learned goes with ``forget_learned``.)
        """
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        self.conn.execute("DELETE FROM entry_bands")
        self.conn.execute("DELETE FROM stories")
        self.conn.execute("UPDATE entries SET canonical_url = NULL, fingerprint = NULL, "
                          "origin = NULL")


def sightings_of(conn: sqlite3.Connection, story_ids: list[int]) -> dict[int, list[Sighting]]:
    """Every entry of each story as a Sighting, oldest first."""
    found: dict[int, list[Sighting]] = {}
    for start in range(0, len(story_ids), 500):
        part = story_ids[start:start + 500]
        marks = ",".join("?" * len(part))
        for story_id, feed_url, title, url, first_seen in conn.execute(
                f"""SELECT e.story_id, f.url, coalesce(f.title, f.feed_title), e.url,
                           e.first_seen
                    FROM entries e JOIN feeds f ON f.id = e.feed_id
                    WHERE e.story_id IN ({marks}) ORDER BY e.first_seen, e.id""",  # noqa: S608
                part):
            found.setdefault(story_id, []).append(Sighting(feed_url, title, url, first_seen))
    return found
