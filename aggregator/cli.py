"""``aggregator``: the command line.  Argument parsing and output only.

Each command loads the config, opens the store, calls one function and
prints the result.  Every ``AggregatorError`` becomes a one-line message and
an exit code here, in ``main``, and nowhere else: 2 for a bad config, 1 for
anything else the user must fix (the store cannot be opened, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator import __version__
from aggregator.backtest import backtest_corpus, load_corpus
from aggregator.config import add_feed, load_config, parse_duration
from aggregator.errors import AggregatorError, ConfigError
from aggregator.fetch import Fetcher
from aggregator.models import Config, FetchOutcome, StoredFeed, to_iso, utc_now
from aggregator.pipeline import Pipeline, parse_executor, rebuild_stories
from aggregator.pipeline import discover as pipeline_discover
from aggregator.publish import FORMATS
from aggregator.schedule import Runner, Service
from aggregator.serve import create_app, render_merged, views_for
from aggregator.serve.outputs import static_documents, topic_urls
from aggregator.serve.page import FEED_XSL, IndexView, render_index
from aggregator.serve.static import write_file, write_outputs
from aggregator.serve.websub import HubNotifier, hub_client
from aggregator.store import Store

log = logging.getLogger("aggregator")
# Stopping: in-flight fetches get FETCH_GRACE_S, the HTTP server and a pending
# WebSub ping a second each, so the process exits within 5 s of the signal.
FETCH_GRACE_S = 1.5
SERVER_GRACE_S = 1.0
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_LEVELS = ("debug", "info", "warning", "error")
MAX_LIMIT = 1_000_000  # stories --limit, dedupe --examples: any more is a typo


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default="feeds.toml", show_default=True,
              envvar="AGGREGATOR_CONFIG", type=click.Path(dir_okay=False, path_type=Path),
              help="The feeds.toml to use (env AGGREGATOR_CONFIG).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(LOG_LEVELS),
              help="How much to log (to stderr).")
@click.version_option(__version__, prog_name="aggregator")
@click.pass_context
def cli(ctx: click.Context, config_path: Path, log_level: str) -> None:
    """Fetch RSS/Atom feeds, keep them in SQLite, republish one merged feed."""
    logging.basicConfig(level=log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    ctx.obj = config_path


def _config(ctx: click.Context) -> Config:
    path: Path = ctx.obj
    return load_config(path)


def _open(config: Config) -> Store:
    store = Store.open(config.settings.database)
    store.sync_feeds(config.feeds, config.settings.interval_s, utc_now())
    return store


@cli.command()
@click.option("--force", is_flag=True,
              help="Also fetch feeds waiting out a backoff or a Retry-After.")
@click.pass_context
def fetch(ctx: click.Context, force: bool) -> None:
    """Fetch every enabled feed once, print a summary, and exit.

    A feed waiting out a backoff or a server's Retry-After is skipped unless
    --force; a feed marked gone (HTTP 410) needs `aggregator enable URL`.
    The exit code is non-zero only when the config is invalid or the store
    cannot be opened: a feed that fails is reported in the summary and in
    the store, not by the exit code.
    """
    config = _config(ctx)
    executor = parse_executor(config.settings.parse_workers)  # first: see parse_executor
    store = _open(config)
    try:
        jobs, skipped = store.cycle_jobs(utc_now(), force=force)
        with _progress(len(jobs)) as advance:
            outcomes = asyncio.run(_fetch_all(config, store, jobs, advance, executor))
    finally:
        store.close()
    outcomes += [FetchOutcome(url=url, outcome="skipped", skipped=True) for url in skipped]
    _print_summary(outcomes)


async def _fetch_all(config: Config, store: Store, jobs: Sequence[Any],
                     advance: Callable[[FetchOutcome], None],
                     executor: Executor | None) -> list[FetchOutcome]:
    async with Fetcher(config.settings) as fetcher:
        pipeline = Pipeline(store, fetcher, config.settings, config.dedupe,
                            config.output.first_fetch_items, executor=executor)
        try:
            runner = Runner(store, pipeline, config.settings)
            return await runner.run_jobs(jobs, advance)
        finally:
            pipeline.close()


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[FetchOutcome], None]]:
    """A progress bar on a terminal; elsewhere the log lines say the same."""
    if not sys.stderr.isatty():
        yield lambda _outcome: None
        return
    columns = (TextColumn("fetching"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("fetch", total=total)
        yield lambda _outcome: progress.advance(task)


def _print_summary(outcomes: Sequence[FetchOutcome]) -> None:
    table = Table("feed", "status", "new", "updated", "time", "waited", title="fetch summary")
    for o in outcomes:
        status = f"{o.outcome} {o.status or ''}".strip()
        if o.reason:
            status += f" ({o.reason})"
        if o.skipped:
            status = "skipped (backoff or Retry-After; --force to fetch)"
        waited = "" if o.wait_s is None else f"{o.wait_s:.2f}s"
        table.add_row(o.url, status, str(o.new), str(o.updated), f"{o.duration_s:.2f}s", waited)
    fetched = [o for o in outcomes if not o.skipped]
    ok = sum(o.outcome != "error" for o in fetched)
    console = Console(width=200 if not sys.stdout.isatty() else None)
    console.print(table)
    line = (f"{ok} of {len(fetched)} feeds fetched; {sum(o.new for o in fetched)} new, "
            f"{sum(o.updated for o in fetched)} updated")
    if len(fetched) < len(outcomes):
        line += f"; {len(outcomes) - len(fetched)} skipped"
    console.print(line)


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the service: scheduled fetching and the HTTP server, until SIGINT/SIGTERM."""
    config = _config(ctx)
    if not any(feed.enabled for feed in config.feeds):
        log.warning("%s has no %sfeeds: nothing will be fetched until one is added "
                    "(`aggregator add URL`)", config.path, "enabled " if config.feeds else "")
    store = _open(config)
    count = len(config.feeds)
    # The store now holds the feed list; the service reads feeds from it in
    # batches, so 100,000 configured feeds cost no memory while it runs.
    config = replace(config, feeds=())
    gc.collect()
    # Still single-threaded, and the feed list is gone: forked parsers share little else.
    executor = parse_executor(config.settings.parse_workers)
    try:
        asyncio.run(_serve_forever(config, store, count, executor))
    finally:
        store.close()
    log.info("stopped")


