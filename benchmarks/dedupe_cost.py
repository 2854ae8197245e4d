"""Cost of deduplicating one new entry with 10k, 100k and 1M entries already stored.

The store is seeded directly (not by fetching): rows with random canonical
URLs, fingerprints, origins and LSH bands, so every index is as large as in a
real store of that size.  Then new entries (realistic text, a share of them
copies of each other) go through the real path: features, indexed candidate
lookups, confirmation, insert, the sizes taking turns.  Prints a table; the
target is that the cost stays flat (1M at most 1.5x 10k).

    python -m benchmarks.dedupe_cost [--sizes 10000,100000,1000000] [--new 400]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from aggregator import dedupe
from aggregator.models import DedupeSettings, FeedConfig, ParsedEntry, to_iso, utc_now
from aggregator.pipeline import sort_time
from aggregator.store import Store

_VOCABULARY = ("minister government election talks border trade deal bank rate inflation "
               "storm flood quake rescue court ruling protest police vote parliament budget "
               "tariff export chip energy oil gas price market shares index bond yield "
               "currency summit leader capital province city village river coast island "
               "ministry official spokesman agency report data growth jobs wage strike union "
               "school hospital vaccine virus drought harvest rice wheat port ship rail "
               "airport flight pilot crash fire smoke army navy missile drill alliance treaty "
               "sanction embassy visit festival film award team match final coach player "
               "season record crowd stadium")
WORDS = tuple(_VOCABULARY.split(" "))
SETTINGS = DedupeSettings()
SEED_BANDS = (*range(12), *range(32, 44))  # 12 text bands and 12 title bands, as stored


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def seed(store: Store, count: int, rng: random.Random) -> None:
    """``count`` stored entries with realistic index cardinalities, fast."""
    now = to_iso(utc_now())
    batch = 20_000
    with store.transaction():
        for start in range(0, count, batch):
            stop = min(start + batch, count)
            store.conn.executemany(
                "INSERT INTO stories (id, representative_id, first_seen, sort_at, entry_count) "
                "VALUES (?, ?, ?, ?, 1)", [(i, i, now, now) for i in range(start + 1, stop + 1)])
            rows = []
            for i in range(start + 1, stop + 1):
                title, summary = text(rng, 8), text(rng, 40)
                site = f"https://site{i % 500}.example/a/{i}"
                rows.append((i, f"k{i}", f"u{i}", site, title, summary, now, now, now, now, i,
                             site, f"{rng.getrandbits(120):030x}",
                             f"tag:site{i % 500}.example,2026:{i}", title, summary, 40))
            store.conn.executemany(  # with the matcher's view, as this version stores it
                """INSERT INTO entries (id, feed_id, entry_key, uid, url, title, summary,
                     published, content_hash, first_seen, last_changed, sort_at, story_id,
                     canonical_url, fingerprint, origin, dedupe_layer, match_title,
                     match_words, word_count)
                   VALUES (?, 1, ?, ?, ?, ?, ?, ?, 'h', ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)""",
                rows)
            store.conn.executemany(
                "INSERT INTO entry_bands (band, entry_id) VALUES (?, ?)",
                [((band << 40) | rng.getrandbits(40), i)
                 for i in range(start + 1, stop + 1) for band in SEED_BANDS])
    # At rest, as a store of that size is between fetches: the seed's WAL (GBs at
    # 1M, written in one go) folded back and on disk, or its write-back and the
    # first checkpoint's fsync land in whatever is timed next.
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    os.sync()


def new_entries(rng: random.Random, count: int) -> list[ParsedEntry]:
    """Fresh entries; every fourth is a lightly edited copy of the one before it."""
    entries: list[ParsedEntry] = []
    for n in range(count):
        if n % 4 == 3:
            base = entries[-1]
            body = (base.content or "").replace("talks", "negotiations", 1)
            entries.append(ParsedEntry(key=f"new{n}", guid=None, url=f"https://copy.example/{n}",
                                       title="UPDATE 1-" + (base.title or ""), author=None,
                                       summary=None, content=body, published=base.published,
                                       updated=None))
            continue
        entries.append(ParsedEntry(key=f"new{n}", guid=None, url=f"https://new.example/{n}",
                                   title=text(rng, 9), author=None, summary=None,
                                   content="<p>" + text(rng, 400) + "</p>",
                                   published=to_iso(utc_now()), updated=None))
    return entries


def insert_timed(store: Store, entries: list[ParsedEntry]) -> tuple[list[float], int]:
    """Each entry through features, lookups, confirmation and insert; (seconds each, merged)."""
    now = to_iso(utc_now())
    timings = []
    merged = 0
    for entry in entries:
        begin = time.perf_counter()
        with store.transaction():
            found = dedupe.features(entry, SETTINGS)
            match = dedupe.match_story(found, entry.published or now,
                                       store.find_candidates(found), SETTINGS)
            store.insert_entry(1, entry, feed_url="https://feed.example/rss", digest="h",
                               placed=(now, sort_time(entry, now, False)), found=found,
                               match=match)
        timings.append(time.perf_counter() - begin)
        merged += match is not None
    return timings, merged


def measure(sizes: list[int], count: int, rounds: int = 16) -> list[dict[str, float]]:
    """Seed a store per size, then insert ``count`` new entries into each, in turns.

    The sizes take turns, ``count / rounds`` entries at a time: on a shared
    machine whose speed drifts over minutes, measuring one size after the
    other (the 1M seed alone takes minutes) compares the machine, not the store.
    """
    with tempfile.TemporaryDirectory() as tmp:
        stores, seeded, pending = [], [], []
        for size in sizes:
            rng = random.Random(size)
            store = Store.open(Path(tmp) / f"{size}.db")
            store.sync_feeds([FeedConfig(url="https://feed.example/rss")], 3600, utc_now())
            started = time.perf_counter()
            seed(store, size, rng)
            seeded.append(time.perf_counter() - started)
            stores.append(store)
            pending.append(new_entries(rng, count))
        timings: list[list[float]] = [[] for _ in sizes]
        merged = [0] * len(sizes)
        step = -(-count // rounds)
        for start in range(0, count, step):
            for n, store in enumerate(stores):
                took, joined = insert_timed(store, pending[n][start:start + step])
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
