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
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aggregator import __version__
from aggregator.config import load_config
from aggregator.errors import AggregatorError, ConfigError
from aggregator.fetch import Fetcher
from aggregator.models import Config, FetchOutcome, utc_now
from aggregator.pipeline import Pipeline
from aggregator.publish import FORMATS
from aggregator.schedule import Runner, Service
from aggregator.serve import create_app, render_merged
from aggregator.store import Store

log = logging.getLogger("aggregator")
SHUTDOWN_GRACE_S = 2.0
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default="feeds.toml", show_default=True,
              envvar="AGGREGATOR_CONFIG", type=click.Path(dir_okay=False, path_type=Path),
              help="The feeds.toml to use (env AGGREGATOR_CONFIG).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]),
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
@click.pass_context
def fetch(ctx: click.Context) -> None:
    """Fetch every enabled feed once, print a summary, and exit.

    The exit code is non-zero only when the config is invalid or the store
    cannot be opened: a feed that fails is reported in the summary and in
    the store, not by the exit code.
    """
    config = _config(ctx)
    store = _open(config)
    try:
        jobs = store.enabled_jobs()
        with _progress(len(jobs)) as advance:
            outcomes = asyncio.run(_fetch_all(config, store, jobs, advance))
    finally:
        store.close()
    _print_summary(outcomes)


async def _fetch_all(config: Config, store: Store, jobs: Sequence[Any],
                     advance: Callable[[FetchOutcome], None]) -> list[FetchOutcome]:
    async with Fetcher(config.settings) as fetcher:
        pipeline = Pipeline(store, fetcher, config.settings.parse_workers)
        try:
            runner = Runner(store, pipeline, config.settings.concurrency, config.settings.jitter)
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
    table = Table("feed", "status", "new", "updated", "time", title="fetch summary")
    for o in outcomes:
        status = f"{o.outcome} {o.status or ''}".strip()
        if o.reason:
            status += f" ({o.reason})"
        table.add_row(o.url, status, str(o.new), str(o.updated), f"{o.duration_s:.2f}s")
    ok = sum(o.outcome != "error" for o in outcomes)
    console = Console(width=200 if not sys.stdout.isatty() else None)
    console.print(table)
    console.print(f"{ok} of {len(outcomes)} feeds fetched; "
                  f"{sum(o.new for o in outcomes)} new, {sum(o.updated for o in outcomes)} updated")


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the service: scheduled fetching and the HTTP server, until SIGINT/SIGTERM."""
    config = _config(ctx)
    store = _open(config)
    count = len(config.feeds)
    # The store now holds the feed list; the service reads feeds from it in
    # batches, so 100,000 configured feeds cost no memory while it runs.
    config = replace(config, feeds=())
    gc.collect()
    try:
        asyncio.run(_serve_forever(config, store, count))
    finally:
        store.close()
    log.info("stopped")


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: ``run`` stops it with the scheduler."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_forever(config: Config, store: Store, feed_count: int) -> None:
    """Scheduler and HTTP server on one loop; a signal stops both within seconds."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = _Server(uvicorn.Config(
        create_app(store, config.output), host=config.server.host, port=config.server.port,
        log_level="warning", access_log=False, lifespan="off",
        timeout_graceful_shutdown=1, server_header=False))
    async with Fetcher(config.settings) as fetcher:
        pipeline = Pipeline(store, fetcher, config.settings.parse_workers)
        runner = Runner(store, pipeline, config.settings.concurrency, config.settings.jitter)
        service = Service(store, runner)
        service.start()
        serving = asyncio.create_task(server.serve(), name="http")
        log.info("serving %s on http://%s:%d/ (%d feeds)", config.output.title,
                 config.server.host, config.server.port, feed_count)
        waiting = asyncio.create_task(stop.wait())
        await asyncio.wait([serving, waiting], return_when=asyncio.FIRST_COMPLETED)
        log.info("stopping")
        server.should_exit = True
        await service.stop(SHUTDOWN_GRACE_S)
        pipeline.close()
        await asyncio.wait([serving], timeout=SHUTDOWN_GRACE_S)
        waiting.cancel()
        if serving.done() and serving.exception() is not None:
            raise AggregatorError(f"HTTP server failed: {serving.exception()}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="atom", show_default=True,
              help="Output format.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def publish(ctx: click.Context, fmt: str, out: Path | None) -> None:
    """Write the merged feed to stdout or a file."""
    config = _config(ctx)
    store = Store.open(config.settings.database)
    try:
        body = render_merged(store, config.output, fmt)
    finally:
        store.close()
    if out is None:
        sys.stdout.buffer.write(body)
        return
    partial = out.with_name(f".{out.name}.partial")
    partial.write_bytes(body)
    partial.replace(out)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array, for scripts.")
@click.pass_context
def feeds(ctx: click.Context, as_json: bool) -> None:
    """List the configured feeds with their last status, next fetch and errors."""
    config = _config(ctx)
    store = _open(config)
    try:
        rows = store.list_feeds()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([_feed_json(asdict(r)) for r in rows], indent=2))
        return
    table = Table("feed", "status", "last success", "next fetch", "entries", "last error")
    for r in rows:
        status = "disabled" if not r.enabled else (r.last_outcome or "new")
        if r.error_streak:
            status = f"failing x{r.error_streak}"
        table.add_row(r.title or r.url, f"{status} {r.last_status or ''}".strip(),
                      r.last_success or "-", r.next_fetch or "now", str(r.entry_count),
                      r.last_error or "")
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


def _feed_json(row: dict[str, Any]) -> dict[str, Any]:
    """One feed for --json: stable key names, a derived status."""
    row["tags"] = list(row["tags"])
    if not row["enabled"]:
        row["status"] = "disabled"
    elif row["error_streak"]:
        row["status"] = "failing"
    else:
        row["status"] = "ok" if row["last_success"] else "new"
    return row


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
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