def _listen(host: str, port: int) -> socket.socket:
    """Bind the HTTP port before anything starts, so a busy port is a one-line error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=1024)
    except OSError as exc:
        raise AggregatorError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # create_server leaves the protocol 0, and asyncio sets TCP_NODELAY only on
    # connections whose protocol says TCP: without it, Nagle's algorithm holds a
    # response's body back behind its headers (~12% of req/s on an 80 KB feed).
    return socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP,
                         fileno=listener.detach())


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: ``run`` stops it with the scheduler."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_forever(config: Config, store: Store, feed_count: int,
                         executor: Executor | None) -> None:
    """Scheduler and HTTP server on one loop; a signal stops both within seconds."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    listener = _listen(config.server.host, config.server.port)
    server = _Server(uvicorn.Config(
        create_app(store, config), host=config.server.host, port=config.server.port,
        log_level="warning", access_log=False, lifespan="off",
        timeout_graceful_shutdown=1, server_header=False))
    async with Fetcher(config.settings) as fetcher, contextlib.AsyncExitStack() as stack:
        announcing = None
        if config.output.websub_hub:
            client = await stack.enter_async_context(hub_client(config.settings.user_agent))
            notifier = HubNotifier(config.output.websub_hub, client)
            stack.push_async_callback(notifier.aclose, SERVER_GRACE_S)
            announcing = asyncio.create_task(_announce(store, notifier, topic_urls(config)))
        pipeline = Pipeline(store, fetcher, config.settings, config.dedupe,
                            config.output.first_fetch_items, executor=executor)
        runner = Runner(store, pipeline, config.settings)
        service = Service(store, runner)
        service.start()
        serving = asyncio.create_task(server.serve(sockets=[listener]), name="http")
        log.info("serving %s on http://%s:%d/ (%d feeds)", config.output.title,
                 config.server.host, config.server.port, feed_count)
        waiting = asyncio.create_task(stop.wait())
        await asyncio.wait([serving, waiting], return_when=asyncio.FIRST_COMPLETED)
        log.info("stopping")
        server.should_exit = True
        await service.stop(FETCH_GRACE_S)
        pipeline.close()
        if announcing is not None:
            announcing.cancel()
            await asyncio.gather(announcing, return_exceptions=True)
        await asyncio.wait([serving], timeout=SERVER_GRACE_S)
        waiting.cancel()
        if serving.done() and serving.exception() is not None:
            raise AggregatorError(f"HTTP server failed: {serving.exception()}")


