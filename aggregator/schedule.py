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
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from aggregator.config import later
from aggregator.models import FeedJob, FeedTiming, FetchOutcome, Settings, utc_now
from aggregator.pipeline import Pipeline
from aggregator.store import Store

log = logging.getLogger(__name__)

TICK_S = 1.0  # how often the store is asked for due feeds: one indexed query


def next_fetch_after(outcome: FetchOutcome, timing: FeedTiming, settings: Settings,
                     now: datetime, rng: random.Random | None = None) -> tuple[datetime, str]:
    """When to fetch the feed next, and which rule decided it (stored and shown to users).

    Success: the feed's interval, or with ``adaptive`` its observed posting
    rate; never sooner than Cache-Control/Expires, ``<ttl>`` or
    ``sy:updatePeriod`` allow; always within [min_interval, max_interval].
    Failure: a Retry-After is honoured (capped by max_retry_after); otherwise
    the interval doubles per consecutive failure up to max_backoff, and the
    feed is never dropped.  A failure blamed on the network waits one
    interval without backoff.  Jitter spreads feeds that were added together.
    However large a delay is (a server's hint included), the time saturates
    (``config.later``) rather than overflowing.
    """
    rng = rng or random.Random()  # noqa: S311 - spreading load, not security
    spread = 1 + rng.uniform(0, settings.jitter)
    if outcome.outcome == "error":
        delay, reason = _failure_delay(outcome, timing, settings)
        return later(now, delay * spread), reason
    delay, reason = _success_delay(timing, settings)
    return later(now, delay * spread), reason


def _success_delay(timing: FeedTiming, settings: Settings) -> tuple[float, str]:
    delay, reason = timing.interval_s, "interval"
    if settings.adaptive:
        if timing.post_gap_s:
            delay, reason = timing.post_gap_s, "posting rate"
        hints = ((timing.max_age_s, "Cache-Control"), (timing.ttl_s, "ttl"),
                 (timing.update_period_s, "sy:updatePeriod"))
        for hint, name in hints:
            if hint and hint > delay:
                delay, reason = hint, name
    if delay < settings.min_interval_s:
        return settings.min_interval_s, f"{reason}, raised to min_interval"
    if delay > settings.max_interval_s:
        return settings.max_interval_s, f"{reason}, lowered to max_interval"
    return delay, reason


def _failure_delay(outcome: FetchOutcome, timing: FeedTiming,
                   settings: Settings) -> tuple[float, str]:
    if outcome.network_down:
        return timing.interval_s, "network down"
    streak = max(timing.error_streak, 1)
    cap = max(settings.max_backoff_s, timing.interval_s)
    backoff = min(timing.interval_s * 2 ** min(streak - 1, 32), cap)
    if outcome.retry_after_s is not None:
        return max(outcome.retry_after_s, 1.0), f"Retry-After ({outcome.retry_after_s:g}s)"
    if outcome.reason == "internal":
        return max(timing.interval_s, settings.min_interval_s), "retry after an internal error"
    return max(backoff, settings.min_interval_s), f"backoff ({streak} failures)"


class Runner:
    """Runs the pipeline for many feeds at once, at most ``concurrency`` in flight."""

    def __init__(self, store: Store, pipeline: Pipeline, settings: Settings) -> None:
        self.store = store
        self.pipeline = pipeline
        self.settings = settings
        self.concurrency = settings.concurrency

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
        if outcome.reason != "gone" and not outcome.skipped:
            when, reason = next_fetch_after(outcome, self.store.feed_timing(job.id),
                                            self.settings, utc_now())
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
