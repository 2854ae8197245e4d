"""One feed through the stages: fetch -> parse -> dedupe -> store.

``process_feed`` never raises for a problem with the feed: a bad server, a
bad body or a parser crash becomes an ``error`` outcome recorded against the
feed, so one broken feed can never stop the others.  Everything it writes for
a fetch (entries, the fetch log row, the feed's status) is one transaction.

It also keeps the feed's identity honest: a permanent redirect is followed
at once but adopted as the feed's URL only after it has been seen on
``redirect_adopt_fetches`` consecutive fetches spanning ``redirect_adopt_after``;
a body identical to the last one is treated as a 304; and when many hosts
fail to connect at once, the failures are blamed on the network, not on the
feeds (``NetworkMonitor``).

Parsing is CPU-bound, so it runs in an executor (a process pool by default,
see ``parse_executor``) while the event loop keeps fetching other feeds; so
does computing what the matcher compares of each entry (``prepare_feed``).
The single writer, the main process, is left with the lookups and the inserts.
This module is what the parser processes import, so the fetcher and the
store (httpx, SQLite) are imported only where they are used or type-checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import hashlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aggregator import dedupe
from aggregator.errors import FeedError, FetchError, ParseError
from aggregator.models import (
    EPOCH,
    EPOCH_ISO,
    FUTURE_SLACK,
    DedupeSettings,
    EntryFeatures,
    FeedCandidate,
    FeedJob,
    FetchOutcome,
    FetchResult,
    ParsedEntry,
    ParsedFeed,
    Settings,
    StoryMatch,
    from_iso,
    own_time,
    read_iso,
    to_iso,
    utc_now,
)
from aggregator.parse import discover_feeds, parse_feed

if TYPE_CHECKING:
    from aggregator.fetch import Fetcher
    from aggregator.store import Store

log = logging.getLogger(__name__)
MAX_PARSE_WORKERS = 4
NETWORK_REASONS = frozenset({"dns", "connect", "timeout"})
NETWORK_DOWN_HOSTS = 3  # distinct hosts failing to connect, with no success, means "network"
CANARY_CACHE_S = 30.0
FIRST_FETCH_HOLD = timedelta(days=7)
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_POLL_S = 1.0  # how often a worker without PR_SET_PDEATHSIG checks its parent


def parse_executor(workers: int) -> Executor | None:
    """The parser processes; None means parse in a thread of this process.

    ``workers`` 0 (the default) means one process per core but one, which is
    left to the writer and the event loop (at most ``MAX_PARSE_WORKERS``): on
    2 cores one parser keeps up with the writer, and a second one only costs
    memory.  1 means no process at all: the least memory, and the slowest.

    The workers are forked from this process when it is still single-threaded
    (call this first thing, as the CLI does): they share its imported modules
    page for page, which costs ~30 MiB less than a ``forkserver`` and its
    resource tracker.  Once other threads exist a fork could copy a lock held
    by one of them, so from then on (a pool replaced after a crash, a
    pipeline built later) the workers come from a ``forkserver``, a clean
    process that has preloaded this module.
    """
    count = workers or min((os.cpu_count() or 1) - 1, MAX_PARSE_WORKERS)
    if workers == 1 or count < 1:
        return None
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        gc.collect()
        gc.freeze()  # the collector then leaves the shared pages alone: no copy-on-write
        pool = ProcessPoolExecutor(max_workers=count, initializer=_parser_process,
                                   mp_context=multiprocessing.get_context("fork"))
        pool.submit(int)  # forks every worker now, before the pool's own thread starts
        return pool
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["aggregator.pipeline"])
    return ProcessPoolExecutor(max_workers=count, initializer=_parser_process,
                               mp_context=context)


def _parser_process() -> None:
    """A parser process leaves signals to the service, which stops it with the pool.

    A forked worker inherits the event loop's wakeup fd: a signal sent to the
    worker alone would otherwise be written there and stop the service.
    """
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    exit_with_parent()


def exit_with_parent() -> None:
    """Make this process die with its parent, however the parent dies.

    A worker waits on the pool's call queue, whose writing end its sibling
    workers hold too: after a ``kill -9`` of the service it never sees EOF and
    would live on under PID 1 with the store's files open.  On Linux the
    kernel sends SIGKILL when the parent exits (``PR_SET_PDEATHSIG``); if the
    parent was already gone before that took effect, we go now.  Elsewhere a
    daemon thread notices the parent's pid change (re-parenting) within
    ``PARENT_POLL_S``.
    """
    _release_forkserver()
    parent = os.getppid()
    if not _parent_death_signal(signal.SIGKILL):
        threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent",
                         daemon=True).start()
    elif parent == 1 or os.getppid() != parent:
        os._exit(1)


def _release_forkserver() -> None:
    """Close this worker's copy of the pipe whose end tells a forkserver to exit.

    A forkserver exits when every writing end of its "alive" pipe is closed,
    and it hands one to each process it starts.  Kept open, the workers keep
    their forkserver alive after the service is gone, and so it never dies to
    send them their death signal.  There is no public handle on it (and no
    forkserver unless its module was imported).
    """
    server: Any = getattr(sys.modules.get("multiprocessing.forkserver"), "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` when the parent exits; False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """Exit this process as soon as its parent is no longer ``parent`` (the portable way)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