async def _announce(store: Store, notifier: HubNotifier, topics: list[str]) -> None:
    """Tell the WebSub hub whenever the store's content changes (checked every second)."""
    seen = None
    while True:
        version, _ = store.content_version()
        if version != seen:
            await notifier.notify(topics)  # at start too: changes made while we were down
            seen = version
        await asyncio.sleep(1.0)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="atom", show_default=True,
              help="Output format.")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Write to this file (atomically) instead of stdout; with --all, a folder.")
@click.option("--all", "every", is_flag=True,
              help="Every output in every format, plus feed.xsl and index.html, as static "
                   "files in the folder given with -o.")
@click.pass_context
def publish(ctx: click.Context, fmt: str, out: Path | None, every: bool) -> None:
    """Write the merged feed to stdout or a file, or every output to a folder (--all)."""
    config = _config(ctx)
    if every and out is None:
        raise click.UsageError("--all needs -o DIR")
    store = _open(config)
    try:
        if every:
            documents = {"feed.xsl": FEED_XSL.encode(), **static_documents(store, config),
                         "index.html": _static_index(store, config)}
        else:
            body = render_merged(store, config, fmt)
    finally:
        store.close()
    try:
        if every:
            assert out is not None
            written = write_outputs(out, documents)
            click.echo(f"{len(documents)} files in {out}, {len(written)} changed")
        elif out is None:
            sys.stdout.buffer.write(body)
        else:
            write_file(out, body)
    except OSError as exc:
        raise AggregatorError(f"cannot write {out}: {exc.strerror or exc}") from None


def _static_index(store: Store, config: Config) -> bytes:
    """The HTML page, for a static site: the newest stories and links to every output."""
    views = views_for(config)
    page = IndexView(title=config.output.title, base_url=config.output.base_url,
                     outputs=tuple((v.spec.title, v.path.lstrip("/")) for v in views.values()),
                     tags=())
    return render_index(store.newest_stories(50), page).encode()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
@click.pass_context
def feeds(ctx: click.Context, as_json: bool) -> None:
    """List the feeds: status, next fetch and why, error streak, last error, URL history.

    --json gives the same as an array of objects with (at least) the keys
    url, status (new, ok, error, failing, gone, disabled), next_fetch (ISO 8601
    UTC), next_fetch_reason, error_streak, last_error and url_history.
    """
    config = _config(ctx)
    store = _open(config)
    try:
        rows = store.list_feeds(config.settings.failing_after)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([_feed_json(r) for r in rows], indent=2))
        return
    table = Table("feed", "status", "next fetch (why)", "entries", "last error", "URLs")
    for r in rows:
        status = r.status + (f" x{r.error_streak}" if r.error_streak else "")
        table.add_row(r.title or r.url, f"{status} {r.last_status or ''}".strip(),
                      f"{r.next_fetch or '-'} ({r.next_fetch_reason})", str(r.entry_count),
                      r.last_error or "", _url_notes(r))
    Console(width=220 if not sys.stdout.isatty() else None).print(table)


def _url_notes(feed: StoredFeed) -> str:
    """The URL story of a feed: history, a pending redirect, a declared move."""
    notes = [f"{h.url} ({h.reason} {h.first_seen})" for h in feed.url_history]
    if feed.redirect_target:
        notes.append(f"redirects permanently to {feed.redirect_target} (not adopted yet)")
    if feed.declared_url:
        notes.append(f"says it lives at {feed.declared_url} (not adopted)")
    return "\n".join(notes)


def _feed_json(feed: StoredFeed) -> dict[str, Any]:
    """One feed for --json: stable key names."""
    row = asdict(feed)
    row["tags"] = list(feed.tags)
    row["url_history"] = [asdict(change) for change in feed.url_history]
    return row


