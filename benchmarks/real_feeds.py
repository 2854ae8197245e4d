"""Feeds written by others: feedparser's own test suite through our parse stage and store.

feedparser's source distribution on PyPI carries the ~2,200 feed files of its
test suite: real-world and edge-case RSS, Atom and RDF, ill-formed ones, every
encoding it knows, entity tricks.  Each file goes through the pipeline as if
fetched (``Pipeline.process_feed`` with a fetcher that hands over the file and
the headers its ``Header:`` comments name, as feedparser's own test server
does), into a real store; then every stored entry is rendered in every output
format.  What is counted:

* a crash: anything but a clean outcome or a recorded ``ParseError`` reason
  (``parser_crash`` included) fails the run;
* entries: every entry feedparser itself reads in a file must be stored for
  that feed exactly once;
* outputs: each rendered document must pass the project's feed validation
  kit (``tests.feedcheck``) when asked (``--validate``).

    python -m benchmarks.real_feeds [--sample N] [--validate DIR]

prints the counts that docs/reliability.md reports.  The sdist is downloaded
once (``pip download``) into ``--cache`` (default ``~/.cache/aggregator``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import io
import logging
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import feedparser

from aggregator.models import (
    FeedConfig,
    FetchResult,
    Settings,
    StoredEntry,
    Validators,
    to_iso,
    utc_now,
)
from aggregator.pipeline import Pipeline
from aggregator.publish import FORMATS, FeedMeta, render
from aggregator.store import Store

BASE = "https://feedparser-suite.example/"  # never fetched: the files are handed over
_HEADER = re.compile(rb"^Header:\s+([^:\r\n]+):([^\r\n]+)$", re.MULTILINE)
SUITE_FEED_ID = "urn:uuid:6f1d8c1e-0000-4000-8000-000000000013"
DEFAULT_CACHE = Path.home() / ".cache" / "aggregator"


def suite_dir(cache: Path = DEFAULT_CACHE) -> Path:
    """feedparser's ``tests/`` for the installed version, downloaded and unpacked once.

    CalledProcessError (or OSError) when the sdist cannot be had.
    """
    version = importlib.metadata.version("feedparser")
    target = cache / f"feedparser-{version}" / "tests"
    if target.is_dir():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as download:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--no-binary", ":all:", f"feedparser=={version}", "-d", download],
                       check=True, capture_output=True, timeout=300)
        sdist = next(Path(download).glob("feedparser-*.tar.gz"))
        with tarfile.open(sdist) as archive:
            members = [m for m in archive.getmembers()
                       if "/tests/" in m.name and (m.isfile() or m.isdir())]
            archive.extractall(cache, members=members, filter="data")
    return target


def feed_files(tests: Path) -> list[Path]:
    """Every feed document of the suite (the compression cases are transport, not feeds)."""
    return sorted(tests.rglob("*.xml"))


def served_headers(body: bytes) -> dict[str, str]:
    """The headers a file's ``Header:`` comments ask for, as feedparser's tests serve it."""
    headers = {k.decode("latin-1").strip().lower(): v.decode("latin-1").strip()
               for k, v in _HEADER.findall(body)}
    headers.setdefault("content-type", "application/xml")
    return {k: v for k, v in headers.items() if k not in ("status", "content-length")}


def feedparser_count(body: bytes, url: str, headers: Mapping[str, str]) -> int:
    """How many entries feedparser itself reads in the document."""
    parsed = feedparser.parse(io.BytesIO(body), response_headers={**headers,
                                                                  "content-location": url})
    return len(parsed.entries)


class SuiteFetcher:
    """Stands in for ``Fetcher``: each URL's body is a file of the suite, served as a 200."""

    def __init__(self, documents: Mapping[str, tuple[bytes, dict[str, str]]]) -> None:
        self.documents = documents

    async def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        body, headers = self.documents[url]
        return FetchResult(url=url, final_url=url, status=200, headers=headers, body=body,
                           validators=Validators(), bytes_read=len(body), duration_s=0.0)


