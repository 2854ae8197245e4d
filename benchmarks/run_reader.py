"""One measured process of lemon24's ``reader``: the first ingest, then cycles where all is 304.

Runs in reader's own virtual environment (``benchmarks/.venv-reader``, built
by ``benchmarks.bench``), never in ours: reader is a benchmark-only
dependency.  The same phases and JSON lines as ``benchmarks.run_ours``:
``make_reader(db)``, ``add_feed`` for each URL, then per cycle
``update_feeds_iter(scheduled=False, workers=N)`` (every feed, due or not).

    python -m benchmarks.run_reader --db reader.db --urls urls.txt [--workers 16] [--cycles 1]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import Counter
from pathlib import Path

from benchmarks.measure import emit, tree_pss_kib, tree_rss_kib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--urls", required=True, help="a file with one feed URL a line")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--cycles", type=int, default=1, help="cycles after the first ingest")
    args = parser.parse_args()
    emit("start")

    import reader

    logging.basicConfig(level=logging.WARNING)
    emit("imported", version=reader.__version__)
    urls = Path(args.urls).read_text().split()
    feeds = reader.make_reader(args.db)
    for url in urls:
        feeds.add_feed(url, exist_ok=True)
    emit("setup_done", feeds=len(urls))

    for number in range(args.cycles + 1):
        started = time.perf_counter()
        counts: Counter[str] = Counter()
        new = 0
        for result in feeds.update_feeds_iter(scheduled=False, workers=args.workers):
            if result.error is not None:
                counts["error"] += 1
            elif result.not_modified or result.updated_feed is None:
                counts["not_modified"] += 1
            else:
                counts["ok"] += 1
                new += result.updated_feed.new
        seconds = time.perf_counter() - started
        emit("ingest_done" if number == 0 else "cycle_done", cycle=number, seconds=seconds,
             outcomes=dict(counts), new=new, pss_kib=tree_pss_kib(os.getpid()),
             rss_kib=tree_rss_kib(os.getpid()))
    entries = feeds.get_entry_counts().total
    feeds.close()
    emit("done", entries=entries)


if __name__ == "__main__":
    main()