Prepared = tuple[ParsedFeed, tuple[EntryFeatures, ...]]  # what a parser process returns


def prepare_feed(body: bytes, url: str, headers: Mapping[str, str],
                 settings: DedupeSettings) -> Prepared:
    """Parse a body and compute each entry's matcher features, in step with the entries.

    All of it is CPU work that needs nothing from the store, so it runs in a
    parser process; computing the features there took half of the main
    process's time per new entry off it.
    """
    parsed = parse_feed(body, url, headers)
    return parsed, tuple(dedupe.features(entry, settings) for entry in parsed.entries)


def body_digest(body: bytes) -> str:
    """What tells an unchanged body from a changed one."""
    return hashlib.sha256(body).hexdigest()


def sort_time(entry: ParsedEntry, now_iso: str, never_fetched: bool) -> str:
    """Where an entry sits in the merged feed: when we first saw it.

    On a feed's first fetch its entries keep their own dates, clamped to
    1970..now, so adding a feed does not put its whole backlog on top, and a
    placeholder (year 1) or future date can neither.
    """
    if not never_fetched:
        return now_iso
    own = own_iso(entry, from_iso(now_iso))
    if own is not None:
        return min(own, now_iso)
    dated = [m for m in map(read_iso, (entry.published, entry.updated)) if m is not None]
    return EPOCH_ISO if dated and dated[0] < EPOCH else now_iso


def own_iso(entry: ParsedEntry, now: datetime) -> str | None:
    """The entry's own date (``models.own_time``) as the store's string, or None."""
    moment = own_time(entry.published, entry.updated, now)
    return None if moment is None else to_iso(moment)


class NetworkMonitor:
    """Tells "the network is down" from "these feeds are down".

    With a canary URL configured, a connection failure triggers a fetch of
    the canary (cached for 30 s): if that fails too, the network is down.
    Without one, connection failures on ``NETWORK_DOWN_HOSTS`` distinct hosts
    with no successful fetch in between mean the same.  Failures charged to
    feeds before that was clear are handed back so their streaks can be undone.
    """

    def __init__(self, fetcher: Fetcher, canary_url: str = "") -> None:
        self.fetcher = fetcher
        self.canary_url = canary_url
        self._hosts: set[str] = set()
        self._charged: list[int] = []
        self._canary: tuple[float, bool] | None = None

    def success(self) -> None:
        """A feed answered: whatever failed before was not the network."""
        self._hosts.clear()
        self._charged.clear()

    async def network_down(self, job: FeedJob) -> tuple[bool, list[int]]:
        """After ``job`` failed to connect: (network down?, feeds to forgive)."""
        if self.canary_url:
            down = not await self._canary_ok()
        else:
            self._hosts.add(job.host)
            down = len(self._hosts) >= NETWORK_DOWN_HOSTS
        if not down:
            self._charged.append(job.id)
            return False, []
        forgiven, self._charged = self._charged, []
        return True, forgiven

    async def _canary_ok(self) -> bool:
        now = time.monotonic()
        if self._canary is not None and now - self._canary[0] < CANARY_CACHE_S:
            return self._canary[1]
        try:
            await self.fetcher.fetch(self.canary_url)
            ok = True
        except FetchError:
            ok = False
        self._canary = (time.monotonic(), ok)
        return ok


