"""Cost of deduplicating one new entry with 10k, 100k and 1M entries already stored.

The store is seeded directly (not by fetching), with everything the matcher
reads, at the size a real store of that many entries has: entries with
canonical URLs, fingerprints, origins, title and lead keys and the
matcher's view (``match_title``, ``match_words``); their LSH bands; stories
(one in five entries a copy in another's story) with representatives; word
counts (``term_counts``) for a Zipf-distributed vocabulary, as many words
as that many entries use; headline uses (``headlines``, a few headlines
recurring) and ``match_documents``.  Then new entries (Zipf text, a quarter
of them copies: edited, or summary-only cut at ~200 characters) go through
the real path, as ingest does: ``pipeline.place`` (features, candidate
lookups, word counts, story members, the decision), insert and ``learn``,
one transaction each, the sizes taking turns.  The new entries are the same
for every size.  Prints a table; the target is that the cost stays flat
(1M at most 1.5x 10k).

    python -m benchmarks.dedupe_cost [--sizes 10000,100000,1000000] [--new 400]
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

from aggregator import dedupe
from aggregator.dedupe.features import (
    COMPARE_WORDS,
    LEAD_KEY_WORDS,
    LSH_WORDS,
    SIGNATURE_WORDS,
    lsh_bands,
    shingle_hashes,
    text_key,
    title_bands,
)
from aggregator.models import DedupeSettings, FeedConfig, ParsedEntry, to_iso, utc_now
from aggregator.pipeline import place, sort_time
from aggregator.store import Store

SETTINGS = DedupeSettings()
FEEDS = 500
VOCABULARY = 1_000_000  # distinct words; a store of 1M entries has used nearly all of them
ZIPF_S = 1.0  # word frequency ~ 1 / rank ** s, as in running text
TITLE_WORDS = 9
LEAD_WORDS = SIGNATURE_WORDS  # the lead words an entry stores (``match_words``)
SUMMARY_WORDS = 40
COUNTED = TITLE_WORDS + COMPARE_WORDS  # the words ``learn`` counts per entry
RECURRING = 50  # headlines ("Morning briefing") that feeds use again and again
RECURRING_EVERY = 40  # one stored entry in this many has one of them
COPY_EVERY = 5  # one stored entry in this many is a copy, in the story of the one before
SPAN = timedelta(days=90)  # the seeded entries' first-seen times, oldest first
_CONSONANTS, _VOWELS = "bcdfghjklmnprstvz", "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]


def word(rank: int) -> str:
    """The word of that frequency rank: short for the frequent ones, as in real text.

    One in fifty is a figure ("1837"): news text is full of them, and the
    matcher checks they agree.
    """
    if rank % 50 == 7:
        return str(rank // 50)
    out = []
    rank += 1
    while rank:
        rank, digit = divmod(rank - 1, len(_SYLLABLES))
        out.append(_SYLLABLES[digit])
    return "".join(out)


class Zipf:
    """Words drawn by rank with probability ~ 1 / rank ** ``ZIPF_S``."""

    def __init__(self, size: int = VOCABULARY) -> None:
        self.words = [word(r) for r in range(size)]
        weights = [1.0 / (r + 1) ** ZIPF_S for r in range(size)]
        self.total = sum(weights)
        self.probability = [w / self.total for w in weights]
        self.cumulative = list(itertools.accumulate(weights))
        self.common = frozenset(self.words[:10])

    def sample(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def title(self, rng: random.Random) -> list[str]:
        """A headline: Zipf words, but without the ten most frequent (headlines drop them)."""
        words = [w for w in self.sample(rng, 2 * TITLE_WORDS) if w not in self.common]
        return (words or self.sample(rng, TITLE_WORDS))[:TITLE_WORDS]

    def document_frequencies(self, documents: int, rng: random.Random) -> Iterator[
            tuple[str, int]]:
        """(word, in how many of ``documents`` entries it occurs): COUNTED words each.

        The expectation ``N (1 - (1 - p) ** COUNTED)``; below 1 it is 1 with that
        probability, so rare words are as many as that much text has.
        """
        for w, p in zip(self.words, self.probability, strict=True):
            expected = documents * -math.expm1(COUNTED * math.log1p(-p))
            count = int(expected)
            if rng.random() < expected - count:
                count += 1
            if count:
                yield w, count


def seed(store: Store, count: int, zipf: Zipf, rng: random.Random) -> None:
    """``count`` stored entries, with every table the matcher reads filled as in use."""
    pool = zipf.sample(rng, min(1 << 20, 100 * count))  # lead tails: slices of one long text
    recurring = [zipf.sample(rng, 2) for _ in range(RECURRING)]
    start_time = utc_now() - SPAN
    headlines: dict[tuple[int, int], int] = {}
    seen = to_iso(start_time)
    with store.transaction():
        for start in range(0, count, 20_000):
            stories: list[tuple[int, int, str, str]] = []
            rows: list[tuple[object, ...]] = []
            bands: list[tuple[int, int]] = []
            for i in range(start + 1, min(start + 20_000, count) + 1):
                if i % 1000 == 0:  # oldest first, as ids grow
                    seen = to_iso(start_time + SPAN * (i / count))
                feed = 1 + i % FEEDS
                title = recurring[i % RECURRING] if i % RECURRING_EVERY == 0 else zipf.title(rng)
                offset = rng.randrange(len(pool) - LEAD_WORDS)
                lead = zipf.sample(rng, LEAD_KEY_WORDS) + pool[
                    offset:offset + LEAD_WORDS - LEAD_KEY_WORDS]
                story = i - 1 if i % COPY_EVERY == 0 else i
                if story == i:
                    stories.append((i, i, seen, seen))
                title_key = text_key(title)
                headlines[title_key, feed] = headlines.get((title_key, feed), 0) + 1
                url = f"https://site{feed}.example/a/{i}"
                rows.append((i, feed, f"k{i}", f"u{i}", url, " ".join(title),
                             " ".join(lead[:SUMMARY_WORDS]), seen, seen, seen, seen, story,
                             url, f"{rng.getrandbits(128):032x}", f"tag:site{feed}.example:{i}",
                             "new" if story == i else "near", " ".join(title), " ".join(lead),
                             400, title_key, text_key(lead[:LEAD_KEY_WORDS])))
                bands.extend((band, i) for band in (  # real ones: they find candidates
                    *lsh_bands(frozenset(shingle_hashes(lead[:LSH_WORDS]))),
                    *title_bands(" ".join(title))))
            store.conn.executemany(
                "INSERT INTO stories (id, representative_id, first_seen, sort_at, entry_count) "
                "VALUES (?, ?, ?, ?, 1)", stories)
            store.conn.executemany(  # with the matcher's view, as this version stores it
                """INSERT INTO entries (id, feed_id, entry_key, uid, url, title, summary,
                     published, content_hash, first_seen, last_changed, sort_at, story_id,
                     canonical_url, fingerprint, origin, dedupe_layer, match_title,
                     match_words, word_count, title_key, lead_key)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'h', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                rows)
            store.conn.executemany(
                "INSERT OR IGNORE INTO entry_bands (band, entry_id) VALUES (?, ?)", bands)
        store.conn.execute("UPDATE stories SET entry_count = 2 WHERE id % ? = ?",
                           (COPY_EVERY, COPY_EVERY - 1))
        store.conn.executemany(
            "INSERT INTO headlines (title_key, feed_id, uses) VALUES (?, ?, ?)",
            ((key, feed, uses) for (key, feed), uses in headlines.items()))
        counts: dict[int, int] = {}
        for w, df in zipf.document_frequencies(count, rng):
            bucket = dedupe.term(w)  # words that share a bucket are counted together
            counts[bucket] = counts.get(bucket, 0) + df
        store.conn.executemany(  # a bucket counts an entry once, as ``learn`` does
            "INSERT INTO term_counts (term, entries) VALUES (?, ?)",
            sorted((bucket, min(df, count)) for bucket, df in counts.items()))
        store.conn.execute("UPDATE meta SET value = ? WHERE key = 'match_documents'",
                           (str(count),))
    # At rest, as a store of that size is between fetches: the seed's WAL (GBs at
    # 1M, written in one go) folded back and on disk, or its write-back and the
    # first checkpoint's fsync land in whatever is timed next.
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    os.sync()


