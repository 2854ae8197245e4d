"""One feed through the stages: fetch -> parse -> dedupe -> store.

``process_feed`` never raises for a problem with the feed: a bad server, a
bad body or a parser crash becomes an ``error`` outcome recorded against the
feed, so one broken feed can never stop the others.  Everything it writes for
a fetch (entries, the fetch log row, the feed's status) is one transaction.

Parsing is CPU-bound, so it runs in an executor (a process pool by default,
see ``parse_executor``) while the event loop keeps fetching other feeds.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from aggregator import dedupe
from aggregator.errors import FeedError, ParseError
from aggregator.fetch import Fetcher
from aggregator.models import FeedJob, FetchOutcome, FetchResult, ParsedFeed, utc_now
from aggregator.parse import parse_feed
from aggregator.store import Store

log = logging.getLogger(__name__)
MAX_PARSE_WORKERS = 4


def parse_executor(workers: int) -> Executor | None:
    """A process pool for parsing; ``workers`` 0 means one per core (at most 4).

    ``forkserver`` starts workers from a clean process, not from the service
    with its threads and sockets.  Returns None when there is a single core:
    parsing then runs in a thread, which costs no extra memory.
    """
    count = workers or min(os.cpu_count() or 1, MAX_PARSE_WORKERS)
    if count <= 1:
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["aggregator.parse"])
    return ProcessPoolExecutor(max_workers=count, mp_context=context)


class Pipeline:
    """Runs the stages for one feed at a time; many may run at once on one loop."""

    def __init__(self, store: Store, fetcher: Fetcher, parse_workers: int = 0) -> None:
        self.store = store
        self.fetcher = fetcher
        self.parse_workers = parse_workers
        self.executor = parse_executor(parse_workers)

    def close(self) -> None:
        """Stop the parser processes; queued parses are dropped."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)

    async def process_feed(self, job: FeedJob) -> FetchOutcome:
        """Fetch, parse and store one feed; the outcome is also in the ``fetches`` table."""
        started = utc_now()
        clock = time.monotonic()
        try:
            result = await self.fetcher.fetch(job.url, job.validators)
            parsed = None if result.not_modified else await self._parse(result)
        except FeedError as exc:
            outcome = FetchOutcome(url=job.url, outcome="error",
                                   status=getattr(exc, "status", None),
                                   duration_s=time.monotonic() - clock, error=str(exc),
                                   reason=exc.reason)
            with self.store.transaction():
                self.store.record_fetch(job.id, outcome, started=started, final_url=job.url,
                                        bytes_read=0)
            log.warning("fetch failed: %s (%s)", exc, exc.reason)
            return outcome
        outcome = self._save(job, result, parsed, started, time.monotonic() - clock)
        log.info("fetched %s: %s status=%s new=%d updated=%d in %.2fs%s", job.url,
                 outcome.outcome, outcome.status, outcome.new, outcome.updated,
                 outcome.duration_s, f" (warning: {outcome.warning})" if outcome.warning else "")
        return outcome

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        """Parse in the executor; a crash of the parser is this feed's ParseError."""
        assert result.body is not None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, parse_feed, result.body,
                                              result.final_url, result.headers)
        except FeedError:
            raise
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory): this feed failed, the next gets a new pool.
            self.close()
            self.executor = parse_executor(self.parse_workers)
            raise ParseError(result.url, "parser process died", reason="parser_crash") from exc
        except Exception as exc:  # the parser must never take the service down
            raise ParseError(result.url, f"parser crashed: {type(exc).__name__}: {exc}",
                             reason="parser_crash") from exc

    def _save(self, job: FeedJob, result: FetchResult, parsed: ParsedFeed | None,
              started: datetime, duration_s: float) -> FetchOutcome:
        """Write the entries, the log row and the feed status in one transaction."""
        now = utc_now()
        with self.store.transaction():
            decisions = None
            if parsed is not None:
                stored = self.store.entry_hashes(job.id, [e.key for e in parsed.entries])
                decisions = dedupe.decide(parsed.entries, stored)
                self.store.insert_entries(job.id, job.url, decisions.new, now, job.never_fetched)
                self.store.update_entries(job.id, decisions.changed, now)
                if decisions.new or decisions.changed:
                    self.store.bump_content_version(now)
            outcome = FetchOutcome(
                url=job.url, outcome="not_modified" if result.not_modified else "ok",
                status=result.status, duration_s=duration_s,
                new=len(decisions.new) if decisions else 0,
                updated=len(decisions.changed) if decisions else 0,
                warning=parsed.warning if parsed else None)
            self.store.record_fetch(job.id, outcome, started=started,
                                    final_url=result.final_url, bytes_read=result.bytes_read,
                                    validators=result.validators, parsed=parsed)
        return outcome