class Pipeline:
    """Runs the stages for one feed at a time; many may run at once on one loop."""

    def __init__(self, store: Store, fetcher: Fetcher, settings: Settings,
                 dedupe_settings: DedupeSettings | None = None,
                 first_fetch_items: int = 0, *, executor: Executor | None = None) -> None:
        self.store = store
        self.fetcher = fetcher
        self.settings = settings
        self.dedupe = dedupe_settings or DedupeSettings()
        self.first_fetch_items = first_fetch_items
        # Made by the caller at start-up (see parse_executor), else here.
        self.executor = executor or parse_executor(settings.parse_workers)
        store.checkpoint_in_background()
        self.network = NetworkMonitor(fetcher, settings.canary_url)
        self._host_wait: dict[str, float] = {}  # host -> monotonic time its Retry-After ends
        self._latest: datetime | None = None  # the newest time entries were stored at

    def close(self) -> None:
        """Stop the parser processes; queued parses are dropped."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)

    async def process_feed(self, job: FeedJob) -> FetchOutcome:
        """Fetch, parse and store one feed; the outcome is also in the ``fetches`` table.

        A feed whose host asked everyone to wait (Retry-After with host scope)
        earlier in this run is not requested: its outcome is ``skipped``.
        """
        started = utc_now()
        clock = time.monotonic()
        if self._host_wait.get(job.host, 0.0) > clock:
            return FetchOutcome(url=job.url, outcome="skipped", skipped=True,
                                reason="Retry-After (host)")
        result: FetchResult | None = None
        try:
            result = await self.fetcher.fetch(job.url, job.validators)
            digest = body_digest(result.body) if result.body is not None else None
            unchanged = result.not_modified or (digest is not None and digest == job.body_hash)
            prepared = None if unchanged else await self._parse(result)
        except FeedError as exc:
            return await self._failed(job, exc, started, _timing(result, exc, clock))
        self.network.success()
        outcome = self._save(job, result, prepared, digest, (started, result.duration_s))
        log.info("fetched %s: %s status=%s new=%d updated=%d in %.2fs%s", job.url,
                 outcome.outcome, outcome.status, outcome.new, outcome.updated,
                 outcome.duration_s, f" (warning: {outcome.warning})" if outcome.warning else "")
        return outcome

    async def _parse(self, result: FetchResult) -> Prepared:
        """Parse in the executor; a crash of the parser is this feed's ParseError."""
        assert result.body is not None
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, prepare_feed, result.body,
                                              result.final_url, result.headers, self.dedupe)
        except FeedError as exc:
            # The pool chains the worker's traceback as the cause: not for users' eyes.
            raise exc from None
        except BrokenProcessPool as exc:
            # A worker died (killed, out of memory): this feed failed, the next gets a new pool.
            self.close()
            self.executor = parse_executor(self.settings.parse_workers)
            raise ParseError(result.url, "parser process died", reason="parser_crash") from exc
        except Exception as exc:  # the parser must never take the service down
            raise ParseError(result.url, f"parser crashed: {type(exc).__name__}: {exc}",
                             reason="parser_crash") from exc

    async def _failed(self, job: FeedJob, exc: FeedError, started: datetime,
                      timing: tuple[float, float | None]) -> FetchOutcome:
        """Record a failure; blame the network instead of the feed when it is down."""
        down, forgiven = False, list[int]()
        if exc.reason in NETWORK_REASONS:
            down, forgiven = await self.network.network_down(job)
        retry_after = getattr(exc, "retry_after_s", None)
        outcome = FetchOutcome(url=job.url, outcome="error", status=getattr(exc, "status", None),
                               duration_s=timing[0], wait_s=timing[1], error=str(exc),
                               reason=exc.reason,
                               retry_after_s=retry_after, network_down=down)
        with self.store.transaction():
            self.store.record_fetch(job.id, outcome, started=started)
            if forgiven:
                self.store.forgive_failures(forgiven)
            if retry_after is not None:
                self.store.set_retry_until(job, utc_now() + timedelta(seconds=retry_after))
                if job.retry_after_scope == "host":
                    self._host_wait[job.host] = time.monotonic() + retry_after
        if down:
            log.warning("fetch failed: %s (%s); the network looks down, so no feed is blamed",
                        exc, exc.reason)
        else:
            log.warning("fetch failed: %s (%s)", exc, exc.reason)
        return outcome

    def _save(self, job: FeedJob, result: FetchResult, prepared: Prepared | None,
              digest: str | None, timing: tuple[datetime, float]) -> FetchOutcome:
        """Write the entries, the log row and the feed status in one transaction."""
        started, duration_s = timing
        now = self._clock()
        parsed = prepared[0] if prepared is not None else None
        with self.store.transaction():
            decisions = None
            if prepared is not None:
                entries = self._keyed(job, prepared[0].entries)
                found = dict(zip((entry.key for entry in entries), prepared[1], strict=True))
                decisions = self.store_entries(job, entries, now, found)
            outcome = FetchOutcome(
                url=job.url, outcome="ok" if parsed is not None else "not_modified",
                status=result.status, duration_s=duration_s, wait_s=result.wait_s,
                new=len(decisions.new) if decisions else 0,
                updated=len(decisions.changed) if decisions else 0,
                warning=parsed.warning if parsed else None)
            self.store.record_fetch(job.id, outcome, started=started, result=result,
                                    parsed=parsed, body_hash=digest)
            self._follow_redirect(job, result, now)
        return outcome

    def _clock(self) -> datetime:
        """When entries are seen: ``utc_now``, held at the newest time stored if it stepped back.

        A system clock set back by up to a day (NTP, a wrong time zone fixed
        by hand) must not place the next cycle's entries under those seen
        before them, nor move the outputs' Last-Modified back; a bigger step
        corrects a clock that was wrong, and is followed.
        """
        now = utc_now()
        if self._latest is None:
            self._latest = read_iso(self.store.content_version()[1]) or now
        if now < self._latest <= now + FUTURE_SLACK:
            return self._latest
        self._latest = now
        return now

    def _keyed(self, job: FeedJob, entries: Sequence[ParsedEntry]) -> list[ParsedEntry]:
        """Entries keyed by guid, or by a weaker key while the feed's ids are broken."""
        mode = dedupe.key_mode(entries, self.dedupe.broken_id_share)
        if mode != job.key_mode:
            self.store.set_key_mode(job.id, mode)
            log.warning("feed %s: entry ids %s; keying its entries by %s", job.url,
                        "are sane again" if mode == "guid" else "are missing or shared", mode)
        return dedupe.rekey(entries, mode, job.config_url or job.url)

    def store_entries(self, job: FeedJob, entries: Sequence[ParsedEntry], now: datetime,
                      found: Mapping[str, EntryFeatures] | None = None,
                      ) -> dedupe.EntryDecisions:
        """Insert the new entries into their stories and update the changed ones.

        Call inside a transaction.  ``now`` is when they were seen; ``found``
        has the features ``prepare_feed`` computed, by entry key (any missing
        are computed here).
        """
        states = self.store.entry_states(job.id, [e.key for e in entries])
        decisions = dedupe.decide(entries, states, self.dedupe.max_content_updates)
        self._insert_new(job, decisions.new, now, found or {})
        self.store.update_entries(job.id, decisions.changed, now)
        if decisions.new or decisions.changed:
            self.store.bump_content_version(now)
        if decisions.new:
            self.store.set_post_gap(job.id, self.store.post_gap_s(job.id, now))
        return decisions

    def _insert_new(self, job: FeedJob, items: Sequence[tuple[ParsedEntry, str]],
                    now: datetime, known: Mapping[str, EntryFeatures]) -> None:
        """Insert each new entry into the story it matches, one at a time.

        One at a time, so that copies of one story inside a single fetch (or a
        single cycle) find each other.
        """
        now_iso = to_iso(now)
        held_back = self._held_back(job, items, now)
        for entry, digest in items:
            found = known.get(entry.key) or dedupe.features(entry, self.dedupe)
            when = own_iso(entry, now) or now_iso
            match = place(self.store, job.id, found, when, self.dedupe)
            placed = (now_iso, sort_time(entry, now_iso, job.never_fetched))
            if entry.key in held_back:
                placed = (now_iso, min(placed[1], to_iso(now - FIRST_FETCH_HOLD)))
            entry_id = self.store.insert_entry(job.id, entry, feed_url=job.config_url or job.url,
                                               digest=digest, placed=placed, found=found,
                                               match=match)
            if entry_id:
                self.store.learn(entry_id, job.id, dedupe.terms_of(found), found.title_key)

    def _held_back(self, job: FeedJob, items: Sequence[tuple[ParsedEntry, str]],
                   now: datetime) -> set[str]:
        """Keys of a new feed's entries past ``first_fetch_items`` (newest first).

        They are placed as if seen a week ago, so adding a big feed does not
        bury the current page under its backlog.
        """
        if not job.never_fetched or not self.first_fetch_items:
            return set()
        newest = sorted(items, key=lambda item: own_iso(item[0], now) or "", reverse=True)
        return {entry.key for entry, _ in newest[self.first_fetch_items:]}

    def _follow_redirect(self, job: FeedJob, result: FetchResult, now: datetime) -> None:
        """Count a permanent redirect; adopt its target once it has proved stable."""
        target = result.permanent_target
        if target is None:
            if job.redirect_target is not None:
                self.store.note_redirect(job.id, None, 0, None)
            return
        if target == job.redirect_target and job.redirect_since is not None:
            count, since = job.redirect_count + 1, job.redirect_since
        else:
            count, since = 1, to_iso(now)
        lasted = (now - from_iso(since)).total_seconds()
        if count >= self.settings.redirect_adopt_fetches and \
                lasted >= self.settings.redirect_adopt_after_s:
            self.store.adopt_url(job.id, target, now)
            log.warning("feed %s moved permanently to %s (seen on %d fetches over %.1f days): "
                        "now fetching the new URL; update feeds.toml to match", job.url, target,
                        count, lasted / 86400)
        else:
            self.store.note_redirect(job.id, target, count, since)