def new_entries(zipf: Zipf, count: int) -> list[tuple[int, ParsedEntry]]:
    """(feed id, entry): fresh entries, and every fourth a copy of the one before it.

    The copies take turns: an edited one ("UPDATE 1-" and a word swapped), and a
    summary-only one, cut at about 200 characters with "...", a site suffix on
    its headline.  The same for every size (one seed).
    """
    rng = random.Random(0)
    published = to_iso(utc_now())
    entries: list[tuple[int, ParsedEntry]] = []
    for n in range(count):
        feed = 1 + rng.randrange(FEEDS)
        if n % 4 == 3:
            base = entries[-1][1]
            body = base.content or ""
            if n % 8 == 3:
                words = body.split(" ")
                words[12] = "negotiations"
                title, content, summary = "UPDATE 1-" + (base.title or ""), " ".join(words), None
            else:
                cut = body.removeprefix("<p>")[:200].rsplit(" ", 1)[0]
                title, content, summary = (base.title or "") + " | The Gazette", None, cut + "..."
            entries.append((feed, ParsedEntry(
                key=f"new{n}", guid=None, url=f"https://copy.example/{n}", title=title,
                author=None, summary=summary, content=content, published=base.published,
                updated=None)))
            continue
        entries.append((feed, ParsedEntry(
            key=f"new{n}", guid=None, url=f"https://new.example/{n}",
            title=" ".join(zipf.title(rng)), author=None, summary=None,
            content="<p>" + " ".join(zipf.sample(rng, 400)) + "</p>", published=published,
            updated=None)))
    return entries


