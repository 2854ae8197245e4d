"""When each feed is fetched, and the loop that fetches them.

Each feed's next fetch time lives in the store (``feeds.next_fetch``), set
after every fetch from its interval, jitter and error streak.  So a restart
does not refetch what is not due, and the scheduler holds no state per feed:
one short APScheduler job ("tick") claims the feeds that are due, in batches,
and keeps at most ``concurrency`` of them in flight.  100,000 feeds cost the
same scheduler memory as ten.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from aggregator.models import FeedJob, FetchOutcome, utc_now
from aggregator.pipeline import Pipeline
from aggregator.store import Store

log = logging.getLogger(__name__)

BACKOFF_CAP_S = 3 * 86400  # a failing feed is still tried at least every 3 days
TICK_S = 1.0  # how often the store is asked for due feeds: one indexed query


def next_fetch_after(outcome: FetchOutcome, job: FeedJob, now: datetime, jitter: float,
                     rng: random.Random | None = None) -> tuple[datetime, str]:
    """When to fetch the feed next, and which rule decided it.

    Success: one interval plus up to ``jitter`` of it at random, so feeds added
    together drift apart.  Failure: the interval doubled per consecutive
    failure, capped at three days (or the interval, if longer); the feed is
    never dropped from the schedule.
    """
    rng = rng or random.Random()  # noqa: S311 - spreading load, not security
    spread = 1 + rng.uniform(0, jitter)
    if outcome.outcome != "error":
        return now + timedelta(seconds=job.interval_s * spread), "interval"
    streak = job.error_streak + 1
    cap = max(BACKOFF_CAP_S, job.interval_s)
    delay = min(job.interval_s * 2 ** min(streak - 1, 32), cap)
    return now + timedelta(seconds=min(delay * spread, cap)), f"backoff ({streak} failures)"


class Runner:
    """Runs the pipeline for many feeds at once, at most ``concurrency`` in flight."""

    def __init__(self, store: Store, pipeline: Pipeline, concurrency: int, jitter: float) -> None:
        self.store = store
        self.pipeline = pipeline
        self.concurrency = concurrency
        self.jitter = jitter

    async def run_one(self, job: FeedJob) -> FetchOutcome:
        """One feed, then its next fetch time; a bug here is logged, never raised."""
        try:
            outcome = await self.pipeline.process_feed(job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not stop the service: log it, back off
            log.exception("unexpected error processing %s", job.url)
            outcome = FetchOutcome(url=job.url, outcome="error", reason="internal",
                                   error=f"{type(exc).__name__}: {exc}")
        when, reason = next_fetch_after(outcome, job, utc_now(), self.jitter)
        self.store.set_next_fetch(job.id, when, reason)
        return outcome

    async def run_jobs(self, jobs: Iterable[FeedJob],
                       on_result: Callable[[FetchOutcome], None] | None = None,
                       ) -> list[FetchOutcome]:
        """Every job once, ``concurrency`` workers pulling from one iterator."""
        pending = iter(jobs)
        results: list[FetchOutcome] = []

        async def worker() -> None:
            for job in pending:
                outcome = await self.run_one(job)
                results.append(outcome)
                if on_result is not None:
                    on_result(outcome)

        async with asyncio.TaskGroup() as group:
            for _ in range(self.concurrency):
                group.create_task(worker())
        return results


class Service:
    """The scheduler side of ``aggregator run``: a tick job draining due feeds."""

    def __init__(self, store: Store, runner: Runner, tick_s: float = TICK_S) -> None:
        self.store = store
        self.runner = runner
        self.tick_s = tick_s
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._drainer: asyncio.Task[None] | None = None
        self._inflight: dict[int, asyncio.Task[FetchOutcome]] = {}
        self._stopping = False

    def start(self) -> None:
        """Start ticking now; call from inside the running event loop."""
        self.scheduler.add_job(self._tick, "interval", seconds=self.tick_s, id="tick",
                               next_run_time=datetime.now(UTC), max_instances=1,
                               coalesce=True, misfire_grace_time=None)
        self.scheduler.start()

    async def _tick(self) -> None:
        if self._stopping or (self._drainer is not None and not self._drainer.done()):
            return
        self._drainer = asyncio.create_task(self._drain(), name="drain")

    async def _drain(self) -> None:
        """Claim due feeds while there are free slots; return when nothing is due."""
        limit = self.runner.concurrency
        batch = max(1, limit // 4)  # claim in batches: one transaction per few feeds
        while not self._stopping:
            free = limit - len(self._inflight)
            jobs = self.store.claim_due(utc_now(), free, exclude=list(self._inflight)) \
                if free >= batch or not self._inflight else []
            for job in jobs:
                task = asyncio.create_task(self.runner.run_one(job), name=f"feed {job.id}")
                self._inflight[job.id] = task
                task.add_done_callback(functools.partial(self._forget, job.id))
            if not jobs and not self._inflight:
                return
            if self._inflight:
                await asyncio.wait(list(self._inflight.values()),
                                   return_when=asyncio.FIRST_COMPLETED)

    def _forget(self, feed_id: int, _task: asyncio.Task[FetchOutcome]) -> None:
        self._inflight.pop(feed_id, None)

    async def stop(self, grace_s: float = 2.0) -> None:
        """Stop claiming; let in-flight fetches finish for ``grace_s``, then cancel them.

        A cancelled fetch writes nothing: each fetch's writes are one
        transaction that runs after the last await, so the store is never
        left half-written.
        """
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        tasks = list(self._inflight.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace_s)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._drainer is not None:
            self._drainer.cancel()
            await asyncio.gather(self._drainer, return_exceptions=True)