def _timing(result: FetchResult | None, exc: FeedError,
            clock: float) -> tuple[float, float | None]:
    """(the request's own seconds, its wait for a turn) for a failed attempt.

    From the fetch result when parsing failed, from the fetcher's error when
    the request did; else (a fetcher that does not say) all the time since
    ``clock``, the wait unknown.
    """
    if result is not None:
        return result.duration_s, result.wait_s
    if isinstance(exc, FetchError) and exc.duration_s is not None:
        return exc.duration_s, exc.wait_s
    return time.monotonic() - clock, None


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What a rebuild did (or a backtest would do) to the stories."""

    entries: int
    stories_before: int
    stories_after: int
    merged: tuple[tuple[str, ...], ...]  # titles of old stories now one story
    split: tuple[tuple[str, ...], ...]  # titles of an old story now in several


def rebuild_stories(store: Store, settings: DedupeSettings, *, write: bool,
                    progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Recompute every story from the stored entries, in one transaction.

    Entries are replayed in the order they were stored, each matched only
    against those before it, exactly as if they had arrived with the current
    settings.  With ``write`` false (``dedupe --backtest``) the transaction is
    rolled back: the report says what would change and nothing is written.
    """
    rows = store.replay_rows()
    before = store.story_map()
    titles = {int(str(row[0])): str(row[4] or row[3] or row[0]) for row in rows}
    with store.transaction(commit=write):
        store.clear_stories()
        store.forget_learned()
        for done, row in enumerate(rows, start=1):
            _replay(store, row, settings)
            if progress is not None:
                progress(done, len(rows))
        after = store.story_map()
    return _compare(before, after, titles)