def insert_timed(store: Store, entries: Sequence[tuple[int, ParsedEntry]]) -> tuple[
        list[float], int]:
    """Each entry as ingest stores it (place, insert, learn); (seconds each, merged)."""
    now = to_iso(utc_now())
    timings = []
    merged = 0
    for feed, entry in entries:
        begin = time.perf_counter()
        with store.transaction():
            found = dedupe.features(entry, SETTINGS)
            match = place(store, feed, found, entry.published or now, SETTINGS)
            entry_id = store.insert_entry(feed, entry, feed_url=f"https://feed{feed}.example/rss",
                                          digest="h", placed=(now, sort_time(entry, now, False)),
                                          found=found, match=match)
            store.learn(entry_id, feed, dedupe.terms_of(found), found.title_key)
        timings.append(time.perf_counter() - begin)
        merged += match is not None
    return timings, merged


def open_seeded(path: Path, size: int, zipf: Zipf) -> Store:
    store = Store.open(path)
    store.sync_feeds([FeedConfig(url=f"https://feed{n}.example/rss") for n in range(1, FEEDS + 1)],
                     3600, utc_now())
    seed(store, size, zipf, random.Random(size))
    store.checkpoint_in_background()  # as the pipeline does: commits never checkpoint
    return store


def measure(sizes: list[int], count: int, rounds: int = 16,
            vocabulary: int = VOCABULARY) -> list[dict[str, float]]:
    """Seed a store per size, then insert ``count`` new entries into each, in turns.

    The sizes take turns, ``count / rounds`` entries at a time: on a shared
    machine whose speed drifts over minutes, measuring one size after the
    other (the 1M seed alone takes minutes) compares the machine, not the store.
    """
    zipf = Zipf(vocabulary)
    pending = new_entries(zipf, count)
    with tempfile.TemporaryDirectory() as tmp:
        stores, seeded = [], []
        for size in sizes:
            started = time.perf_counter()
            stores.append(open_seeded(Path(tmp) / f"{size}.db", size, zipf))
            seeded.append(time.perf_counter() - started)
        timings: list[list[float]] = [[] for _ in sizes]
        merged = [0] * len(sizes)
        step = -(-count // rounds)
        for start in range(0, count, step):
            for n, store in enumerate(stores):
                took, joined = insert_timed(store, pending[start:start + step])
                timings[n] += took
                merged[n] += joined
        for store in stores:
            store.close()
    return [{"size": size, "seed_s": seeded[n],
             "median_ms": statistics.median(timings[n]) * 1000,
             "p90_ms": statistics.quantiles(timings[n], n=10)[-1] * 1000,
             "merged": merged[n], "count": count} for n, size in enumerate(sizes)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--new", type=int, default=400)
    args = parser.parse_args()
    results = measure([int(size) for size in args.sizes.split(",")], args.new)
    base = results[0]["median_ms"]
    print("| stored entries | seed s | per new entry, median ms | p90 ms | vs first | merged |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['size']:,} | {r['seed_s']:.1f} | {r['median_ms']:.3f} | {r['p90_ms']:.3f} "
              f"| {r['median_ms'] / base:.2f}x | {r['merged']}/{r['count']} |")


if __name__ == "__main__":
    main()