@cli.command()
@click.argument("url")
@click.pass_context
def enable(ctx: click.Context, url: str) -> None:
    """Fetch URL again: clears a 410 Gone mark, a backoff and a Retry-After."""
    config = _config(ctx)
    store = _open(config)
    try:
        found = store.enable_feed(url, utc_now())
    finally:
        store.close()
    if not found:
        raise click.ClickException(f"no feed with URL {url} (see `aggregator feeds`)")
    click.echo(f"{url}: gone mark, backoff and Retry-After cleared; due now "
               "(a feed with enabled = false in the config stays disabled)")


@cli.command()
@click.option("--since", default="1d", show_default=True,
              help="Only stories first seen within this long (e.g. 6h, 1d, 7d).")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, MAX_LIMIT),
              help="At most this many stories.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
@click.pass_context
def stories(ctx: click.Context, since: str, limit: int, as_json: bool) -> None:
    """List stories, newest first, with how many times each was seen."""
    config = _config(ctx)
    try:
        window = parse_duration(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    store = _open(config)
    try:
        rows = store.list_stories(to_iso(utc_now() - timedelta(seconds=window)), limit)
    finally:
        store.close()
    if as_json:
        keys = ("story_id", "first_seen", "title", "sightings", "feeds")
        click.echo(json.dumps([dict(zip(keys, row, strict=True)) for row in rows], indent=2))
        return
    table = Table("story", "first seen", "seen", "title", "feeds")
    for story_id, first_seen, title, count, feed_names in rows:
        table.add_row(str(story_id), first_seen, str(count), title or "", feed_names or "")
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


@cli.command()
@click.argument("entry_id", type=int)
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object, with the evidence of each merge as stored.")
@click.pass_context
def explain(ctx: click.Context, entry_id: int, as_json: bool) -> None:
    """Say which story ENTRY_ID is in, which layer put it there with what score, and why.

    ENTRY_ID is the entry's id in the store (entries.id, story_entries.entry_id).
    For every merged entry the evidence that decided it is shown: headline and
    lead similarity, conflict, and the rarest words the two entries share,
    with their weights (``story_entries.evidence``).
    """
    config = _config(ctx)
    store = _open(config)
    try:
        found = store.explain_entry(entry_id)
        members = store.story_members(int(str(found["story_id"]))) if found else []
    finally:
        store.close()
    if found is None:
        raise click.ClickException(f"no entry with id {entry_id}")
    if as_json:
        click.echo(json.dumps(_explain_json(found, members), indent=2))
        return
    layer, score = found["layer"], found["score"]
    how = "it started the story" if layer == "new" else (
        f"layer {layer!r} matched it to entry {found['matched_entry_id']}"
        + (f" with score {score:.3f}" if isinstance(score, float) else ""))
    click.echo(f"entry {entry_id} ({found['title']!r} from {found['feed_url']}) is in story "
               f"{found['story_id']}: {how}.")
    for line in _evidence_lines(found["evidence"]):
        click.echo(f"  {line}")
    click.echo(f"story {found['story_id']} has {found['entry_count']} entries "
               f"(representative: entry {found['representative_id']}):")
    for member_id, member_layer, member_score, feed_url, title, evidence in members:
        score_text = f" {member_score:.3f}" if isinstance(member_score, float) else ""
        click.echo(f"  {member_id:>8}  {member_layer}{score_text}  {feed_url}  {title or ''}")
        for line in _evidence_lines(evidence):
            click.echo(f"            {line}")


def _evidence(stored: object) -> dict[str, Any] | None:
    """The stored evidence JSON of a merge, or None (a new story, a merge from before it)."""
    if not isinstance(stored, str):
        return None
    try:
        parsed = json.loads(stored)
    except ValueError:
        return {"unreadable": stored}
    return parsed if isinstance(parsed, dict) else {"unreadable": stored}


def _evidence_lines(stored: object) -> list[str]:
    """The evidence of one merge, for a person: similarities, then the shared rare words."""
    evidence = _evidence(stored)
    if evidence is None:
        return []
    if "unreadable" in evidence:
        return [f"evidence: {evidence['unreadable']}"]
    if "title" not in evidence:  # an origin id decides alone
        return [f"evidence: the same origin id (layer {evidence.get('layer', '?')})"]
    lines = [f"evidence: title similarity {_figure(evidence.get('title'))}, lead similarity "
             f"{_figure(evidence.get('lead'))}, conflict {_figure(evidence.get('conflict'))}; "
             f"{evidence.get('compared_words', 0)} words of text compared, figures "
             f"{'agree' if evidence.get('figures_agree') else 'differ'}, story agreement "
             f"{evidence.get('story_agreement', '?')}"]
    shared = [pair for pair in evidence.get("shared") or [] if isinstance(pair, list)]
    lines.append("shared rare words (weight): " + (", ".join(
        f"{pair[0]} ({_figure(pair[-1], 2)})" for pair in shared if pair) or "none"))
    return lines


def _figure(value: object, digits: int = 3) -> str:
    """A figure of the evidence, rounded; "?" when it is missing or not a number."""
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "?"


def _explain_json(found: dict[str, object], members: Sequence[tuple[object, ...]],
                  ) -> dict[str, Any]:
    """``explain --json``: the entry, its story, and each member with its parsed evidence."""
    keys = ("entry_id", "layer", "score", "feed_url", "title", "evidence")
    return {
        "entry_id": found["entry_id"], "story_id": found["story_id"], "layer": found["layer"],
        "score": found["score"], "matched_entry_id": found["matched_entry_id"],
        "title": found["title"], "feed_url": found["feed_url"],
        "evidence": _evidence(found["evidence"]),
        "representative_id": found["representative_id"], "entry_count": found["entry_count"],
        "members": [{**dict(zip(keys, member, strict=True)), "evidence": _evidence(member[5])}
                    for member in members],
    }


@cli.command()
@click.option("--backtest", is_flag=True,
              help="Replay the stored entries through the current settings; write nothing.")
@click.option("--rebuild", is_flag=True,
              help="Recompute every story from the entries, in one transaction.")
@click.option("--examples", default=5, show_default=True, type=click.IntRange(0, MAX_LIMIT),
              help="Examples to show of each.")
@click.option("--corpus", "corpus_path", type=click.Path(dir_okay=False, path_type=Path),
              help="With --backtest: replay this labelled corpus (JSON) into a temporary "
                   "store instead, and print pairwise precision and recall.")
@click.pass_context
def dedupe(ctx: click.Context, backtest: bool, rebuild: bool, examples: int,
           corpus_path: Path | None) -> None:
    """Re-decide the stories with the current [dedupe] settings (after a threshold change).

    With --backtest --corpus FILE the stored entries are left alone: the
    labelled entries of FILE are replayed into a temporary store and the
    stories built are scored against their labels.
    """
    # Two flags, not one option with two flag values: there the last one given
    # would win, and `--backtest --rebuild` would rewrite every story.
    if backtest == rebuild:
        raise click.UsageError("give either --backtest or --rebuild"
                               + (", not both" if backtest else ""))
    if corpus_path is not None and rebuild:
        raise click.UsageError("--corpus goes with --backtest, not --rebuild")
    mode = "rebuild" if rebuild else "backtest"
    config = _config(ctx)
    if corpus_path is not None:
        _backtest_corpus(corpus_path, config)
        return
    store = _open(config)
    try:
        total = store.count_entries()
        with _bar(total, "replaying") as advance:
            report = rebuild_stories(store, config.dedupe, write=mode == "rebuild",
                                     progress=advance)
    finally:
        store.close()
    verb = "now" if mode == "rebuild" else "would be"
    click.echo(f"{report.entries} entries: {report.stories_before} stories before, "
               f"{report.stories_after} {verb} after; {len(report.merged)} stories "
               f"{verb} merged from several, {len(report.split)} {verb} split.")
    for title, groups in (("merged", report.merged), ("split", report.split)):
        for group in groups[:examples]:
            click.echo(f"  {title}: " + " | ".join(group[:4]))


def _backtest_corpus(path: Path, config: Config) -> None:
    """``dedupe --backtest --corpus``: pairwise precision and recall, then per layer."""
    corpus = load_corpus(path)
    report = backtest_corpus(corpus, config.dedupe)
    pairs = report.pairs
    click.echo(f"{path}: {report.entries} entries, {report.groups} stories labelled, "
               f"{report.stories} built")
    click.echo(f"pairwise precision {pairs.precision:.4f}, recall {pairs.recall:.4f} "
               f"({pairs.correct_pairs} of {pairs.predicted_pairs} pairs merged are right; "
               f"{pairs.true_pairs} pairs labelled)")
    click.echo(f"  {'layer':<12} {'merges':>7} {'right':>7} {'pairs':>7} {'correct':>7}  "
               "precision")
    for name, layer in report.layers.items():
        if name == "new":  # started a story: no merge, no pair
            continue
        click.echo(f"  {name:<12} {layer.merges:>7} {layer.right:>7} {layer.pairs:>7} "
                   f"{layer.correct:>7}  {layer.precision:.4f}")


@contextlib.contextmanager
def _bar(total: int, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal; nothing elsewhere."""
    if not sys.stderr.isatty():
        yield lambda _done, _total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done, _total: progress.update(task, completed=done)


@cli.command()
@click.argument("url")
@click.pass_context
def discover(ctx: click.Context, url: str) -> None:
    """Say whether URL is a feed, or list the feeds the page at URL links to."""
    config = _config(ctx)
    found = asyncio.run(pipeline_discover(url, config.settings))
    if found.is_feed:
        click.echo(f"{url} is a feed ({found.version}): {found.title or '(untitled)'}")
        return
    if not found.candidates:
        raise click.ClickException(f"{url} is not a feed and links to none")
    click.echo(f"{url} is a page; it links to these feeds:")
    for candidate in found.candidates:
        click.echo(f"  {candidate.url}  {candidate.type}  {candidate.title or ''}".rstrip())


@cli.command()
@click.argument("url")
@click.option("--tag", "tags", multiple=True, help="A tag for the feed (repeatable).")
@click.option("--title", default=None, help="A title for the feed (default: its own).")
@click.pass_context
def add(ctx: click.Context, url: str, tags: tuple[str, ...], title: str | None) -> None:
    """Add the feed at URL (or the first feed the page at URL links to) to the config.

    The config file keeps its comments and order; the new [[feeds]] table goes
    at the end. The feed is checked before it is added.
    """
    config = _config(ctx)
    found = asyncio.run(pipeline_discover(url, config.settings))
    feed_url = url
    if not found.is_feed:
        if not found.candidates:
            raise click.ClickException(f"{url} is not a feed and links to none")
        feed_url = found.candidates[0].url
        found = asyncio.run(pipeline_discover(feed_url, config.settings))
        if not found.is_feed:
            raise click.ClickException(f"{url} links to {feed_url}, which is not a feed")
    add_feed(config.path, feed_url, title=title, tags=tags)
    click.echo(f"added {feed_url} ({found.title or 'untitled'}) to {config.path}")


def _show_click_error(exc: click.ClickException) -> None:
    """Click's errors in our one style, ``aggregator: error: ...`` (click's is ``Error: ...``).

    A usage error keeps click's usage line and help hint before it.
    """
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        command = exc.ctx.command_path
        click.echo(f"{exc.ctx.get_usage()}\nTry '{command} -h' for help.\n", err=True)
    click.echo(f"aggregator: error: {exc.format_message()}", err=True)


def _add_late_options(group: click.Group) -> None:
    """``--config`` and ``--log-level`` after the command too: ``aggregator fetch --config x``.

    Given there, they win over the same option before the command.
    """
    for command in group.commands.values():
        command.params += [
            click.Option(["--config", "late_config"], default=None, expose_value=False,
                         type=click.Path(dir_okay=False, path_type=Path),
                         callback=_late_config, help="As --config before the command."),
            click.Option(["--log-level", "late_log_level"], default=None, expose_value=False,
                         type=click.Choice(LOG_LEVELS), callback=_late_log_level,
                         help="As --log-level before the command."),
        ]


def _late_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.obj = value


def _late_log_level(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        logging.getLogger().setLevel(value.upper())


_add_late_options(cli)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI, turning our errors into one line and an exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="aggregator",
                 standalone_mode=False)
    except ConfigError as exc:
        click.echo(f"aggregator: config error: {exc}", err=True)
        return 2
    except AggregatorError as exc:
        click.echo(f"aggregator: error: {exc}", err=True)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        _show_click_error(exc)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