def _replay(store: Store, row: Sequence[object], settings: DedupeSettings) -> None:
    (entry_id, key, guid, url, title, summary, content, published, updated, origin,
     first_seen, sort_at, feed_id) = (None if v is None else str(v) for v in row)
    entry = ParsedEntry(key=str(key), guid=guid, url=url, title=title, author=None,
                        summary=summary, content=content, published=published,
                        updated=updated, origin_id=origin)
    found = dedupe.features(entry, settings)
    seen = read_iso(first_seen)
    when = (own_iso(entry, seen) if seen else None) or str(first_seen)
    match = place(store, int(str(feed_id)), found, when, settings, before_id=int(str(entry_id)))
    store.restory_entry(int(str(entry_id)), entry, found, match, (str(first_seen), str(sort_at)))
    store.learn(int(str(entry_id)), int(str(feed_id)), dedupe.terms_of(found), found.title_key)


def place(store: Store, feed_id: int, found: EntryFeatures, when: str,
          settings: DedupeSettings, *, before_id: int | None = None) -> StoryMatch | None:
    """Which story a new entry joins: the store's lookups, decided by ``dedupe.match_story``.

    ``before_id`` sees the store as it was before that entry (a rebuild
    replays in id order), so a rebuild decides exactly as ingest did.
    """
    lookups = dedupe.Lookups(
        rarity=dedupe.Rarity(store.match_documents(), store.term_counts),
        members=lambda story_id: store.match_members(story_id, before_id),
        headline_uses=store.headline_uses(found.title_key, feed_id))
    candidates = store.find_candidates(found, before_id=before_id)
    return dedupe.match_story(found, when, candidates, lookups, settings)


