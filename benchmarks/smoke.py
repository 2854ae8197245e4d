"""The benchmark at its tiny size, for CI: proves the harness still runs end to end.

``run_smoke()`` builds reader's venv if needed (needs PyPI the first time),
generates the 20-feed corpus, runs each system once and the references, and
returns the Markdown table.  It never writes ``docs/benchmarks.md`` and makes
no claim about speed: a test should check only that every row is there and
that both systems stored every entry (row ``entries stored``: 400 and 400).
"""

from __future__ import annotations

from benchmarks.bench import SIZES, bench, table

# The first cell of every row the small table has.
ROWS = (
    "first ingest, entries/s (process start to all stored)",
    "first ingest, wall s",
    "first ingest, fetch cycle alone, entries/s",
    "first ingest, CPU seconds of the process tree",
    "first ingest, entries per CPU second",
    "entries stored",
    "steady cycle (every feed 304), feeds/s",
    "steady cycle vs a bare httpx conditional-GET loop, feeds/s",
    "peak PSS of the process tree during first ingest, MiB",
    "RSS of the process tree after the 1st steady cycle, MiB",
    "RSS growth from steady cycle 1 to 3, MiB",
    "database size after the run, MB",
    "floor: feedparser alone (defaults), 1 process, entries/s",
    "floor: feedparser alone (defaults), 2 processes, entries/s",
    "floor: raw executemany into an indexed SQLite table, rows/s",
)
EXPECTED_ENTRIES = SIZES["small"].feeds * SIZES["small"].entries


def run_smoke() -> str:
    """Run the small size once (about 30 s once reader's venv exists); the table."""
    return table(bench("small", runs=1, log=lambda _line: None))


if __name__ == "__main__":
    print(run_smoke())