@dataclass
class Report:
    """What one run found."""

    files: int = 0
    parsed: int = 0
    feedparser_entries: int = 0
    stored_entries: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # reason -> files
    crashes: list[str] = field(default_factory=list)  # file: what escaped
    miscounted: list[str] = field(default_factory=list)  # file: feedparser n, stored m
    outputs: dict[str, bytes] = field(default_factory=dict)  # name -> rendered document
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The report as the few lines docs/reliability.md quotes."""
        refused = ", ".join(f"{reason} {n}" for reason, n in self.refused.most_common())
        return [
            f"files: {self.files}; parsed: {self.parsed}; refused: {sum(self.refused.values())}"
            + (f" ({refused})" if refused else ""),
            f"entries: feedparser reads {self.feedparser_entries}, stored "
            f"{self.stored_entries}; files whose count differs: {len(self.miscounted)}",
            f"crashes: {len(self.crashes)}",
            f"outputs rendered: {len(self.outputs)} "
            f"({', '.join(f'{k} {len(v):,} bytes' for k, v in self.outputs.items())})",
            f"time: {self.seconds:.1f} s",
            *(f"  crash: {c}" for c in self.crashes[:20]),
            *(f"  count: {m}" for m in self.miscounted[:20]),
        ]


def run(files: Sequence[Path], root: Path, workdir: Path) -> Report:
    """Parse and store every file, check the counts, render every output."""
    started = time.monotonic()
    report = Report(files=len(files))
    documents: dict[str, tuple[bytes, dict[str, str]]] = {}
    expected: dict[str, int] = {}
    for path in files:
        url = BASE + path.relative_to(root).as_posix()
        body = path.read_bytes()
        documents[url] = (body, served_headers(body))
        expected[url] = feedparser_count(body, url, documents[url][1])
    settings = Settings(database=workdir / "suite.db", parse_workers=1, host_delay_s=0)
    store = Store.open(settings.database)
    try:
        store.sync_feeds([FeedConfig(url=url) for url in documents], 3600, utc_now())
        asyncio.run(_fetch_all(store, settings, documents, report))
        stored = dict(store.conn.execute(
            "SELECT f.config_url, count(e.id) FROM feeds f LEFT JOIN entries e "
            "ON e.feed_id = f.id GROUP BY f.id").fetchall())
        _compare(expected, stored, report)
        report.outputs = render_all(store)
    finally:
        store.close()
    report.seconds = time.monotonic() - started
    return report


async def _fetch_all(store: Store, settings: Settings,
                     documents: Mapping[str, tuple[bytes, dict[str, str]]],
                     report: Report) -> None:
    fetcher = SuiteFetcher(documents)
    pipeline = Pipeline(store, fetcher, settings)  # type: ignore[arg-type]
    try:
        jobs, _ = store.cycle_jobs(utc_now(), force=True)
        for job in jobs:
            try:
                outcome = await pipeline.process_feed(job)
            except Exception as exc:  # what escapes is exactly what is counted
                report.crashes.append(f"{job.url}: {type(exc).__name__}: {exc}")
                continue
            if outcome.outcome == "error":
                report.refused[str(outcome.reason)] += 1
                if outcome.reason == "parser_crash":
                    report.crashes.append(f"{job.url}: {outcome.error}")
            else:
                report.parsed += 1
    finally:
        pipeline.close()


def _compare(expected: Mapping[str, int], stored: Mapping[str, int], report: Report) -> None:
    for url, count in expected.items():
        report.feedparser_entries += count
        have = int(stored.get(url, 0))
        report.stored_entries += have
        if have != count:
            report.miscounted.append(f"{url}: feedparser {count}, stored {have}")


def render_all(store: Store) -> dict[str, bytes]:
    """Every stored entry (one item each) and every story, in every format."""
    total = max(store.count_entries(), 1)
    meta = FeedMeta(title="feedparser's test suite", home_url=BASE, self_url=BASE + "feed",
                    updated=to_iso(utc_now()), feed_id=SUITE_FEED_ID)
    selections: dict[str, list[StoredEntry]] = {
        "entries": store.newest_entries(total), "stories": store.newest_stories(total)}
    return {f"{name}.{fmt}": render(fmt, items, meta)
            for name, items in selections.items() for fmt in FORMATS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--sample", type=int, default=0, help="every Nth file only")
    parser.add_argument("--validate", type=Path, default=None,
                        help="write the outputs here and run the feed validation kit on them")
    args = parser.parse_args(argv)
    logging.getLogger("aggregator").setLevel(logging.ERROR)  # a warning per odd file otherwise
    tests = suite_dir(args.cache)
    files = feed_files(tests)[::args.sample or 1]
    with tempfile.TemporaryDirectory() as workdir:
        report = run(files, tests, Path(workdir))
    print("\n".join(report.lines()))
    failed = bool(report.crashes or report.miscounted)
    if args.validate is not None:
        failed |= not _validate(report.outputs, args.validate)
    return 1 if failed else 0


def _validate(outputs: Mapping[str, bytes], directory: Path) -> bool:
    from tests.feedcheck import check_feed, kit_lines

    directory.mkdir(parents=True, exist_ok=True)
    ok = True
    for name, body in outputs.items():
        path = directory / name
        path.write_bytes(body)
        result = check_feed(path, verbose=False)
        fails = kit_lines(result, "FAIL")
        print(f"validate {name}: exit {result.returncode}, {len(fails)} FAIL")
        ok &= result.returncode == 0 and not fails
    return ok


if __name__ == "__main__":
    sys.exit(main())
