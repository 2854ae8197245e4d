"""One measured process of our aggregator: the first ingest, then cycles where all is 304.

Does what ``aggregator fetch`` does, through the same library calls, but
keeps one event loop, HTTP client and parser pool across cycles, as the
service does: load the config, open the store and mirror the feeds into it,
then fetch every feed (``cycle_jobs(force=True)``) once per cycle.  Reports
each phase as a JSON line on stdout (see ``benchmarks.measure.emit``);
logs go to stderr.  ``benchmarks.bench`` writes the config and runs this
under ``benchmarks.measure``.

    python -m benchmarks.run_ours --config feeds.toml [--cycles 1]
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

from benchmarks.measure import emit, tree_pss_kib, tree_rss_kib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--cycles", type=int, default=1, help="cycles after the first ingest")
    args = parser.parse_args()
    emit("start")

    import asyncio
    import logging

    from aggregator.config import load_config
    from aggregator.fetch import Fetcher
    from aggregator.models import utc_now
    from aggregator.pipeline import Pipeline, parse_executor
    from aggregator.schedule import Runner
    from aggregator.store import Store

    logging.basicConfig(level=logging.WARNING)
    emit("imported")
    config = load_config(args.config)
    executor = parse_executor(config.settings.parse_workers)  # first, as the CLI does
    store = Store.open(config.settings.database)
    store.sync_feeds(config.feeds, config.settings.interval_s, utc_now())
    emit("setup_done", feeds=len(config.feeds))

    async def cycles() -> None:
        async with Fetcher(config.settings) as fetcher:
            pipeline = Pipeline(store, fetcher, config.settings, config.dedupe,
                                config.output.first_fetch_items, executor=executor)
            runner = Runner(store, pipeline, config.settings)
            try:
                for number in range(args.cycles + 1):
                    started = time.perf_counter()
                    jobs, _ = store.cycle_jobs(utc_now(), force=True)
                    outcomes = await runner.run_jobs(jobs)
                    seconds = time.perf_counter() - started
                    counts = Counter(o.outcome for o in outcomes)
                    extra = {"cycle": number, "seconds": seconds, "outcomes": dict(counts),
                             "new": sum(o.new for o in outcomes),
                             "pss_kib": tree_pss_kib(os.getpid()),
                             "rss_kib": tree_rss_kib(os.getpid())}
                    emit("ingest_done" if number == 0 else "cycle_done", **extra)
            finally:
                pipeline.close()

    asyncio.run(cycles())
    entries = store.count_entries()
    store.close()
    emit("done", entries=entries)


if __name__ == "__main__":
    main()
