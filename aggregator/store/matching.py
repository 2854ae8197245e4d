"""SQL the story matcher asks: candidates, story members, word counts and headline uses.

Every lookup is an indexed equality or range read with a ``LIMIT``, so the
cost of matching one new entry does not grow with the store.  ``learn``
counts a placed entry's words and headline, so the next entry is weighed
against everything before it; a rebuild replays the same counts in the
same order (``clear_stories`` resets them).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from aggregator.models import Candidate, EntryFeatures
from aggregator.store.base import StoreBase

# The HTML only when the matcher's view is not stored (rows from before migration 2).
# When: published if believable (1970 to a day after first seen, as models.plausible_time),
# else first seen.  The HTML only when the matcher's view is not stored (before migration 2).
_CANDIDATE_COLUMNS = """id, story_id,
    CASE WHEN published >= '1970-01-01T00:00:00Z'
          AND published <= strftime('%Y-%m-%dT%H:%M:%SZ', first_seen, '+1 day')
         THEN published ELSE first_seen END, title,
    CASE WHEN match_words IS NULL THEN summary END,
    CASE WHEN match_words IS NULL THEN content END,
    match_title, match_words, word_count, canonical_url, fingerprint"""
# The newest entries in one LSH band.  One arm per band, each reading at most
# ``limit`` index rows, where ``band IN (...)`` read every entry of a popular
# band (a common title word): the cost stays flat as the store grows.
_BAND_ARM = ("SELECT * FROM (SELECT entry_id FROM entry_bands WHERE band = ? "
             "AND entry_id < ? ORDER BY entry_id DESC LIMIT ?)")
_NEWEST = 1 << 62


class MatchingMixin:
    """The lookups of ``dedupe.match_story`` and the counts it weighs words by."""

    def find_candidates(self: StoreBase, new: EntryFeatures, limit: int = 10,
                        before_id: int | None = None) -> list[Candidate]:
        """Stored entries that may be the same article: indexed lookups only, no scans.

        ``before_id`` limits them to older entries (a rebuild replays in id order).
        """
        lookups: list[tuple[str, str, tuple[object, ...]]] = []
        for layer, column, value in (
                ("origin", "origin", new.origin), ("url", "canonical_url", new.canonical_url),
                ("fingerprint", "fingerprint", new.fingerprint),
                ("title", "title_key", new.title_key), ("near", "lead_key", new.lead_key)):
            if value is not None:
                lookups.append((layer, f"{column} = ?", (value,)))
        newest = before_id or _NEWEST
        for layer, bands in (("near", new.bands), ("title", new.title_bands)):
            if bands:
                lookups.append((layer, "id IN (" + " UNION ALL ".join([_BAND_ARM] * len(bands))
                                + ")", tuple(v for band in bands for v in (band, newest, limit))))
        if not lookups:
            return []
        # One statement for all the lookups (their SQL is constant, values bound):
        # each is a handful of index probes, so the cost per statement was most of it.
        arm = (f"SELECT * FROM (SELECT ? AS arm, {_CANDIDATE_COLUMNS} FROM entries "  # noqa: S608
               "WHERE {where} AND id < ? ORDER BY id DESC LIMIT ?)")
        sql = " UNION ALL ".join(arm.format(where=where) for _, where, _ in lookups)
        params: list[object] = []
        for number, (_, _, values) in enumerate(lookups):
            params.extend((number, *values, newest, limit))
        rows = sorted(self.conn.execute(sql, params), key=lambda row: int(row[0]))
        seen: set[int] = set()
        found: list[Candidate] = []
        for row in rows:  # an entry found by several lookups counts for the first
            if row[1] not in seen:
                seen.add(row[1])
                found.append(Candidate(row[1], row[2], lookups[row[0]][0], row[3], *row[4:]))
        return found

    def match_members(self: StoreBase, story_id: int, before_id: int | None = None,
                      limit: int = 4) -> list[Candidate]:
        """A story's representative, then its ``limit`` newest other members."""
        newest = before_id or _NEWEST
        rows = self.conn.execute(
            f"""SELECT * FROM (SELECT {_CANDIDATE_COLUMNS} FROM entries
                  WHERE id = (SELECT representative_id FROM stories WHERE id = ?) AND id < ?)
                UNION ALL
                SELECT * FROM (SELECT {_CANDIDATE_COLUMNS} FROM entries
                  WHERE story_id = ? AND id < ?
                    AND id != coalesce((SELECT representative_id FROM stories WHERE id = ?), 0)
                  ORDER BY id DESC LIMIT ?)""",  # noqa: S608
            (story_id, newest, story_id, newest, story_id, limit)).fetchall()
        return [Candidate(row[0], row[1], "story", row[2], *row[3:]) for row in rows]

    def term_counts(self: StoreBase, terms: Collection[int]) -> dict[int, int]:
        """In how many entries each word bucket occurs (absent: none)."""
        found: dict[int, int] = {}
        items = list(terms)
        for start in range(0, len(items), 500):
            part = items[start:start + 500]
            marks = ",".join("?" * len(part))
            found.update(self.conn.execute(
                f"SELECT term, entries FROM term_counts WHERE term IN ({marks})",  # noqa: S608
                part).fetchall())
        return found

    def match_documents(self: StoreBase) -> int:
        """How many entries the word counts were taken from."""
        row = self.conn.execute(
            "SELECT value FROM meta WHERE key = 'match_documents'").fetchone()
        return int(row[0]) if row else 0

    def headline_uses(self: StoreBase, title_key: int | None, feed_id: int) -> tuple[int, int]:
        """(most stories any feed has published under this headline, this feed's count)."""
        if title_key is None:
            return 0, 0
        row = self.conn.execute(
            "SELECT max(uses), max(CASE WHEN feed_id = ? THEN uses ELSE 0 END) "
            "FROM headlines WHERE title_key = ?", (feed_id, title_key)).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def learn(self: StoreBase, entry_id: int, feed_id: int, terms: Iterable[int],
              title_key: int | None) -> None:
        """Count a placed entry's words, and its headline if it is new to the feed's stories.

        A headline counts once per story per feed: a feed that re-serves a
        story under a new id has not used the headline for another story.
        """
        self.conn.executemany(
            "INSERT INTO term_counts (term, entries) VALUES (?, 1) "
            "ON CONFLICT (term) DO UPDATE SET entries = entries + 1",
            [(t,) for t in terms])
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                          "WHERE key = 'match_documents'")
        if title_key is None or self.conn.execute(
                "SELECT 1 FROM entries WHERE story_id = (SELECT story_id FROM entries "
                "WHERE id = ?) AND feed_id = ? AND title_key = ? AND id < ? LIMIT 1",
                (entry_id, feed_id, title_key, entry_id)).fetchone():
            return
        self.conn.execute(
            "INSERT INTO headlines (title_key, feed_id, uses) VALUES (?, ?, 1) "
            "ON CONFLICT DO UPDATE SET uses = uses + 1", (title_key, feed_id))