def _compare(before: dict[int, int], after: dict[int, int],
             titles: dict[int, str]) -> RebuildReport:
    old_groups: dict[int, list[int]] = {}
    new_groups: dict[int, list[int]] = {}
    for entry_id, story in before.items():
        old_groups.setdefault(story, []).append(entry_id)
    for entry_id, story in after.items():
        new_groups.setdefault(story, []).append(entry_id)
    merged = [tuple(titles[ids[0]] for ids in _regroup(members, before).values())
              for members in new_groups.values() if len({before[m] for m in members}) > 1]
    split = [tuple(titles[ids[0]] for ids in _regroup(members, after).values())
             for members in old_groups.values() if len({after[m] for m in members}) > 1]
    return RebuildReport(entries=len(after), stories_before=len(old_groups),
                         stories_after=len(new_groups), merged=tuple(merged),
                         split=tuple(split))


def _regroup(members: list[int], grouping: dict[int, int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for member in members:
        groups.setdefault(grouping[member], []).append(member)
    return groups


@dataclass(frozen=True, slots=True)
class Discovery:
    """What a URL offers: a feed itself, or the feeds a page links to."""

    url: str
    is_feed: bool
    title: str | None = None
    version: str | None = None
    candidates: tuple[FeedCandidate, ...] = ()


async def discover(url: str, settings: Settings) -> Discovery:
    """Fetch ``url`` once: a feed, or an HTML page whose ``<link rel="alternate">`` we list.

    FetchError when the URL cannot be fetched; a body that is neither a feed
    nor a page with feed links is a Discovery with no candidates.
    """
    from aggregator.fetch import Fetcher  # not at the top: parser processes import this module

    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(url)
    assert result.body is not None
    try:
        parsed = parse_feed(result.body, result.final_url, result.headers)
    except ParseError as exc:
        candidates = tuple(exc.candidates or
                           discover_feeds(result.body, result.final_url))
        return Discovery(url=url, is_feed=False, candidates=candidates)
    return Discovery(url=url, is_feed=True, title=parsed.title, version=parsed.version)
