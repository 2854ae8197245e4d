"""SQL the story matcher asks: candidates, story members, word counts and headline uses.

Every lookup is an indexed equality or range read with a ``LIMIT``, so the
cost of matching one new entry does not grow with the store.  ``learn``
counts a placed entry's words and headline, so the next entry is weighed
against everything before it; a rebuild replays the same counts in the
same order (``forget_learned`` resets them).

Inside a transaction the word counts go through ``WordCounts``: the counts
read are kept, ``learn`` adds to them in memory, and the sums are written
once, when the transaction commits.  A feed's fifty entries share most of
their words, so this is one upsert per distinct word per fetch instead of
sixty per entry; every read still sees every entry learned before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from typing import Protocol

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


class WordCounts:
    """Word counts read and learned in the open transaction, and the increments not yet written.

    Valid for one transaction only: ``Store.transaction`` writes the
    increments before it commits (``pending``) and forgets everything when
    it ends, so another writer's counts are read afresh next time.
    """

    def __init__(self) -> None:
        self.known: dict[int, int] = {}  # word bucket -> entries, increments included
        self.pending: Counter[int] = Counter()  # increments not yet in term_counts
        self.documents: int | None = None  # match_documents, increments included
        self.pending_documents = 0

    def reset(self) -> None:
        """Forget the counts read and the increments (after a commit, a rollback or a clear)."""
        self.known.clear()
        self.pending.clear()
        self.documents = None
        self.pending_documents = 0

    def add(self, terms: Iterable[int]) -> None:
        """Count one more entry with these word buckets (each once)."""
        buckets = set(terms)
        self.pending.update(buckets)
        known = self.known
        for bucket in buckets & known.keys():
            known[bucket] += 1
        self.pending_documents += 1
        if self.documents is not None:
            self.documents += 1


class _Matching(StoreBase, Protocol):
    word_counts: WordCounts


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

    def term_counts(self: _Matching, terms: Collection[int]) -> dict[int, int]:
        """In how many entries each word bucket occurs (absent: none)."""
        counts = self.word_counts
        cached = self.conn.in_transaction
        known = counts.known if cached else {}
        found = {t: known[t] for t in terms if known.get(t)}
        items = [t for t in terms if t not in known]
        read: dict[int, int] = {}
        for start in range(0, len(items), 500):
            part = items[start:start + 500]
            marks = ",".join("?" * len(part))
            read.update(self.conn.execute(
                f"SELECT term, entries FROM term_counts WHERE term IN ({marks})",  # noqa: S608
                part).fetchall())
        for bucket in items:
            count = read.get(bucket, 0) + counts.pending.get(bucket, 0)
            if cached:
                counts.known[bucket] = count
            if count:
                found[bucket] = count
        return found

    def match_documents(self: _Matching) -> int:
        """How many entries the word counts were taken from."""
        counts = self.word_counts
        if counts.documents is not None and self.conn.in_transaction:
            return counts.documents
        row = self.conn.execute(
            "SELECT value FROM meta WHERE key = 'match_documents'").fetchone()
        documents = (int(row[0]) if row else 0) + counts.pending_documents
        if self.conn.in_transaction:
            counts.documents = documents
        return documents

    def write_word_counts(self: _Matching) -> None:
        """Write the counts ``learn`` kept in memory; ``Store.transaction`` calls it to commit."""
        _write_counts(self)

    def headline_uses(self: StoreBase, title_key: int | None, feed_id: int) -> tuple[int, int]:
        """(most stories any feed has published under this headline, this feed's count)."""
        if title_key is None:
            return 0, 0
        row = self.conn.execute(
            "SELECT max(uses), max(CASE WHEN feed_id = ? THEN uses ELSE 0 END) "
            "FROM headlines WHERE title_key = ?", (feed_id, title_key)).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def forget_learned(self: _Matching) -> None:
        """Forget every word and headline count, before a rebuild replays them."""
        self.conn.execute("DELETE FROM term_counts")
        self.conn.execute("DELETE FROM headlines")
        self.conn.execute("UPDATE meta SET value = '0' WHERE key = 'match_documents'")
        self.word_counts.reset()

    def learn(self: _Matching, entry_id: int, feed_id: int, terms: Iterable[int],
              title_key: int | None) -> None:
        """Count a placed entry's words, and its headline if it is new to the feed's stories.

        A headline counts once per story per feed: a feed that re-serves a
        story under a new id has not used the headline for another story.
        The words are written when the transaction commits (at once outside one).
        """
        self.word_counts.add(terms)
        if not self.conn.in_transaction:
            _write_counts(self)
        if title_key is None or self.conn.execute(
                "SELECT 1 FROM entries WHERE story_id = (SELECT story_id FROM entries "
                "WHERE id = ?) AND feed_id = ? AND title_key = ? AND id < ? LIMIT 1",
                (entry_id, feed_id, title_key, entry_id)).fetchone():
            return
        self.conn.execute(
            "INSERT INTO headlines (title_key, feed_id, uses) VALUES (?, ?, 1) "
            "ON CONFLICT DO UPDATE SET uses = uses + 1", (title_key, feed_id))


def _write_counts(store: _Matching) -> None:
    """Add the pending increments to ``term_counts`` and ``match_documents``, then forget them."""
    counts = store.word_counts
    if counts.pending:
        store.conn.executemany(
            "INSERT INTO term_counts (term, entries) VALUES (?, ?) "
            "ON CONFLICT (term) DO UPDATE SET entries = entries + excluded.entries",
            sorted(counts.pending.items()))
    if counts.pending_documents:
        store.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + ? "
                           "WHERE key = 'match_documents'", (counts.pending_documents,))
    counts.reset()
