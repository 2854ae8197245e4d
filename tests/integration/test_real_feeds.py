"""Feeds written by others: feedparser's own test suite through parse, store and outputs.

The suite comes from feedparser's source distribution on PyPI (downloaded once
into a cache; the test is skipped, saying why, when it cannot be had).  Every
file is read as if fetched, stored, and every stored entry rendered in every
format (see ``benchmarks/real_feeds.py``; the counts are in docs/reliability.md).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from benchmarks.real_feeds import DEFAULT_CACHE, feed_files, run, suite_dir
from tests.feedcheck import assert_valid_feed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
CACHE = Path(os.environ.get("AGGREGATOR_TEST_CACHE") or DEFAULT_CACHE)


@pytest.fixture(scope="module")
def suite() -> Path:
    try:
        return suite_dir(CACHE)
    except (OSError, subprocess.SubprocessError, StopIteration) as exc:
        pytest.skip(f"feedparser's sdist could not be downloaded into {CACHE}: {exc}")


def test_every_feed_of_feedparsers_suite_is_read_stored_once_and_published(
        suite: Path, tmp_path: Path) -> None:
    files = feed_files(suite)
    assert len(files) > 2000, len(files)
    report = run(files, suite, tmp_path)
    assert report.crashes == []
    assert report.miscounted == []  # every entry feedparser reads is stored, once
    assert report.stored_entries == report.feedparser_entries > 1000
    # Refused only where feedparser itself finds no entry (empty bodies, CDF channels).
    assert set(report.refused) <= {"not_a_feed", "empty"}, report.refused
    assert report.parsed >= len(files) - 20
    for name, body in report.outputs.items():
        path = tmp_path / name
        path.write_bytes(body)
        assert_valid_feed(path)
